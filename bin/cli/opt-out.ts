/** `c2c opt-out add`: registers people who asked to be left out; they leave linked/ at the next `c2c link`. */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import { lakeLocations, openLocalLake } from '../../adapters/lake/local-lake';
import { OptOutRequestError, parseOptOutRequests, registerOptOutRequests } from '../../core/identity/opt-out';
import { UsageError } from './errors';

export function registerOptOut(program: Command): void {
  const optOut = program.command('opt-out').description('The opt-out registry: people left out of the linked data and everything derived from it.');
  optOut.command('add')
    .description('Register the people in a CSV (first_name, last_name, birth_date YYYY-MM-DD; optionally middle_name, ssn, gender); the next `c2c link` leaves them out.')
    .requiredOption('--lake <dir>', 'the lake folder (zones as sub-folders)')
    .requiredOption('--file <people.csv>', 'one person per line, with a header row')
    .action(async (opts: { lake: string; file: string }) => {
      if (!existsSync(path.join(opts.lake, 'identity'))) throw new UsageError(`${opts.lake} is not a lake (no identity/ zone)`);
      if (!existsSync(opts.file)) throw new UsageError(`${opts.file} does not exist`);
      let records: Array<Record<string, string>>;
      let header: string[] = [];
      try {
        records = parse(readFileSync(opts.file), { columns: (names: string[]) => (header = names.map((n) => n.trim())), skip_empty_lines: true, bom: true }) as Array<Record<string, string>>;
      } catch (error) {
        // csv-parse's messages can quote the file's values, which are PII.
        throw new UsageError(`${opts.file} is not a readable CSV (${(error as { code?: string }).code ?? 'parse error'})`);
      }
      let requests;
      try {
        requests = parseOptOutRequests(header, records, randomUUID);
      } catch (error) {
        if (error instanceof OptOutRequestError) throw new UsageError(`${opts.file}: ${error.message}`);
        throw error;
      }
      const lake = await openLocalLake(opts.lake);
      try {
        const location = await registerOptOutRequests(lake.engine, lakeLocations(lake.store.root), requests, new Date());
        console.log(`Registered ${requests.length} opt-out request${requests.length > 1 ? 's' : ''} in ${location}; run c2c link --lake ${opts.lake} to leave them out of linked/ and everything derived from it.`);
      } finally {
        await lake.close();
      }
    });
}
