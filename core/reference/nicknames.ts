/**
 * Common English and Spanish given-name nicknames (formal name → informal forms). Used by the
 * generator to write names the way people give them to employers and colleges, and by linkage to
 * treat them as equivalent.
 */
export const NICKNAMES: Readonly<Record<string, readonly string[]>> = {
  Abigail: ['Abby'], Alexander: ['Alex', 'Xander'], Alexandra: ['Alex', 'Lexi'], Alejandro: ['Alex', 'Alejo'],
  Andrew: ['Andy', 'Drew'], Anthony: ['Tony'], Benjamin: ['Ben', 'Benny'], Catherine: ['Cathy', 'Kate'],
  Charles: ['Charlie', 'Chuck'], Christopher: ['Chris'], Christian: ['Chris'], Daniel: ['Dan', 'Danny'],
  David: ['Dave'], Dominic: ['Dom'], Edward: ['Ed', 'Eddie'], Elizabeth: ['Liz', 'Beth', 'Lizzie'],
  Emily: ['Em'], Enrique: ['Kike'], Francisco: ['Paco', 'Pancho', 'Frank'], Gabriel: ['Gabe'],
  Gabriela: ['Gabby'], Guadalupe: ['Lupe'], Ignacio: ['Nacho'], Isabella: ['Bella', 'Izzy'],
  Jacob: ['Jake'], James: ['Jim', 'Jimmy', 'Jamie'], Jennifer: ['Jenny', 'Jen'], Jessica: ['Jess'],
  Jesus: ['Chuy'], Jonathan: ['Jon'], Jose: ['Pepe'], Joseph: ['Joe', 'Joey'], Joshua: ['Josh'],
  Katherine: ['Kathy', 'Katie', 'Kate'], Kimberly: ['Kim'], Madison: ['Maddie'], Margaret: ['Maggie', 'Peggy'],
  Matthew: ['Matt'], Michael: ['Mike', 'Mikey'], Nathaniel: ['Nate'], Nathan: ['Nate'], Nicholas: ['Nick'],
  Olivia: ['Liv'], Patricia: ['Patty', 'Trish'], Patrick: ['Pat'], Rebecca: ['Becky'], Richard: ['Rick', 'Dick'],
  Robert: ['Bob', 'Rob', 'Bobby'], Samantha: ['Sam'], Samuel: ['Sam'], Stephanie: ['Steph'],
  Steven: ['Steve'], Susan: ['Sue'], Theodore: ['Ted', 'Teddy'], Thomas: ['Tom', 'Tommy'], Timothy: ['Tim'],
  Victoria: ['Vicky', 'Tori'], William: ['Will', 'Bill', 'Billy'], Zachary: ['Zach'],
};

/** Spanish spellings with accents, as some systems store them and others strip them. */
export const ACCENTED_SPELLINGS: Readonly<Record<string, string>> = {
  Jose: 'José', Maria: 'María', Jesus: 'Jesús', Angel: 'Ángel', Ramon: 'Ramón', Andres: 'Andrés', Sofia: 'Sofía',
  Julian: 'Julián', Martin: 'Martín', Adrian: 'Adrián', Ivan: 'Iván', Valentin: 'Valentín', Lucia: 'Lucía',
  Garcia: 'García', Martinez: 'Martínez', Hernandez: 'Hernández', Lopez: 'López', Gonzalez: 'González',
  Rodriguez: 'Rodríguez', Perez: 'Pérez', Sanchez: 'Sánchez', Ramirez: 'Ramírez', Gomez: 'Gómez',
  Diaz: 'Díaz', Jimenez: 'Jiménez', Vasquez: 'Vásquez', Fernandez: 'Fernández', Alvarez: 'Álvarez',
  Nunez: 'Núñez', Munoz: 'Muñoz', Ibanez: 'Ibáñez', Mendez: 'Méndez', Gutierrez: 'Gutiérrez',
};
