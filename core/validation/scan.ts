/**
 * The first pass over a drop as delivered: its SHA-256 (of the bytes received), its compression
 * as the contract declares it, and the structural pass over the content (with, optionally, the
 * values of each record), all while streaming, in bounded memory.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import type { Contract } from '../contracts/types';
import type { StructureRule } from './rules';
import { DEFAULT_STRUCTURE_LIMITS, StructureScanner, type RecordSink, type StructureLimits, type StructureResult } from './structure';

export interface ScanResult {
  readonly sha256: string;
  readonly bytes: number;
  readonly compression: 'gzip' | 'none';
  readonly structure: StructureResult;
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
  const declaredGzip = contract.file.compression === 'gzip';
  const done = (structure: StructureResult): ScanResult => ({
    sha256: hash.digest('hex'), bytes, compression: declaredGzip ? 'gzip' : 'none', structure,
  });

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
    for await (const chunk of rest) scanner.push(chunk);
    return done(scanner.finish());
  }
  const gunzip = createGunzip();
  try {
    await pipeline(Readable.from(rest), gunzip, async (content: AsyncIterable<Buffer>) => {
      for await (const chunk of content) scanner.push(chunk);
    });
  } catch {
    // zlib's own words ("unexpected end of file") are not the steward's; the rule says it.
    for await (const chunk of rest) void chunk;
    return done(unreadable('corrupt_gzip', scanner.finish(true)));
  }
  // zlib quietly ignores zero bytes after the last member; the engine's reader fails on them.
  if (gunzip.bytesWritten !== bytes) return done(unreadable('corrupt_gzip', scanner.finish()));
  return done(scanner.finish());
}
