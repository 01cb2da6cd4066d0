/** Demand profiles: the exact inverse of the cumulative demand, and arrivals that follow it. */
import { describe, expect, it } from 'vitest';
import {
  createArrivals,
  expectedVehicles,
  flowAt,
  invert,
  profileOf,
} from '../../simulator/demand.ts';
import { mulberry32 } from '../../simulator/rng.ts';

const PEAK: [number, number][] = [
  [0, 500],
  [900, 500],
  [1800, 1900],
  [2700, 500],
];

describe('demand profiles', () => {
  it('interpolate linearly and hold the ends', () => {
    const p = profileOf(PEAK);
    expect(flowAt(p, 0)).toBeCloseTo(500);
    expect(flowAt(p, 1350)).toBeCloseTo(1200);
    expect(flowAt(p, 5000)).toBeCloseTo(500);
    expect(flowAt(profileOf([[600, 300]]), 0)).toBeCloseTo(300);
  });

  it('invert the cumulative demand exactly', () => {
    const p = profileOf(PEAK);
    // Λ(3600) = 500·0.25 h + (500+1900)/2·0.25 h + (1900+500)/2·0.25 h + 500·0.25 h
    expect(expectedVehicles(p, 3600)).toBeCloseTo(125 + 300 + 300 + 125, 6);
    for (const tS of [1, 450, 900, 1234.5, 1800, 2222, 2700, 3500]) {
      expect(invert(p, expectedVehicles(p, tS), 0).tS).toBeCloseTo(tS, 6);
    }
    expect(
      invert(
        profileOf([
          [0, 100],
          [60, 0],
        ]),
        10,
        0,
      ).tS,
    ).toBe(Number.POSITIVE_INFINITY);
  });

  it.each(['poisson', 'uniform'] as const)(
    '%s arrivals deliver the expected number of vehicles',
    (kind) => {
      const a = createArrivals(PEAK, kind, mulberry32(4));
      let n = 0;
      let halfway = 0;
      while (a.peek() < 3600) {
        if (a.peek() < 1800) halfway++;
        n++;
        a.advance();
      }
      const sd = kind === 'poisson' ? Math.sqrt(850) : 1;
      expect(Math.abs(n - 850)).toBeLessThanOrEqual(3 * sd);
      expect(Math.abs(halfway - 425)).toBeLessThanOrEqual(3 * sd);
    },
  );
});
