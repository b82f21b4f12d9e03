/**
 * Every generated drop file conforms to its contract, checked with an independent CSV parser and
 * the contract's field rules, and every record has exactly one truth row. This is what keeps the
 * generator and the contracts from drifting apart.
 */
import path from 'node:path';
import { allContracts } from '../../core/contracts/catalog';
import { compileFieldChecker } from '../../core/contracts/field-check';
import { generateState, type GeneratedState } from './generated-state';

let state: GeneratedState;

beforeAll(async () => {
  state = await generateState({ seed: 7, people: 4000, noise: 'high' });
});

afterAll(() => state.remove());

test('every dataset of every contract has at least one drop file, named as its contract says', () => {
  for (const contract of allContracts()) {
    const files = state.drops.filter((d) => d.contract.id === contract.id);
    expect({ id: contract.id, hasFiles: files.length > 0 }).toEqual({ id: contract.id, hasFiles: true });
    for (const file of files) expect(path.basename(file.path)).toMatch(new RegExp(contract.file.namePattern));
  }
});

test('files use the contract dialect: byte order mark, line terminator, header', () => {
  for (const drop of state.drops) {
    const { dialect, schema } = drop.contract;
    expect({ file: drop.path, bom: drop.text.startsWith('\ufeff') }).toEqual({ file: drop.path, bom: dialect.byteOrderMark });
    const body = drop.text.replace(/^\ufeff/, '');
    expect(body.endsWith(dialect.lineTerminator)).toBe(true);
    const lineCount = body.split(dialect.lineTerminator).length - 1;
    // No bare LF inside a CRLF file, and as many terminators as header plus rows (no value spans lines).
    if (dialect.lineTerminator === '\r\n') expect(body.replace(/\r\n/g, '').includes('\n')).toBe(false);
    expect(lineCount).toBe(drop.rows.length + 1 + (drop.trailer === null ? 0 : 1));
    expect(drop.header).toEqual(schema.fields.map((f) => f.name));
  }
});

test('a file whose contract declares a control trailer ends with it, stating its number of records', () => {
  const withTrailer = state.drops.filter((d) => d.contract.file.trailer !== undefined);
  expect(withTrailer.length).toBeGreaterThan(0);
  for (const drop of withTrailer) {
    expect({ file: drop.path, trailer: drop.trailer }).toEqual({ file: drop.path, trailer: `TRAILER,${drop.rows.length}` });
  }
});

test('gzip is used exactly where the contract declares it', () => {
  for (const drop of state.drops) {
    expect({ file: drop.path, gz: drop.path.endsWith('.gz') }).toEqual({ file: drop.path, gz: drop.contract.file.compression === 'gzip' });
  }
});

test('every value passes its field rules', () => {
  const failures: string[] = [];
  for (const drop of state.drops) {
    const checkers = drop.contract.schema.fields.map((f) => compileFieldChecker(f, drop.contract.schema.missingValues));
    drop.rows.forEach((row, i) => {
      if (row.length !== checkers.length) failures.push(`${drop.path}:${i + 2} has ${row.length} values`);
      row.forEach((value, j) => {
        const violation = checkers[j]?.(value);
        if (violation && failures.length < 20) failures.push(`${drop.path}:${i + 2} ${violation.message}`);
      });
    });
  }
  expect(failures).toEqual([]);
});

test('primary keys are unique within each dataset, across its files', () => {
  for (const contract of allContracts()) {
    const keyIndexes = contract.schema.primaryKey.map((k) => contract.schema.fields.findIndex((f) => f.name === k));
    const seen = new Set<string>();
    let rows = 0;
    for (const drop of state.drops.filter((d) => d.contract.id === contract.id)) {
      for (const row of drop.rows) {
        seen.add(keyIndexes.map((i) => row[i]).join('\u0000'));
        rows++;
      }
    }
    expect({ id: contract.id, distinctKeys: seen.size }).toEqual({ id: contract.id, distinctKeys: rows });
  }
});

test('every record has exactly one truth row (file + primary key → a real person), and nothing else is in the truth', () => {
  const personIds = new Set(state.persons.map((p) => p.person_id));
  expect(personIds.size).toBe(4000);
  for (const contract of allContracts()) {
    const keyIndexes = contract.schema.primaryKey.map((k) => contract.schema.fields.findIndex((f) => f.name === k));
    const recordKeys = state.drops
      .filter((d) => d.contract.id === contract.id)
      .flatMap((d) => d.rows.map((row) => [path.basename(d.path), ...keyIndexes.map((i) => row[i])].join('\u0000')));
    const truth = state.truth.get(contract.id) ?? [];
    const truthKeys = truth.map((t) => [t.file, ...contract.schema.primaryKey.map((k) => t[k])].join('\u0000'));
    expect(new Set(truthKeys).size).toBe(truth.length);
    expect([...truthKeys].sort()).toEqual([...recordKeys].sort());
    expect(truth.every((t) => personIds.has(t.person_id as string))).toBe(true);
  }
});

test('generation.json accounts for every file and row', () => {
  for (const drop of state.drops) {
    const listed = state.summary.files.find((f) => path.join(state.dir, f.path) === drop.path);
    expect(listed?.rows).toBe(drop.rows.length);
  }
  expect(state.summary).toMatchObject({ seed: 7, people: 4000, noise: 'high' });
});
