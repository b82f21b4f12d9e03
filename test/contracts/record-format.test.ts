import { parse } from 'csv-parse/sync';
import { allContracts } from '../../core/contracts/catalog';
import { compileRecordFormatter, type FieldValue } from '../../core/contracts/record-format';
import type { Contract, CsvDialect, FieldDefinition } from '../../core/contracts/types';

const FIELDS: readonly FieldDefinition[] = [
  { name: 'id', type: 'string', description: 'id', constraints: { required: true } },
  { name: 'name', type: 'string', description: 'name' },
  { name: 'birth_date', type: 'date', description: 'birth date', format: '%m/%d/%Y' },
  { name: 'active', type: 'boolean', description: 'active', trueValues: ['Y', 'yes'], falseValues: ['N', 'no'] },
  { name: 'units', type: 'number', description: 'units' },
];

function contract(dialect: Partial<CsvDialect> = {}, fields: readonly FieldDefinition[] = FIELDS, missingValues: readonly string[] = ['']): Contract {
  return {
    id: 'test/people',
    version: '1.0.0',
    partner: 'test',
    dataset: 'people',
    title: 'Test',
    description: 'Test contract',
    domain: 'k12',
    file: { namePattern: '^people\\.csv$', compression: 'none' },
    dialect: {
      delimiter: ',', quoteChar: '"', doubleQuote: true, header: true, lineTerminator: '\n', quoting: 'minimal',
      encoding: 'utf-8', byteOrderMark: false, ...dialect,
    },
    schema: { fields, primaryKey: ['id'], missingValues },
  };
}

/** Parses a whole file written with the contract's dialect back into rows of cells. */
function readBack(c: Contract, text: string): string[][] {
  return parse(text, { delimiter: c.dialect.delimiter, quote: c.dialect.quoteChar, record_delimiter: c.dialect.lineTerminator, relax_column_count: false });
}

/** Writes the header and the rows, reads them back, and returns the cells. */
function roundTrip(c: Contract, rows: ReadonlyArray<readonly FieldValue[]>): { text: string; cells: string[][] } {
  const formatter = compileRecordFormatter(c);
  const text = formatter.header + rows.map((row) => formatter.format(row)).join('');
  return { text, cells: readBack(c, text) };
}

const TRICKY_TEXTS = [
  'plain',
  'comma, inside',
  'quote " inside',
  '"quoted"',
  '""',
  'line\nbreak',
  'carriage\rreturn',
  'crlf\r\nin the middle',
  'tab\tinside',
  'pipe|inside',
  ' leading and trailing spaces ',
  'Núñez',
  '👍',
  "O'Brien",
  'semi;colon',
  'caret^',
];

describe('round trips through csv-parse', () => {
  const dialects: Array<[string, Partial<CsvDialect>]> = [
    ['comma, minimal, LF', {}],
    ['comma, all, CRLF', { quoting: 'all', lineTerminator: '\r\n' }],
    ['tab, minimal, LF', { delimiter: '\t' }],
    ['tab, all, CRLF', { delimiter: '\t', quoting: 'all', lineTerminator: '\r\n' }],
    ['pipe, minimal, CRLF', { delimiter: '|', lineTerminator: '\r\n' }],
    ['pipe, all, LF', { delimiter: '|', quoting: 'all' }],
    ['semicolon, minimal, LF', { delimiter: ';' }],
    ['caret, minimal, LF', { delimiter: '^' }],
  ];

  it.each(dialects)('%s: every tricky text comes back as written', (_name, dialect) => {
    const c = contract(dialect);
    const rows = TRICKY_TEXTS.map((t, i): FieldValue[] => [`id${i}`, t, '2000-01-31', i % 2 === 0, `${i}.5`]);
    const { cells } = roundTrip(c, rows);
    expect(cells[0]).toEqual(['id', 'name', 'birth_date', 'active', 'units']);
    expect(cells.slice(1)).toEqual(rows.map((_row, i) => [`id${i}`, TRICKY_TEXTS[i], '01/31/2000', i % 2 === 0 ? 'Y' : 'N', `${i}.5`]));
  });

  it.each(dialects)('%s: one text per field in a single column', (_name, dialect) => {
    const c = contract(dialect, [{ name: 'text', type: 'string', description: 'text' }]);
    const { cells } = roundTrip(c, TRICKY_TEXTS.map((t) => [t]));
    expect(cells.slice(1).map((row) => row[0])).toEqual(TRICKY_TEXTS);
  });
});

describe('line terminator', () => {
  it('ends every line, header included, with LF', () => {
    const f = compileRecordFormatter(contract());
    expect(f.header).toBe('id,name,birth_date,active,units\n');
    expect(f.format(['1', 'a', null, true, '2'])).toBe('1,a,,Y,2\n');
  });

  it('ends every line with CRLF, and only there', () => {
    const f = compileRecordFormatter(contract({ lineTerminator: '\r\n' }));
    expect(f.header).toBe('id,name,birth_date,active,units\r\n');
    const line = f.format(['1', 'a', '1999-12-31', false, '2']);
    expect(line).toBe('1,a,12/31/1999,N,2\r\n');
    expect(line.indexOf('\r\n')).toBe(line.length - 2);
  });
});

describe('quoting', () => {
  it('minimal quotes only what needs quotes', () => {
    const f = compileRecordFormatter(contract());
    expect(f.line(['a', 'b c', 'd,e', 'f"g', 'h\ni', 'j\rk'])).toBe('a,b c,"d,e","f""g","h\ni","j\rk"\n');
  });

  it('minimal with a tab delimiter quotes tabs, not commas', () => {
    const f = compileRecordFormatter(contract({ delimiter: '\t' }));
    expect(f.line(['a,b', 'c\td'])).toBe('a,b\t"c\td"\n');
  });

  it('minimal with a pipe delimiter quotes pipes', () => {
    const f = compileRecordFormatter(contract({ delimiter: '|' }));
    expect(f.line(['a|b', 'c,d'])).toBe('"a|b"|c,d\n');
  });

  it('all quotes every value, header included', () => {
    const f = compileRecordFormatter(contract({ quoting: 'all' }));
    expect(f.header).toBe('"id","name","birth_date","active","units"\n');
    expect(f.line(['a', 'b"c'])).toBe('"a","b""c"\n');
  });
});

describe('values', () => {
  const f = compileRecordFormatter(contract());

  it('writes dates in the contract format', () => {
    expect(f.texts(['1', 'x', '2024-02-29', true, '1'])[2]).toBe('02/29/2024');
    const compact = compileRecordFormatter(contract({}, [{ name: 'd', type: 'date', description: 'd', format: '%Y%m%d' }]));
    expect(compact.texts(['2024-02-29'])).toEqual(['20240229']);
    const iso = compileRecordFormatter(contract({}, [{ name: 'd', type: 'date', description: 'd' }]));
    expect(iso.texts(['2024-02-29'])).toEqual(['2024-02-29']);
  });

  it('refuses to write a date that is not an ISO calendar date', () => {
    expect(() => f.texts(['1', 'x', '2023-02-29', true, '1'])).toThrow(/ISO calendar date/);
    expect(() => f.texts(['1', 'x', '02/28/2023', true, '1'])).toThrow(/ISO calendar date/);
  });

  it('writes booleans as the first true and false values', () => {
    expect(f.texts(['1', 'x', null, true, '1'])[3]).toBe('Y');
    expect(f.texts(['1', 'x', null, false, '1'])[3]).toBe('N');
  });

  it('writes booleans as true/false when the field has no spellings', () => {
    const plain = compileRecordFormatter(contract({}, [{ name: 'b', type: 'boolean', description: 'b' }]));
    expect(plain.texts([true])).toEqual(['true']);
    expect(plain.texts([false])).toEqual(['false']);
  });

  it('writes null as the first missing value', () => {
    const na = compileRecordFormatter(contract({}, FIELDS, ['NA', '']));
    expect(na.texts(['1', null, null, null, null])).toEqual(['1', 'NA', 'NA', 'NA', 'NA']);
    expect(f.texts(['1', null, null, null, null])).toEqual(['1', '', '', '', '']);
  });

  it('leaves a missing value bare even when quoting all', () => {
    const all = compileRecordFormatter(contract({ quoting: 'all' }));
    expect(all.format(['1', null, null, true, null])).toBe('"1",,,"Y",\n');
    const allNa = compileRecordFormatter(contract({ quoting: 'all' }, FIELDS, ['NA']));
    expect(allNa.format(['1', null, '2000-01-02', false, null])).toBe('"1",NA,"01/02/2000","N",NA\n');
  });

  it('null reads back as the missing value', () => {
    const c = contract({ quoting: 'all', lineTerminator: '\r\n', delimiter: '|' }, FIELDS, ['NA']);
    const { cells } = roundTrip(c, [['1', null, null, null, null]]);
    expect(cells[1]).toEqual(['1', 'NA', 'NA', 'NA', 'NA']);
  });

  it('passes other values through as text', () => {
    expect(f.texts(['007', ' x ', null, true, '1e3'])).toEqual(['007', ' x ', '', 'Y', '1e3']);
  });
});

describe('value count', () => {
  const f = compileRecordFormatter(contract());

  it.each([[[]], [['1', 'a', null, true]], [['1', 'a', null, true, '1', 'extra']]])('throws for %j', (values) => {
    expect(() => f.texts(values as FieldValue[])).toThrow('test/people: record has');
    expect(() => f.format(values as FieldValue[])).toThrow(`record has ${values.length} values, contract has 5 fields`);
  });
});

describe('every contract in the catalog', () => {
  /** A value every field of the contract accepts (types and formats only). */
  function sample(field: FieldDefinition, row: number): FieldValue {
    switch (field.type) {
      case 'date':
        return '2001-09-11';
      case 'boolean':
        return row % 2 === 0;
      case 'integer':
        return String(row);
      case 'number':
        return `${row}.25`;
      case 'string':
        return row === 0 ? `a${field.name}` : row === 1 ? 'has "quotes", commas, | pipes\tand tabs' : 'line\r\nbreak';
    }
  }

  it.each(allContracts().map((c) => [c.id, c] as const))('%s reads back with its own dialect', (_id, c) => {
    const rows = [0, 1, 2, 3].map((row) => c.schema.fields.map((f) => (row === 3 && !f.constraints?.required ? null : sample(f, row))));
    const formatter = compileRecordFormatter(c);
    const { cells } = roundTrip(c, rows);
    expect(cells[0]).toEqual(c.schema.fields.map((f) => f.name));
    expect(cells.slice(1)).toEqual(rows.map((row) => formatter.texts(row)));
    expect(cells).toHaveLength(5);
  });
});
