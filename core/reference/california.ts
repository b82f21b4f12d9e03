/**
 * California geography used across the platform: the 58 counties (CDS county codes, which are
 * alphabetical 01–58) with 2020 Census populations in thousands, grouped into the ten regions the
 * Census Bureau and the Department of Finance use for California.
 */
export const REGIONS = [
  'Superior California',
  'North Coast',
  'San Francisco Bay Area',
  'Northern San Joaquin Valley',
  'Central Coast',
  'Southern San Joaquin Valley',
  'Inland Empire',
  'Los Angeles County',
  'Orange County',
  'San Diego-Imperial',
] as const;
export type Region = (typeof REGIONS)[number];

export interface County {
  /** Two-digit CDS county code. */
  readonly code: string;
  readonly name: string;
  readonly region: Region;
  /** 2020 Census population, thousands. Drives where synthetic people live. */
  readonly populationThousands: number;
}

const COUNTY_ROWS: ReadonlyArray<readonly [string, Region, number]> = [
  ['Alameda', 'San Francisco Bay Area', 1682],
  ['Alpine', 'Northern San Joaquin Valley', 1.2],
  ['Amador', 'Northern San Joaquin Valley', 41],
  ['Butte', 'Superior California', 212],
  ['Calaveras', 'Northern San Joaquin Valley', 46],
  ['Colusa', 'Superior California', 22],
  ['Contra Costa', 'San Francisco Bay Area', 1166],
  ['Del Norte', 'North Coast', 28],
  ['El Dorado', 'Superior California', 192],
  ['Fresno', 'Southern San Joaquin Valley', 1008],
  ['Glenn', 'Superior California', 29],
  ['Humboldt', 'North Coast', 136],
  ['Imperial', 'San Diego-Imperial', 180],
  ['Inyo', 'Southern San Joaquin Valley', 19],
  ['Kern', 'Southern San Joaquin Valley', 909],
  ['Kings', 'Southern San Joaquin Valley', 153],
  ['Lake', 'North Coast', 68],
  ['Lassen', 'Superior California', 33],
  ['Los Angeles', 'Los Angeles County', 10014],
  ['Madera', 'Northern San Joaquin Valley', 157],
  ['Marin', 'San Francisco Bay Area', 262],
  ['Mariposa', 'Northern San Joaquin Valley', 17],
  ['Mendocino', 'North Coast', 91],
  ['Merced', 'Northern San Joaquin Valley', 281],
  ['Modoc', 'Superior California', 9],
  ['Mono', 'Northern San Joaquin Valley', 13],
  ['Monterey', 'Central Coast', 439],
  ['Napa', 'North Coast', 138],
  ['Nevada', 'Superior California', 102],
  ['Orange', 'Orange County', 3186],
  ['Placer', 'Superior California', 405],
  ['Plumas', 'Superior California', 20],
  ['Riverside', 'Inland Empire', 2418],
  ['Sacramento', 'Superior California', 1585],
  ['San Benito', 'Central Coast', 64],
  ['San Bernardino', 'Inland Empire', 2181],
  ['San Diego', 'San Diego-Imperial', 3298],
  ['San Francisco', 'San Francisco Bay Area', 874],
  ['San Joaquin', 'Northern San Joaquin Valley', 779],
  ['San Luis Obispo', 'Central Coast', 283],
  ['San Mateo', 'San Francisco Bay Area', 764],
  ['Santa Barbara', 'Central Coast', 448],
  ['Santa Clara', 'San Francisco Bay Area', 1936],
  ['Santa Cruz', 'Central Coast', 270],
  ['Shasta', 'Superior California', 182],
  ['Sierra', 'Superior California', 3.2],
  ['Siskiyou', 'Superior California', 44],
  ['Solano', 'San Francisco Bay Area', 453],
  ['Sonoma', 'North Coast', 488],
  ['Stanislaus', 'Northern San Joaquin Valley', 552],
  ['Sutter', 'Superior California', 99],
  ['Tehama', 'Superior California', 65],
  ['Trinity', 'North Coast', 16],
  ['Tulare', 'Southern San Joaquin Valley', 473],
  ['Tuolumne', 'Northern San Joaquin Valley', 55],
  ['Ventura', 'Central Coast', 843],
  ['Yolo', 'Superior California', 217],
  ['Yuba', 'Superior California', 81],
];

export const COUNTIES: readonly County[] = COUNTY_ROWS.map(([name, region, populationThousands], i) => ({
  code: String(i + 1).padStart(2, '0'),
  name,
  region,
  populationThousands,
}));

const COUNTY_BY_NAME = new Map(COUNTIES.map((c) => [c.name, c]));

export function countyByName(name: string): County {
  const county = COUNTY_BY_NAME.get(name);
  if (!county) throw new Error(`unknown California county "${name}"`);
  return county;
}
