/** Calendar arithmetic on day numbers (days since 1970-01-01, UTC), the generator's time unit. */
const MS_PER_DAY = 86400000;

export function dayOf(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / MS_PER_DAY;
}

/** ISO texts are asked for tens of millions of times over a few thousand distinct days: memoized by day. */
const isoCache: string[] = [];
/** Day numbers are negative before 1970; the cache is indexed from 1900. */
const CACHE_ORIGIN = dayOf(1900, 1, 1);

export function isoOf(day: number): string {
  const slot = day - CACHE_ORIGIN;
  let iso = isoCache[slot];
  if (iso === undefined) {
    iso = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
    if (slot >= 0 && slot < 80000) isoCache[slot] = iso;
  }
  return iso;
}

/** Whole years of age, to within a day of the birthday: precise enough for simulating work. */
export function approximateAge(birth: number, day: number): number {
  return Math.floor((day - birth) / 365.2425);
}

/** `2019-20` for the school year starting in fall 2019. */
export function schoolYear(fallYear: number): string {
  return `${fallYear}-${String((fallYear + 1) % 100).padStart(2, '0')}`;
}
