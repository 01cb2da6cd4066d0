/**
 * The bench's statistics: Student t quantiles against published tables, intervals by hand,
 * the paired comparison, and the coverage of the 95 % interval on seeded normal samples.
 */
import { describe, expect, it } from 'vitest';
import { disjoint, paired, studentCdf, studentQuantile, summarize } from '../../bench/stats.ts';

describe('Student t', () => {
  // t(0.975, df) from any statistics table
  it.each([
    [1, 12.706],
    [2, 4.303],
    [4, 2.776],
    [9, 2.262],
    [29, 2.045],
    [1000, 1.962],
  ])('t(0.975, %i) = %f', (df, t) => {
    expect(studentQuantile(0.975, df)).toBeCloseTo(t, 3);
  });

  it('its CDF is symmetric and monotone', () => {
    expect(studentCdf(0, 5)).toBeCloseTo(0.5, 12);
    expect(studentCdf(-2, 5) + studentCdf(2, 5)).toBeCloseTo(1, 12);
    expect(studentCdf(1, 5)).toBeLessThan(studentCdf(1.1, 5));
  });

  it('refuses nonsense', () => {
    expect(() => studentQuantile(0.975, 0)).toThrow();
    expect(() => studentQuantile(0.2, 4)).toThrow();
  });
});

describe('intervals', () => {
  it('mean ± t·s/√n', () => {
    // mean 11, s = √2.5 = 1.5811, half width 2.776 × 1.5811 / √5 = 1.963
    const s = summarize([10, 12, 11, 13, 9]);
    expect(s.mean).toBe(11);
    expect(s.sd).toBeCloseTo(1.5811, 4);
    expect(s.ci95[0]).toBeCloseTo(9.037, 3);
    expect(s.ci95[1]).toBeCloseTo(12.963, 3);
    expect([s.min, s.max]).toEqual([9, 13]);
  });

  it('covers the true mean about 95 % of the time (n = 5, 4000 seeded samples)', () => {
    let state = 12345;
    const uniform = () => {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0;
      return (state + 0.5) / 2 ** 32;
    };
    const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    let covered = 0;
    const trials = 4000;
    for (let k = 0; k < trials; k++) {
      const xs = Array.from({ length: 5 }, () => 20 + 3 * normal());
      const { ci95 } = summarize(xs);
      if (ci95[0] <= 20 && 20 <= ci95[1]) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.935);
    expect(covered / trials).toBeLessThan(0.965);
  });

  it('pairs by seed: a constant offset is significant even when seeds vary a lot', () => {
    const y = [10, 30, 20, 50, 40];
    const x = y.map((v, i) => v - 2 - (i % 2) * 0.1);
    const p = paired(x, y);
    expect(p.direction).toBe('lower');
    expect(p.diff.mean).toBeCloseTo(-2.04, 6);
    // unpaired, the two intervals overlap completely
    expect(disjoint(summarize(x).ci95, summarize(y).ci95)).toBe(false);
    expect(p.relative).toBeCloseTo(-2.04 / 30, 4);
  });

  it('identical runs differ by nothing', () => {
    const p = paired([1, 2, 3], [1, 2, 3]);
    expect(p.direction).toBe('same');
    expect(p.diff.ci95).toEqual([0, 0]);
  });

  it('refuses unpaired samples', () => {
    expect(() => paired([1, 2], [1, 2, 3])).toThrow(/same length/);
  });
});
