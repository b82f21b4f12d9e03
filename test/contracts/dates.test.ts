import { compileDateFormat, isCalendarDate } from '../../core/contracts/dates';

describe('isCalendarDate', () => {
  it.each([
    [2024, 2, 29, true], // divisible by 4
    [2023, 2, 29, false],
    [2000, 2, 29, true], // divisible by 400
    [1900, 2, 29, false], // divisible by 100, not by 400
    [2023, 2, 28, true],
    [2023, 4, 30, true],
    [2023, 4, 31, false],
    [2023, 12, 31, true],
    [2023, 13, 1, false],
    [2023, 0, 1, false],
    [2023, 1, 0, false],
    [2023, 1, 32, false],
  ])('%i-%i-%i is %s', (y, m, d, expected) => {
    expect(isCalendarDate(y, m, d)).toBe(expected);
  });
});

describe('compileDateFormat: default (ISO)', () => {
  const iso = compileDateFormat('default');

  it('keeps its pattern name', () => {
    expect(iso.pattern).toBe('default');
  });

  it.each([
    ['2024-02-29', '2024-02-29'],
    ['2000-02-29', '2000-02-29'],
    ['1999-12-31', '1999-12-31'],
    ['2023-04-30', '2023-04-30'],
  ])('parses %s', (text, expected) => {
    expect(iso.parse(text)).toBe(expected);
  });

  it.each([
    ['2023-02-29', 'Feb 29 in a non-leap year'],
    ['1900-02-29', 'Feb 29 in a century non-leap year'],
    ['2023-13-01', 'month 13'],
    ['2023-00-10', 'month 0'],
    ['2023-04-31', 'day 31 in April'],
    ['2023-01-00', 'day 0'],
    ['2023/01/05', 'wrong separators'],
    ['20230105', 'no separators'],
    ['2023-1-05', 'short month'],
    ['2023-01-5', 'short day'],
    ['23-01-05', 'short year'],
    ['2023-01-05 ', 'trailing space'],
    [' 2023-01-05', 'leading space'],
    ['2023-01-05\n', 'trailing newline'],
    ['2023-01-05T00:00', 'time part'],
    ['x2023-01-05', 'leading text'],
    ['２０２３-01-05', 'full-width digits'],
    ['', 'empty text'],
  ])('rejects %j (%s)', (text) => {
    expect(iso.parse(text)).toBeNull();
  });

  it('formats ISO as ISO', () => {
    expect(iso.format('2024-02-29')).toBe('2024-02-29');
  });
});

describe('compileDateFormat: %Y%m%d', () => {
  const compact = compileDateFormat('%Y%m%d');

  it.each([
    ['20240229', '2024-02-29'],
    ['19991231', '1999-12-31'],
    ['20000101', '2000-01-01'],
  ])('parses %s as %s', (text, expected) => {
    expect(compact.parse(text)).toBe(expected);
  });

  it.each(['20230229', '20231301', '20230431', '2023-01-05', '2023015', '202301050', '2023O105', '20230105x'])('rejects %j', (text) => {
    expect(compact.parse(text)).toBeNull();
  });

  it('formats an ISO date', () => {
    expect(compact.format('2019-07-04')).toBe('20190704');
  });
});

describe('compileDateFormat: %m/%d/%Y', () => {
  const us = compileDateFormat('%m/%d/%Y');

  it.each([
    ['02/29/2024', '2024-02-29'],
    ['12/31/1999', '1999-12-31'],
    ['07/04/2019', '2019-07-04'],
  ])('parses %s as %s', (text, expected) => {
    expect(us.parse(text)).toBe(expected);
  });

  it.each([
    ['02/29/2023', 'non-leap Feb 29'],
    ['13/01/2023', 'month 13'],
    ['04/31/2023', 'April 31'],
    ['31/12/2023', 'day first'],
    ['7/4/2019', 'short digits'],
    ['07-04-2019', 'wrong separators'],
    ['07/04/19', 'two-digit year'],
    ['07/04/2019/', 'extra separator'],
    ['07/04/20190', 'extra digit'],
  ])('rejects %j (%s)', (text) => {
    expect(us.parse(text)).toBeNull();
  });

  it('formats an ISO date', () => {
    expect(us.format('2019-07-04')).toBe('07/04/2019');
  });
});

describe('round trips', () => {
  // Every day of a leap year and of a non-leap year, plus century edges.
  const days: string[] = [];
  for (const year of [1900, 2000, 2023, 2024]) {
    for (let month = 1; month <= 12; month++) {
      for (let day = 1; day <= 31; day++) {
        if (isCalendarDate(year, month, day)) {
          days.push(`${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`);
        }
      }
    }
  }

  it('covers 4 years of days', () => {
    expect(days).toHaveLength(365 + 366 + 365 + 366);
  });

  it.each(['%Y%m%d', '%m/%d/%Y', 'default', '%d.%m.%Y', '%Y-%d-%m'])('parse(format(iso)) === iso for %s', (pattern) => {
    const format = compileDateFormat(pattern);
    for (const day of days) {
      const text = format.format(day);
      expect(format.parse(text)).toBe(day);
    }
  });

  it.each([
    ['%Y%m%d', '20240229'],
    ['%m/%d/%Y', '02/29/2024'],
    ['default', '2024-02-29'],
  ])('format(parse(text)) === text for %s', (pattern, text) => {
    const format = compileDateFormat(pattern);
    expect(format.format(format.parse(text) as string)).toBe(text);
  });
});

describe('format rejects what is not an ISO calendar date', () => {
  const compact = compileDateFormat('%Y%m%d');

  it.each([
    ['2023-02-29', 'no such day'],
    ['2023-13-01', 'month 13'],
    ['2023-1-5', 'short parts'],
    ['20230105', 'not ISO'],
    ['01/05/2023', 'US text'],
    ['', 'empty'],
  ])('%j (%s)', (text) => {
    expect(() => compact.format(text)).toThrow(/ISO calendar date/);
  });
});

describe('pattern errors', () => {
  it.each(['%y%m%d', '%Y-%b-%d', '%Y%m%d%H', '%Y-%m-%e', '%Y%m%d%'])('unsupported directive in %j', (pattern) => {
    expect(() => compileDateFormat(pattern)).toThrow(/unsupported directive/);
  });

  it('names the unsupported directive', () => {
    expect(() => compileDateFormat('%Y-%j')).toThrow('%j');
  });

  it.each([
    ['%Y%m', 'missing day'],
    ['%m/%d', 'missing year'],
    ['%Y-%d', 'missing month'],
    ['', 'empty'],
    ['YYYY-MM-DD', 'no directives'],
    ['%Y%m%d%d', 'duplicate day'],
    ['%Y/%Y/%m/%d', 'duplicate year'],
    ['%m%m%Y%d', 'duplicate month'],
  ])('%j (%s) needs exactly one of each', (pattern) => {
    expect(() => compileDateFormat(pattern)).toThrow(/exactly one each of %Y, %m and %d/);
  });

  it('%% is a literal percent sign', () => {
    const format = compileDateFormat('%Y%%%m%%%d');
    expect(format.parse('2024%02%29')).toBe('2024-02-29');
    expect(format.parse('2024%%02%29')).toBeNull();
    expect(format.format('2024-02-29')).toBe('2024%02%29');
  });

  it('escapes regular-expression characters in literal text', () => {
    const format = compileDateFormat('%Y.%m.%d');
    expect(format.parse('2024.02.29')).toBe('2024-02-29');
    expect(format.parse('2024x02x29')).toBeNull();
  });
});
