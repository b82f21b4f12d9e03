/** Reads the public name-frequency files in reference-data/names for the generator. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { FirstNameFrequency, NameFrequencies, SurnameFrequency } from '../../core/generator/names';

export const DEFAULT_NAMES_DIR = path.resolve(__dirname, '../../reference-data/names');

function percent(text: string | undefined): number | null {
  return text === undefined || text === '(S)' || text === '' ? null : Number(text);
}

export function loadNameFrequencies(dir: string = DEFAULT_NAMES_DIR): NameFrequencies {
  const firstRows = parse(readFileSync(path.join(dir, 'ssa_first_names_2010.csv')), { columns: ['name', 'sex', 'count'], skip_empty_lines: true }) as Array<Record<string, string>>;
  const firstNames: FirstNameFrequency[] = firstRows.map((row, i) => {
    const sex = row.sex;
    const count = Number(row.count);
    if ((sex !== 'F' && sex !== 'M') || !Number.isFinite(count) || !row.name) {
      throw new Error(`ssa_first_names_2010.csv line ${i + 1}: expected name,F|M,count`);
    }
    return { name: row.name, sex, count };
  });
  const surnameRows = parse(readFileSync(path.join(dir, 'census_surnames_2010_top.csv')), { columns: true, skip_empty_lines: true }) as Array<Record<string, string>>;
  const surnames: SurnameFrequency[] = surnameRows.map((row) => ({
    name: row.name as string,
    count: Number(row.count),
    percentByRace: {
      white: percent(row.pctwhite), black: percent(row.pctblack), api: percent(row.pctapi),
      aian: percent(row.pctaian), two_or_more: percent(row.pct2prace), hispanic: percent(row.pcthispanic),
    },
  }));
  return { firstNames, surnames };
}
