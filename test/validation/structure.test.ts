/** The structural pass: each malformation found at its line (and value), in any chunking. */
import { StructureScanner, type StructureResult } from '../../core/validation/structure';
import type { CsvDialect } from '../../core/contracts/types';

const COMMA: CsvDialect = {
  delimiter: ',', quoteChar: '"', doubleQuote: true, header: true, lineTerminator: '\n', quoting: 'minimal', encoding: 'utf-8', byteOrderMark: false,
};

function scan(bytes: Buffer | string, options: { fields?: number; dialect?: CsvDialect; chunk?: number; maxLineBytes?: number } = {}): StructureResult {
  const data = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes;
  const scanner = new StructureScanner(options.dialect ?? COMMA, options.fields ?? 3, { maxLineBytes: options.maxLineBytes ?? 1 << 20, examplesPerRule: 10 });
  const size = options.chunk ?? data.length;
  for (let i = 0; i < data.length; i += size) scanner.push(data.subarray(i, i + size));
  return scanner.finish();
}

const findings = (r: StructureResult): Array<[string, number, number | undefined]> => r.findings.map((f) => [f.rule, f.line, f.column]);

describe.each([1, 2, 3, 7, 1 << 16])('read in chunks of %i bytes', (chunk) => {
  test('a well-formed file: header, records, line count, no findings', () => {
    const r = scan('a,b,c\n1,"x, y",3\n2,"say ""hi""",4\n', { chunk });
    expect(r.header).toEqual(['a', 'b', 'c']);
    expect([r.records, r.lines, r.findings.length]).toEqual([2, 3, 0]);
    expect(r.lineEndings).toEqual({ lf: 3, crlf: 0 });
  });

  test('CRLF line endings are counted as such; a quoted header is decoded', () => {
    const r = scan('"a","b","c"\r\n"1","2","3"\r\n', { chunk });
    expect(r.header).toEqual(['a', 'b', 'c']);
    expect(r.lineEndings).toEqual({ lf: 0, crlf: 2 });
    expect(r.findings).toEqual([]);
  });

  test('an unterminated quote is reported at the line where it opens, not merged silently', () => {
    const r = scan('a,b,c\n1,x,2\n2,"y,3\n3,z,4\n', { chunk });
    expect(findings(r)).toEqual([['unterminated_quote', 3, 2]]);
  });

  test('ragged rows: too few and too many values, at their lines', () => {
    const r = scan('a,b,c\n1,2,3\n1,2\n1,2,3,4\n', { chunk });
    expect(findings(r)).toEqual([['too_few_columns', 3, 2], ['too_many_columns', 4, 4]]);
  });

  test('a stray quote inside an unquoted value, and text after a closing quote', () => {
    const r = scan('a,b,c\n1,ab"c,3\n1,"ab"c,3\n', { chunk });
    expect(findings(r)).toEqual([['stray_quote', 2, 2], ['text_after_quote', 3, 2]]);
  });

  test('bare CR line endings', () => {
    const r = scan('a,b,c\r1,2,3\r', { chunk });
    expect(r.findings.map((f) => f.rule)).toEqual(['cr_line_ending', 'cr_line_ending']);
  });

  test('a value spanning lines shifts the line numbers of the records after it', () => {
    const r = scan('a,b,c\n1,"x\ny",3\n2,3,4\n5,"p\nq\nr",6\n7,8,9\n', { chunk });
    expect([r.records, r.lines]).toEqual([4, 8]);
    expect(r.lineShifts).toEqual([[1, 1], [3, 3]]);
    expect(r.findings).toEqual([]);
  });

  test('multi-byte UTF-8 split across chunks is fine; Latin-1 bytes are not', () => {
    expect(scan('a,b,c\n1,José Núñez,3\n', { chunk }).findings).toEqual([]);
    const latin1 = Buffer.concat([Buffer.from('a,b,c\n1,Jos'), Buffer.from([0xe9]), Buffer.from(',3\n')]);
    expect(findings(scan(latin1, { chunk }))).toEqual([['invalid_utf8', 2, 2]]);
  });
});

test('a UTF-8 byte order mark is tolerated and noted; UTF-16 is rejected at once', () => {
  const bom = scan(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('a,b,c\n1,2,3\n')]));
  expect([bom.byteOrderMark, bom.header, bom.findings]).toEqual([true, ['a', 'b', 'c'], []]);
  const utf16 = scan(Buffer.from('\ufeffa,b,c\n1,2,3\n', 'utf16le'));
  expect(findings(utf16)).toEqual([['utf16', 1, undefined]]);
});

test('NUL bytes and other control characters', () => {
  expect(findings(scan('a,b,c\n1,\u0000,3\n2,\u0007,4\n'))).toEqual([['nul_byte', 2, 2], ['control_character', 3, 2]]);
});

test('empty file, BOM-only file and header-only file', () => {
  expect(findings(scan(''))).toEqual([['empty_file', 1, undefined]]);
  expect(findings(scan(Buffer.from([0xef, 0xbb, 0xbf])))).toEqual([['empty_file', 1, undefined]]);
  expect(findings(scan('a,b,c\n'))).toEqual([['header_only', 1, undefined]]);
});

test('the last record may lack a line break', () => {
  const r = scan('a,b,c\n1,2,3');
  expect([r.records, r.lines, r.findings]).toEqual([1, 2, []]);
});

test('an over-long line is reported once, at its line', () => {
  const r = scan(`a,b,c\n1,${'x'.repeat(200)},3\n2,3,4\n`, { maxLineBytes: 100 });
  expect(findings(r)).toEqual([['line_too_long', 2, undefined]]);
});

test('an over-long last value is reported however the file ends and is chunked', () => {
  // The long run of ordinary bytes is where the scanner skips ahead: it must stop at the limit.
  for (const chunk of [7, 64, 1 << 16]) {
    const unended = scan(`a,b,c\n1,2,${'x'.repeat(300)}`, { maxLineBytes: 100, chunk });
    expect(findings(unended)).toEqual([['line_too_long', 2, undefined]]);
    const ended = scan(`a,b,c\n1,2,${'x'.repeat(300)}\n`, { maxLineBytes: 100, chunk });
    expect(findings(ended)).toEqual([['line_too_long', 2, undefined]]);
  }
});

test('tab and pipe delimiters', () => {
  const tab = { ...COMMA, delimiter: '\t' };
  expect(scan('a\tb\tc\n1\tx,y\t3\n', { dialect: tab }).findings).toEqual([]);
  expect(findings(scan('a|b|c\n1|2\n', { dialect: { ...COMMA, delimiter: '|' } }))).toEqual([['too_few_columns', 2, 2]]);
});

test('findings beyond the example limit are counted, not kept', () => {
  const body = Array.from({ length: 25 }, () => '1,2\n').join('');
  const r = scan(`a,b,c\n${body}`);
  expect(r.counts.too_few_columns).toBe(25);
  expect(r.findings.length).toBe(10);
});
