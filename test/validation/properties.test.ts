/**
 * Property tests of validateDrop on mutated files. Valid files (built from each contract's
 * constraints with awkward texts, or cut from a generated synthetic state) are mutated, byte by
 * byte or value by value, and read in random chunk sizes. Whatever the file:
 *   (a) validateDrop returns a well-formed report, never throws;
 *   (b) its verdict is the oracle's (test/validation/oracle.ts: strict csv-parse + field
 *       checkers + key set), both ways, and where the file reads as records, its value findings
 *       (counts, and the rule, line and field of each example) are the oracle's too;
 *   (c) the file's bytes are unchanged, and the report's sha256 is theirs.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { generateToFolder } from '../../adapters/generator/generate-to-folder';
import { DuckDbEngine } from '../../adapters/sql/duckdb-engine';
import { compileRecordFormatter } from '../../core/contracts/record-format';
import type { Contract } from '../../core/contracts/types';
import type { ValidationReport } from '../../core/validation/report';
import { RULE_DESCRIPTIONS } from '../../core/validation/rules';
import { scanDrop } from '../../core/validation/scan';
import { validateDrop, type DropFile } from '../../core/validation/validate';
import { contractById, DropFolder, dropFile, recordsArbitrary, VALID_NAMES } from './drop-files';
import { judge } from './oracle';
import { parseDrop } from '../generator/generated-state';

const CONTRACTS = ['cde/k12_enrollment', 'dss/calfresh', 'cccco/cc_enrollment', 'edd/ui_wages', 'ctc/credentials', 'uc/uc_enrollment'].map(contractById);
/** Fixed seeds and run counts; C2C_PROPERTY_RUNS and C2C_PROPERTY_SEED explore further (e.g. 5000 runs, another seed). */
const NUM_RUNS = Number(process.env.C2C_PROPERTY_RUNS ?? 150);
const SEED = Number(process.env.C2C_PROPERTY_SEED ?? 0);

let engine: DuckDbEngine;
let folder: DropFolder;
let stateDir: string;
/** Records of each contract's first generated drop, as field texts. */
const generated = new Map<string, string[][]>();
/** Every generated drop of the contracts under test. */
const generatedDrops: Array<{ contract: Contract; file: string }> = [];

beforeAll(async () => {
  engine = await DuckDbEngine.open();
  folder = new DropFolder();
  stateDir = mkdtempSync(path.join(tmpdir(), 'c2c-props-'));
  const summary = await generateToFolder({ seed: 11, people: 300, noise: 'high' }, stateDir, { workers: 1 });
  for (const file of summary.files) {
    const contract = CONTRACTS.find((c) => c.partner === file.partner && c.dataset === file.dataset);
    if (!contract || file.kind !== 'drop') continue;
    generatedDrops.push({ contract, file: path.join(stateDir, file.path) });
    if (generated.has(contract.id)) continue;
    generated.set(contract.id, parseDrop(path.join(stateDir, file.path), contract).rows);
  }
}, 120_000);

afterAll(() => {
  engine.close();
  folder.remove();
  rmSync(stateDir, { recursive: true, force: true });
});

// ---- Files ----------------------------------------------------------------------------------

interface Layout {
  readonly bom: boolean;
  readonly quoting: 'minimal' | 'all';
  readonly terminator: '\n' | '\r\n';
}

/** A valid file before mutation: its records as field texts, and how to write them. */
interface Base {
  readonly contract: Contract;
  readonly records: string[][];
  readonly layout: Layout;
}

function layoutArbitrary(contract: Contract): fc.Arbitrary<Layout> {
  return fc.record({
    bom: fc.oneof(fc.constant(contract.dialect.byteOrderMark), fc.boolean()),
    quoting: fc.oneof(fc.constant(contract.dialect.quoting), fc.constantFrom('minimal' as const, 'all' as const)),
    terminator: fc.oneof(fc.constant(contract.dialect.lineTerminator), fc.constantFrom('\n' as const, '\r\n' as const)),
  });
}

/** Records made from the fields' constraints, with texts that need quoting, in a random layout. */
function builtBase(contract: Contract): fc.Arbitrary<Base> {
  const formatter = compileRecordFormatter(contract);
  return fc.record({
    records: recordsArbitrary(contract, { minLength: 1, maxLength: 5 }, { awkwardText: true }).map((rs) => rs.map((r) => formatter.texts(r))),
    layout: layoutArbitrary(contract),
  }).map(({ records, layout }) => ({ contract, records, layout }));
}

/** A few consecutive records of a generated drop, in the contract's own layout. */
function generatedBase(contract: Contract): fc.Arbitrary<Base> {
  const records = generated.get(contract.id) ?? [];
  const layout: Layout = { bom: contract.dialect.byteOrderMark, quoting: contract.dialect.quoting, terminator: contract.dialect.lineTerminator };
  return fc.tuple(fc.nat({ max: Math.max(0, records.length - 1) }), fc.integer({ min: 1, max: 6 }))
    .map(([start, count]) => ({ contract, records: records.slice(start, start + count).map((r) => [...r]), layout }));
}

function baseArbitrary(): fc.Arbitrary<Base> {
  return fc.constantFrom(...CONTRACTS).chain((c) => (generated.has(c.id) ? fc.oneof(builtBase(c), generatedBase(c)) : builtBase(c)));
}

function write(base: Base): Buffer {
  const dialect = { ...base.contract.dialect, quoting: base.layout.quoting, lineTerminator: base.layout.terminator };
  const formatter = compileRecordFormatter({ ...base.contract, dialect });
  const trailer = base.contract.file.trailer?.replace('{records}', String(base.records.length));
  const text = formatter.header + base.records.map((r) => formatter.line(r)).join('') + (trailer === undefined ? '' : trailer + dialect.lineTerminator);
  return Buffer.concat([Buffer.from(base.layout.bom ? [0xef, 0xbb, 0xbf] : []), Buffer.from(text, 'utf8')]);
}

// ---- Mutations ------------------------------------------------------------------------------

/** A change to a value before it is written (so it is quoted as the dialect says). */
interface ValueMutation {
  readonly label: string;
  apply(records: string[][]): void;
}

const TRICKY_VALUES = ['', ' ', '  ', 'NaN', '1e3', '-0', '+1', '1,234.00', '2023-02-30', '20230230', '02/30/2023', 'Y', 'y', 'N', 'true', 'M', 'm',
  '=HYPERLINK("http://x","y")', '"', '""', 'a"b', '\n', '\r', '\r\n', '\t', '|', ',', '\u0000', '\u0085', '\u007f', '\ufeff', '🦆', 'e\u0301',
  '123-45-6789', '0000000000', '99999999999999999999', 'x'.repeat(51)];

const valueText: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...TRICKY_VALUES),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: fc.constantFrom(...'0123456789-./,+eE '), maxLength: 14 }),
);

const valueMutation: fc.Arbitrary<ValueMutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.nat(), valueText).map(([r, f, text]): ValueMutation => ({
    label: `value ${JSON.stringify(text)}`,
    apply: (records) => {
      const record = records[r % records.length] as string[];
      record[f % record.length] = text;
    },
  })),
  fc.tuple(fc.nat(), fc.nat()).map(([from, to]): ValueMutation => ({
    label: 'copy a record onto another (a duplicate key)',
    apply: (records) => {
      records[to % records.length] = [...(records[from % records.length] as string[])];
    },
  })),
);

/** A change to the written bytes. */
interface ByteMutation {
  readonly label: string;
  apply(bytes: Buffer): Buffer;
}

const inserted: fc.Arbitrary<Buffer> = fc.oneof(
  fc.constantFrom('"', ',', '\t', '|', '\r', '\n', '\r\n', '\u0000', ' ', '""', 'é', '\ufeff').map((s) => Buffer.from(s, 'utf8')),
  fc.constantFrom([0xff], [0xfe, 0xff], [0xef, 0xbb, 0xbf], [0xe9], [0x93], [0xc3], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc2, 0x85], [0x7f], [0x1f, 0x8b]).map((b) => Buffer.from(b)),
  fc.uint8Array({ minLength: 1, maxLength: 6 }).map((b) => Buffer.from(b)),
);

const lines = (bytes: Buffer): Buffer[] => {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = bytes.indexOf(0x0a); i >= 0; i = bytes.indexOf(0x0a, start)) {
    out.push(bytes.subarray(start, i + 1));
    start = i + 1;
  }
  if (start < bytes.length) out.push(bytes.subarray(start));
  return out;
};

const byteMutation: fc.Arbitrary<ByteMutation> = fc.oneof(
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 8 })).map(([at, n]): ByteMutation => ({
    label: `delete ${n} bytes at ${at}`,
    apply: (b) => Buffer.concat([b.subarray(0, at % (b.length + 1)), b.subarray((at % (b.length + 1)) + n)]),
  })),
  fc.tuple(fc.nat(), inserted).map(([at, bytes]): ByteMutation => ({
    label: `insert ${JSON.stringify(bytes.toString('latin1'))} at ${at}`,
    apply: (b) => Buffer.concat([b.subarray(0, at % (b.length + 1)), bytes, b.subarray(at % (b.length + 1))]),
  })),
  fc.tuple(fc.nat(), inserted).map(([at, bytes]): ByteMutation => ({
    label: `overwrite with ${JSON.stringify(bytes.toString('latin1'))} at ${at}`,
    apply: (b) => Buffer.concat([b.subarray(0, at % (b.length + 1)), bytes, b.subarray((at % (b.length + 1)) + bytes.length)]),
  })),
  fc.nat().map((at): ByteMutation => ({ label: `cut at ${at}`, apply: (b) => b.subarray(0, at % (b.length + 1)) })),
  fc.nat().map((i): ByteMutation => ({
    label: `duplicate line ${i}`,
    apply: (b) => {
      const ls = lines(b);
      if (ls.length === 0) return b;
      const k = i % ls.length;
      return Buffer.concat([...ls.slice(0, k + 1), ls[k] as Buffer, ...ls.slice(k + 1)]);
    },
  })),
  fc.tuple(fc.nat(), fc.nat()).map(([i, j]): ByteMutation => ({
    label: `swap lines ${i} and ${j}`,
    apply: (b) => {
      const ls = lines(b);
      if (ls.length === 0) return b;
      const [x, y] = [i % ls.length, j % ls.length];
      [ls[x], ls[y]] = [ls[y] as Buffer, ls[x] as Buffer];
      return Buffer.concat(ls);
    },
  })),
);

// ---- Drops ----------------------------------------------------------------------------------

interface Scenario {
  readonly contract: Contract;
  readonly name: string;
  /** The file as delivered (compressed for a gzip contract). */
  readonly bytes: Buffer;
  /** Bytes per chunk when read; undefined: the file stream's own chunks. */
  readonly chunk: number | undefined;
  readonly steps: readonly string[];
}

const nameArbitrary = (contract: Contract): fc.Arbitrary<string> => {
  const valid = VALID_NAMES[contract.id] as string;
  return fc.oneof({ weight: 9, arbitrary: fc.constant(valid) }, { weight: 1, arbitrary: fc.constantFrom(valid.toUpperCase(), `copy of ${valid}`, `${valid}.bak`) });
};

const chunkArbitrary = fc.constantFrom(undefined, 1, 2, 3, 7, 64, 4096);

/** A valid file, its values and then its bytes mutated (before compression). */
function mutatedContent(): fc.Arbitrary<Scenario> {
  return baseArbitrary().chain((base) => fc.record({
    values: fc.array(valueMutation, { maxLength: 2 }),
    bytes: fc.array(byteMutation, { maxLength: 3 }),
    name: nameArbitrary(base.contract),
    chunk: chunkArbitrary,
  }).map(({ values, bytes, name, chunk }) => {
    const records = base.records.map((r) => [...r]);
    for (const m of values) m.apply(records);
    let content = write({ ...base, records });
    for (const m of bytes) content = m.apply(content);
    const file = base.contract.file.compression === 'gzip' ? gzipSync(content) : content;
    return { contract: base.contract, name, bytes: file, chunk, steps: [...values, ...bytes].map((m) => m.label) };
  }));
}

/** A valid gzip drop whose compressed bytes are mutated. */
function mutatedGzip(): fc.Arbitrary<Scenario> {
  const contract = contractById('edd/ui_wages');
  return fc.record({
    base: fc.oneof(builtBase(contract), generatedBase(contract)),
    bytes: fc.array(byteMutation, { minLength: 1, maxLength: 2 }),
    chunk: chunkArbitrary,
  }).map(({ base, bytes, chunk }) => {
    let file: Buffer = gzipSync(write(base));
    for (const m of bytes) file = m.apply(file);
    return { contract, name: VALID_NAMES[contract.id] as string, bytes: file, chunk, steps: bytes.map((m) => m.label) };
  });
}

/** Writes the scenario's file and returns it as a drop read in the scenario's chunks. */
function dropOf(s: Scenario): DropFile {
  const drop = folder.write(s.name, s.bytes);
  if (s.chunk === undefined) return drop;
  const size = s.chunk;
  return {
    ...drop,
    read: async function* () {
      const bytes = readFileSync(drop.localPath);
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
    },
  };
}

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const describeScenario = (s: Scenario): string =>
  `${s.contract.id} ${s.name} chunk=${s.chunk ?? 'stream'} steps=${JSON.stringify(s.steps)}\n${JSON.stringify(s.bytes.toString('latin1').slice(0, 3000))}`;

const STRUCTURE = new Set(['file_name', 'empty_file', 'not_gzip', 'unexpected_gzip', 'corrupt_gzip', 'utf16', 'invalid_utf8', 'nul_byte', 'control_character',
  'cr_line_ending', 'line_too_long', 'header_mismatch', 'header_only', 'unterminated_quote', 'stray_quote', 'text_after_quote', 'too_few_columns', 'too_many_columns']);

// ---- Properties -----------------------------------------------------------------------------

test('the generated drops and unmutated bases are accepted by the validator and the oracle alike', async () => {
  expect([...generated.keys()].sort()).toEqual(CONTRACTS.map((c) => c.id).sort());
  for (const { contract, file } of generatedDrops) {
    const name = path.basename(file);
    const { report } = await validateDrop(dropFile(file, name), contract, engine);
    expect({ file: name, validator: report.verdict, oracle: judge(contract, name, readFileSync(file)).reason ?? 'accepted' })
      .toEqual({ file: name, validator: 'accepted', oracle: 'accepted' });
  }
  await fc.assert(
    fc.asyncProperty(baseArbitrary(), chunkArbitrary, async (base, chunk) => {
      const content = write(base);
      const bytes = base.contract.file.compression === 'gzip' ? gzipSync(content) : content;
      const s: Scenario = { contract: base.contract, name: VALID_NAMES[base.contract.id] as string, bytes, chunk, steps: [] };
      const verdict = judge(s.contract, s.name, s.bytes);
      const { report } = await validateDrop(dropOf(s), s.contract, engine);
      expect({ oracle: verdict.reason ?? 'accepted', validator: report.verdict, counts: report.counts }).toEqual({ oracle: 'accepted', validator: 'accepted', counts: {} });
      expect(report.rows.read).toBe(base.records.length);
    }),
    { seed: SEED + 20240601, numRuns: 60 },
  );
});

test('(a) on any mutated file validateDrop returns a well-formed report, never throws', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof({ weight: 4, arbitrary: mutatedContent() }, { weight: 1, arbitrary: mutatedGzip() }), async (s) => {
      let result;
      try {
        result = await validateDrop(dropOf(s), s.contract, engine);
      } catch (error) {
        throw new Error(`validateDrop threw ${(error as Error).message.split('\n')[0]} on ${describeScenario(s)}`);
      }
      const { report } = result;
      expect(['accepted', 'rejected']).toContain(report.verdict);
      expect(report.verdict === 'accepted').toBe(Object.keys(report.counts).length === 0);
      for (const [rule, count] of Object.entries(report.counts)) {
        expect(rule in RULE_DESCRIPTIONS).toBe(true);
        expect(Number.isInteger(count) && (count as number) > 0).toBe(true);
      }
      expect(Object.keys(report.rules).sort()).toEqual(Object.keys(report.counts).sort());
      for (const example of report.examples) {
        expect(example.rule in report.counts).toBe(true);
        expect(Number.isInteger(example.line) && example.line >= 1).toBe(true);
      }
      expect(report.rows.accepted + report.rows.rejected).toBeLessThanOrEqual(report.rows.read);
    }),
    { seed: SEED + 1, numRuns: NUM_RUNS },
  );
});

/** Validates the scenario and requires the oracle's verdict; returns both for further checks. */
async function validateAgainstOracle(s: Scenario): Promise<{ verdict: ReturnType<typeof judge>; report: ValidationReport; context: string }> {
  const verdict = judge(s.contract, s.name, s.bytes);
  const { report } = await validateDrop(dropOf(s), s.contract, engine);
  const context = describeScenario(s);
  const oracle = verdict.reason ?? 'accepted';
  expect({ context, oracle, validator: report.verdict, counts: report.counts })
    .toEqual({ context, oracle, validator: verdict.accepted ? 'accepted' : 'rejected', counts: report.counts });
  return { verdict, report, context };
}

test('(b) the verdict is the oracle\'s both ways, and so are the value findings of files that read as records', async () => {
  await fc.assert(
    fc.asyncProperty(mutatedContent(), async (s) => {
      const { verdict, report, context } = await validateAgainstOracle(s);
      if (verdict.values) {
        expect(Object.keys(report.counts).filter((rule) => STRUCTURE.has(rule))).toEqual([]);
        expect({ context, counts: report.counts, examples: report.examples.map((e) => ({ rule: e.rule, line: e.line, ...(e.field ? { field: e.field } : {}) })), read: report.rows.read })
          .toEqual({ context, counts: verdict.values.counts, examples: verdict.values.examples, read: verdict.values.records });
      }
    }),
    { seed: SEED + 2, numRuns: NUM_RUNS },
  );
});

test('(b) on gzip drops with damaged compressed bytes, the verdict is the oracle\'s', async () => {
  await fc.assert(
    fc.asyncProperty(mutatedGzip(), async (s) => {
      await validateAgainstOracle(s);
    }),
    { seed: SEED + 3, numRuns: NUM_RUNS },
  );
});

test('(c) the file is unchanged by validation and its report carries the SHA-256 of its bytes', async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof({ weight: 3, arbitrary: mutatedContent() }, { weight: 1, arbitrary: mutatedGzip() }), async (s) => {
      const drop = dropOf(s);
      const before = sha256(readFileSync(drop.localPath));
      const { report, scan } = await validateDrop(drop, s.contract, engine);
      expect(sha256(readFileSync(drop.localPath))).toBe(before);
      expect(before).toBe(sha256(s.bytes));
      expect([report.file.sha256, scan.sha256, report.file.bytes]).toEqual([before, before, s.bytes.length]);
    }),
    { seed: SEED + 4, numRuns: NUM_RUNS },
  );
});

test('the structural pass finds the same, however the bytes are split into chunks', async () => {
  await fc.assert(
    fc.asyncProperty(mutatedContent(), fc.integer({ min: 1, max: 9 }), async (s, size) => {
      async function* whole(): AsyncIterable<Uint8Array> {
        yield s.bytes;
      }
      async function* chunks(): AsyncIterable<Uint8Array> {
        for (let i = 0; i < s.bytes.length; i += size) yield s.bytes.subarray(i, i + size);
      }
      const [a, b] = [await scanDrop(whole(), s.contract), await scanDrop(chunks(), s.contract)];
      expect({ context: describeScenario(s), structure: b }).toEqual({ context: describeScenario(s), structure: a });
    }),
    { seed: SEED + 5, numRuns: NUM_RUNS * 2 },
  );
});
