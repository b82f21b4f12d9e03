/**
 * Postsecondary institutions. The UC and CSU campuses are the real ones (with the county each is
 * in); community colleges and private (AICCU) institutions are a synthetic directory spread over
 * counties by population, since only their code and county matter to the platform.
 */
import { COUNTIES, countyByName, type County } from './california';

export type Segment = 'CCC' | 'CSU' | 'UC' | 'PRIVATE';

export interface Institution {
  readonly segment: Segment;
  /** The code the segment's own files use for the institution. */
  readonly code: string;
  readonly name: string;
  readonly county: County;
  /** Relative size, used to spread students over campuses. */
  readonly weight: number;
}

const UC_CAMPUSES: ReadonlyArray<readonly [string, string, string, number]> = [
  ['BK', 'UC Berkeley', 'Alameda', 32],
  ['DV', 'UC Davis', 'Yolo', 31],
  ['IR', 'UC Irvine', 'Orange', 29],
  ['LA', 'UCLA', 'Los Angeles', 32],
  ['MC', 'UC Merced', 'Merced', 8],
  ['RV', 'UC Riverside', 'Riverside', 23],
  ['SD', 'UC San Diego', 'San Diego', 33],
  ['SB', 'UC Santa Barbara', 'Santa Barbara', 23],
  ['SC', 'UC Santa Cruz', 'Santa Cruz', 18],
];

const CSU_CAMPUSES: ReadonlyArray<readonly [string, string, string, number]> = [
  ['BAK', 'CSU Bakersfield', 'Kern', 9],
  ['CI', 'CSU Channel Islands', 'Ventura', 6],
  ['CHI', 'Chico State', 'Butte', 14],
  ['DH', 'CSU Dominguez Hills', 'Los Angeles', 15],
  ['EB', 'CSU East Bay', 'Alameda', 12],
  ['FRE', 'Fresno State', 'Fresno', 23],
  ['FUL', 'CSU Fullerton', 'Orange', 38],
  ['HUM', 'Cal Poly Humboldt', 'Humboldt', 5],
  ['LB', 'CSU Long Beach', 'Los Angeles', 36],
  ['LA', 'Cal State LA', 'Los Angeles', 24],
  ['MAR', 'Cal Maritime', 'Solano', 1],
  ['MB', 'CSU Monterey Bay', 'Monterey', 7],
  ['NOR', 'CSU Northridge', 'Los Angeles', 36],
  ['POM', 'Cal Poly Pomona', 'Los Angeles', 27],
  ['SAC', 'Sacramento State', 'Sacramento', 31],
  ['SB', 'CSU San Bernardino', 'San Bernardino', 19],
  ['SD', 'San Diego State', 'San Diego', 35],
  ['SF', 'San Francisco State', 'San Francisco', 25],
  ['SJ', 'San Jose State', 'Santa Clara', 33],
  ['SLO', 'Cal Poly San Luis Obispo', 'San Luis Obispo', 21],
  ['SM', 'CSU San Marcos', 'San Diego', 16],
  ['SON', 'Sonoma State', 'Sonoma', 7],
  ['STA', 'Stanislaus State', 'Stanislaus', 10],
];

/** Spreads `total` units over counties by population (largest remainder), skipping the smallest. */
function spreadOverCounties(total: number, minPopulationThousands: number): Array<{ county: County; count: number }> {
  const eligible = COUNTIES.filter((c) => c.populationThousands >= minPopulationThousands);
  const population = eligible.reduce((sum, c) => sum + c.populationThousands, 0);
  const shares = eligible.map((county) => {
    const exact = (total * county.populationThousands) / population;
    return { county, count: Math.floor(exact), remainder: exact - Math.floor(exact) };
  });
  let missing = total - shares.reduce((sum, s) => sum + s.count, 0);
  for (const share of [...shares].sort((a, b) => b.remainder - a.remainder || a.county.code.localeCompare(b.county.code))) {
    if (missing-- <= 0) break;
    share.count += 1;
  }
  return shares.filter((s) => s.count > 0).map(({ county, count }) => ({ county, count }));
}

function synthesize(segment: Segment, total: number, minPopulation: number, label: string, code: (i: number) => string): Institution[] {
  const result: Institution[] = [];
  for (const { county, count } of spreadOverCounties(total, minPopulation)) {
    for (let k = 1; k <= count; k++) {
      result.push({ segment, code: code(result.length), name: `${county.name} ${label} ${k}`, county, weight: 1 });
    }
  }
  return result;
}

function named(segment: Segment, rows: ReadonlyArray<readonly [string, string, string, number]>): Institution[] {
  return rows.map(([code, name, county, weight]) => ({ segment, code, name, county: countyByName(county), weight }));
}

export const INSTITUTIONS: Readonly<Record<Segment, readonly Institution[]>> = {
  UC: named('UC', UC_CAMPUSES),
  CSU: named('CSU', CSU_CAMPUSES),
  // 116 colleges, as in the California Community Colleges system; codes are 3 digits as in MIS.
  CCC: synthesize('CCC', 116, 40, 'Community College', (i) => String(111 + i * 7).padStart(3, '0')),
  // About 85 AICCU member institutions; codes are 6-digit IPEDS-style unit ids.
  PRIVATE: synthesize('PRIVATE', 85, 150, 'Private College', (i) => String(110000 + i * 37)),
};
