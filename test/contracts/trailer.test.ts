import { compileTrailer } from '../../core/contracts/trailer';

describe('compileTrailer', () => {
  const trailer = compileTrailer('TRAILER,{records},END');

  it('writes the count into the template', () => {
    expect(trailer.write(0)).toBe('TRAILER,0,END');
    expect(trailer.write(12_434_310)).toBe('TRAILER,12434310,END');
  });

  it('reads back what it writes', () => {
    for (const n of [0, 1, 42, 999_999_999_999]) expect(trailer.read(trailer.write(n))).toBe(n);
  });

  it.each(['TRAILER,,END', 'TRAILER,12', 'TRAILER,-1,END', 'TRAILER,1.5,END', 'TRAILER, 12,END', 'trailer,12,END', 'TRAILER,12,END ', 'TRAILER,1234567890123456,END', 'x,TRAILER,12,END'])(
    'is no trailer: %j', (line) => {
      expect(trailer.read(line)).toBeNull();
    },
  );

  it('works with the placeholder at either end', () => {
    expect(compileTrailer('{records}').read('7')).toBe(7);
    expect(compileTrailer('{records} rows').read('7 rows')).toBe(7);
    expect(compileTrailer('rows: {records}').read('rows: 7')).toBe(7);
  });
});
