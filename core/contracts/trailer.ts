/**
 * A contract's control trailer (`file.trailer`): one template both writes the line (the
 * generator, a partner's tooling) and reads the count back (validation).
 */
export interface Trailer {
  /** The trailer line for this many records, without its line ending. */
  write(records: number): string;
  /** The count a line states, or null when the line is not this trailer. */
  read(line: string): number | null;
}

const PLACEHOLDER = '{records}';

export function compileTrailer(template: string): Trailer {
  const at = template.indexOf(PLACEHOLDER);
  const before = template.slice(0, at);
  const after = template.slice(at + PLACEHOLDER.length);
  return {
    write: (records) => `${before}${records}${after}`,
    read: (line) => {
      if (!line.startsWith(before) || !line.endsWith(after) || line.length < before.length + after.length + 1) return null;
      const count = line.slice(before.length, line.length - after.length);
      return /^\d{1,15}$/.test(count) ? Number(count) : null;
    },
  };
}
