/** Calendar arithmetic on day numbers (days since 1970-01-01, UTC), the generator's time unit. */
const MS_PER_DAY = 86400000;

export function dayOf(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / MS_PER_DAY;
}

export function isoOf(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

export function yearOf(day: number): number {
  return new Date(day * MS_PER_DAY).getUTCFullYear();
}

export function monthOf(day: number): number {
  return new Date(day * MS_PER_DAY).getUTCMonth() + 1;
}

/** Whole years of age on `day` for someone born on `birth`. */
export function ageAt(birth: number, day: number): number {
  const b = new Date(birth * MS_PER_DAY);
  const d = new Date(day * MS_PER_DAY);
  const age = d.getUTCFullYear() - b.getUTCFullYear();
  const beforeBirthday = d.getUTCMonth() < b.getUTCMonth() || (d.getUTCMonth() === b.getUTCMonth() && d.getUTCDate() < b.getUTCDate());
  return beforeBirthday ? age - 1 : age;
}

/** `2019-20` for the school year starting in fall 2019. */
export function schoolYear(fallYear: number): string {
  return `${fallYear}-${String((fallYear + 1) % 100).padStart(2, '0')}`;
}
