/**
 * The line-protocol encoder: escaping, types, timestamps, and encode → parse round trips over
 * random points (the same escaping is checked against a real InfluxDB in
 * tests/integration/collector-influx.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodePoint, encodePoints, nanos, parseLine } from '../../collector/line-protocol.ts';
import { int, type Point } from '../../collector/point.ts';

describe('encodePoint', () => {
  it('escapes measurement, tags, field keys and string values', () => {
    const line = encodePoint({
      measurement: 'my meas,x',
      tags: { 'tag key': 'a,b=c d', z: 'last' },
      fields: { 'f=1': 'say "hi" \\ ok', n: 1.5 },
      timeMs: 1764340000000,
    });
    expect(line).toBe(
      'my\\ meas\\,x,tag\\ key=a\\,b\\=c\\ d,z=last f\\=1="say \\"hi\\" \\\\ ok",n=1.5 1764340000000000000',
    );
  });

  it('types fields: integer i, float, boolean, string', () => {
    const line = encodePoint({
      measurement: 'm',
      tags: {},
      fields: { i: int(3), f: 2, b: true, s: 'x' },
      timeMs: 1,
    });
    expect(line).toBe('m i=3i,f=2,b=true,s="x" 1000000');
  });

  it('sorts tags and drops empty or undefined tags', () => {
    const line = encodePoint({
      measurement: 'm',
      tags: { b: '2', a: '1', c: '', d: undefined },
      fields: { v: 1 },
      timeMs: 0,
    });
    expect(line).toBe('m,a=1,b=2 v=1 0');
  });

  it('drops what line protocol cannot carry', () => {
    expect(
      encodePoint({
        measurement: 'm',
        tags: {},
        fields: { nan: Number.NaN, inf: Number.POSITIVE_INFINITY, big: int(2 ** 60), u: undefined },
        timeMs: 0,
      }),
    ).toBeUndefined();
    const nl = encodePoint({
      measurement: 'm\n',
      tags: { t: 'a\nb', back: 'x\\' },
      fields: { v: int(1) },
      timeMs: 0,
    });
    expect(nl).not.toContain('\n');
    expect(nl).toBe('m\\ ,back=x/,t=a\\ b v=1i 0');
    const str = encodePoint({ measurement: 'm', tags: {}, fields: { s: 'a\nb\r' }, timeMs: 0 });
    expect(str).toBe('m s="a\\nb\\r" 0');
    expect(encodePoints([{ measurement: 'm', tags: {}, fields: {}, timeMs: 0 }])).toEqual([]);
  });

  it('writes ns timestamps exactly, with a sub-millisecond offset', () => {
    expect(nanos(1764340000123)).toBe('1764340000123000000');
    expect(nanos(1764340000123, 42)).toBe('1764340000123000042');
    expect(nanos(5, 999_999)).toBe('5999999');
    expect(nanos(-1)).toBe('-1000000');
  });
});

const key = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/[\r\n\\]/.test(s));
const strVal = fc.string({ maxLength: 20 }).filter((s) => !/[\r\n]/.test(s));

describe('parseLine', () => {
  it('round-trips random points', () => {
    fc.assert(
      fc.property(
        key,
        fc.dictionary(key, key, { maxKeys: 4 }),
        fc.dictionary(
          key,
          fc.oneof(
            fc.integer().map((n) => int(n)),
            fc.double({ noNaN: true, noDefaultInfinity: true }),
            fc.boolean(),
            strVal,
          ),
          { minKeys: 1, maxKeys: 4 },
        ),
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        (measurement, tags, fields, timeMs) => {
          fc.pre(!measurement.startsWith('#'));
          const p: Point = { measurement, tags, fields, timeMs };
          const line = encodePoint(p)!;
          const back = parseLine(line)!;
          expect(back.measurement).toBe(measurement);
          expect(back.tags).toEqual(tags);
          const norm = (v: unknown) => (typeof v === 'number' && Object.is(v, -0) ? 0 : v);
          for (const [k, v] of Object.entries(fields))
            expect(norm(back.fields[k])).toEqual(norm(v));
          expect(back.timeMs).toBe(timeMs);
        },
      ),
      { numRuns: 2000, seed: 6 },
    );
  });

  it('refuses malformed lines', () => {
    for (const bad of ['', 'm', 'm ', 'm,t v=1', 'm v=', 'm v="open', 'm v=1 12x', 'm v=abc']) {
      expect(parseLine(bad), bad).toBeUndefined();
    }
  });
});
