/**
 * The first pass over a drop as delivered: its SHA-256 (of the bytes received), its compression
 * as the contract declares it, and the structural pass over the content (with, optionally, the
 * values of each record), all while streaming, in bounded memory.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { compileTrailer, type Trailer } from '../contracts/trailer';
import type { Contract } from '../contracts/types';
import type { StructureRule } from './rules';
import { DEFAULT_STRUCTURE_LIMITS, StructureScanner, type RecordSink, type StructureLimits, type StructureResult } from './structure';

export interface ScanResult {
  readonly sha256: string;
  readonly bytes: number;
  readonly compression: 'gzip' | 'none';
  /** The content but its control trailer, where the contract declares one. */
  readonly structure: StructureResult;
  /** For a contract with a control trailer: the last line's bytes and the count it states (null: it is no trailer). */
  readonly trailer: { readonly bytes: number; readonly records: number | null } | null;
}

/** Longer than any control trailer: a last line longer than this is not one. */
const TRAILER_BYTES = 4096;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Passes the content on to the structural pass but for its last TRAILER_BYTES, which are held
 * until the end: then everything before the last line goes on, and the last line is the trailer.
 */
class TrailerHeldBack {
  private tail: Uint8Array = new Uint8Array(0);
  private forwarded = false;

  constructor(private readonly scanner: StructureScanner, private readonly trailer: Trailer) {}

  push(chunk: Uint8Array): void {
    const joined = chunk.length >= TRAILER_BYTES ? chunk : Buffer.concat([this.tail, chunk]);
    if (joined === chunk) this.forward(this.tail);
    if (joined.length <= TRAILER_BYTES) {
      this.tail = joined;
      return;
    }
    this.forward(joined.subarray(0, joined.length - TRAILER_BYTES));
    this.tail = joined.slice(joined.length - TRAILER_BYTES);
  }

  /** Sends the rest on; returns the trailer line's size and count. */
  finish(): { bytes: number; records: number | null } {
    const tail = this.tail;
    const lineEnd = tail[tail.length - 1] === LF ? tail.length - 1 : tail.length;
    const cut = lineEnd > 0 ? tail.lastIndexOf(LF, lineEnd - 1) : -1;
    if (cut < 0 && this.forwarded) {
      // The last line is longer than any trailer.
      this.forward(tail);
      return { bytes: 0, records: null };
    }
    this.forward(tail.subarray(0, cut + 1));
    const line = tail.subarray(cut + 1, tail[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd);
    return { bytes: tail.length - cut - 1, records: this.trailer.read(Buffer.from(line).toString('utf8')) };
  }

  private forward(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.forwarded = true;
    this.scanner.push(bytes);
  }
}

const GZIP_MAGIC = [0x1f, 0x8b];

function isGzip(start: Uint8Array): boolean {
  return start[0] === GZIP_MAGIC[0] && start[1] === GZIP_MAGIC[1];
}

/** A structure result that is only one file-level finding (the content could not be read at all). */
function unreadable(rule: StructureRule, base?: StructureResult): StructureResult {
  const counts = { ...(base?.counts ?? {}), [rule]: ((base?.counts ?? {})[rule] ?? 0) + 1 };
  return {
    bytes: base?.bytes ?? 0, lines: base?.lines ?? 0, records: base?.records ?? 0, header: base?.header ?? null,
    byteOrderMark: base?.byteOrderMark ?? false, lineEndings: base?.lineEndings ?? { lf: 0, crlf: 0 }, lineShifts: base?.lineShifts ?? [],
    counts, findings: [...(base?.findings ?? []), { rule, line: Math.max(1, base?.lines ?? 1) }],
  };
}

/** `records`, if given, receives every record while the file's structure is sound (see RecordSink). */
export async function scanDrop(
  source: AsyncIterable<Uint8Array>, contract: Contract, limits: StructureLimits = DEFAULT_STRUCTURE_LIMITS, records: RecordSink | null = null,
): Promise<ScanResult> {
  const hash = createHash('sha256');
  let bytes = 0;
  async function* hashed(): AsyncIterable<Uint8Array> {
    for await (const chunk of source) {
      hash.update(chunk);
      bytes += chunk.length;
      yield chunk;
    }
  }
  const scanner = new StructureScanner(contract.dialect, contract.schema.fields.length, limits, records);
  const heldBack = contract.file.trailer === undefined ? null : new TrailerHeldBack(scanner, compileTrailer(contract.file.trailer));
  const push = (chunk: Uint8Array): void => (heldBack ? heldBack.push(chunk) : scanner.push(chunk));
  const declaredGzip = contract.file.compression === 'gzip';
  let trailer: ScanResult['trailer'] = null;
  const done = (structure: StructureResult): ScanResult => ({
    sha256: hash.digest('hex'), bytes, compression: declaredGzip ? 'gzip' : 'none', structure, trailer,
  });
  /** The structural pass's end, once all content is pushed. */
  const finish = (): StructureResult => {
    if (heldBack) trailer = heldBack.finish();
    return scanner.finish();
  };

  const input = hashed()[Symbol.asyncIterator]();
  // Chunks until there are two bytes to tell gzip by, however the source splits them.
  const head: Uint8Array[] = [];
  for (let held = 0; held < GZIP_MAGIC.length;) {
    const next = await input.next();
    if (next.done) break;
    head.push(next.value);
    held += next.value.length;
  }
  const rest: AsyncIterable<Uint8Array> = {
    async *[Symbol.asyncIterator]() {
      yield* head;
      for (let next = await input.next(); !next.done; next = await input.next()) yield next.value;
    },
  };
  if (declaredGzip !== isGzip(Buffer.concat(head))) {
    // Read the rest anyway: the hash covers every byte received.
    for await (const chunk of rest) void chunk;
    if (bytes === 0) return done(scanner.finish());
    return done(unreadable(declaredGzip ? 'not_gzip' : 'unexpected_gzip'));
  }
  if (!declaredGzip) {
    for await (const chunk of rest) push(chunk);
    return done(finish());
  }
  const gunzip = createGunzip();
  try {
    await pipeline(Readable.from(rest), gunzip, async (content: AsyncIterable<Buffer>) => {
      for await (const chunk of content) push(chunk);
    });
  } catch {
    // zlib's own words ("unexpected end of file") are not the steward's; the rule says it.
    for await (const chunk of rest) void chunk;
    // What came before the last line is judged as content; the last line, cut or not, is no trailer to trust.
    heldBack?.finish();
    return done(unreadable('corrupt_gzip', scanner.finish(true)));
  }
  // zlib quietly ignores zero bytes after the last member; the engine's reader fails on them.
  if (gunzip.bytesWritten !== bytes) return done(unreadable('corrupt_gzip', finish()));
  return done(finish());
}
