/**
 * Webster's method against worked examples, computed by hand here.
 *
 * Example A (two-phase, the classic exam exercise, e.g. GATE CE; method of Webster 1958 as
 * taught in Garber & Hoel, Traffic and Highway Engineering, ch. on signal timing):
 *   N-S critical flow 1000 veh/h, saturation 2500 → y1 = 0.4
 *   E-W critical flow  900 veh/h, saturation 3000 → y2 = 0.3
 *   Y = 0.7, L = 12 s → C0 = (1.5·12 + 5) / (1 − 0.7) = 23 / 0.3 = 76.67 s (≈ 77 s)
 *   effective greens: (76.67 − 12) · 0.4/0.7 = 36.95 s, · 0.3/0.7 = 27.71 s
 *
 * Example B: flows 500 and 300 pcu/h, saturation 1600 each, L = 16 s:
 *   Y = 800/1600 = 0.5 → C0 = (1.5·16 + 5) / 0.5 = 29 / 0.5 = 58 s
 *
 * Example C (our config convention): twoPhase (1 lane per approach, s = 1800 veh/h/lane,
 * yellow 3, all-red 1, lost per phase 3 s): N-through 720 → y = 0.4, E-through 540 → y = 0.3.
 *   L = 2 · (3 + 1) = 8 s, Y = 0.7 → C0 = (12 + 5) / 0.3 = 56.67 s
 *   g_ns = 48.67 · 0.4/0.7 = 27.81 s, g_ew = 48.67 · 0.3/0.7 = 20.86 s
 *   displayed green G = g − yellow + lost per phase = g → 28 s and 21 s
 *   plan cycle = 28 + 3 + 1 + 21 + 3 + 1 = 57 s
 */
import { describe, expect, it } from 'vitest';
import {
  coverPhases,
  groupFlowsFromMovements,
  websterCycleS,
  websterEffectiveGreensS,
  websterPlan,
} from '../../controller/webster.ts';
import { nema8, twoPhase } from '../fixtures/intersections.ts';

describe('Webster', () => {
  it('example A: C0 = 76.7 s and its effective greens', () => {
    const c = websterCycleS(12, 1000 / 2500 + 900 / 3000);
    expect(c).toBeCloseTo(76.667, 2);
    const [g1, g2] = websterEffectiveGreensS(c, 12, [0.4, 0.3]);
    expect(g1).toBeCloseTo(36.95, 2);
    expect(g2).toBeCloseTo(27.71, 2);
  });

  it('example B: C0 = 58 s', () => {
    expect(websterCycleS(16, 500 / 1600 + 300 / 1600)).toBeCloseTo(58, 6);
  });

  it('oversaturated demand has no optimum cycle', () => {
    expect(websterCycleS(8, 1.05)).toBe(Number.POSITIVE_INFINITY);
  });

  it('example C: a full plan for a config, greens rounded and within min/max', () => {
    const flows = groupFlowsFromMovements(twoPhase, { 'N-through': 720, 'E-through': 540 });
    const w = websterPlan({ ...twoPhase, plan: undefined }, flows);
    expect(w.Y).toBeCloseTo(0.7, 9);
    expect(w.lostTimeS).toBe(8);
    expect(w.optimumCycleS).toBeCloseTo(56.667, 2);
    expect(w.plan.greenS).toEqual({ ns: 28, ew: 21 });
    expect(w.plan.cycleS).toBe(57);
  });

  it('covers the NEMA 8-phase stages with the four concurrent pairs', () => {
    expect(coverPhases(nema8)).toEqual(['p15', 'p26', 'p37', 'p48']);
    const w = websterPlan(nema8, {});
    expect(
      Object.entries(w.plan.greenS)
        .filter(([, g]) => g > 0)
        .map(([p]) => p),
    ).toEqual(['p15', 'p26', 'p37', 'p48']);
  });

  it('uses the maximum cycle when Y ≥ 0.95 and never goes below min green', () => {
    const flows = groupFlowsFromMovements(twoPhase, { 'N-through': 1700, 'E-through': 100 });
    const w = websterPlan({ ...twoPhase, plan: undefined }, flows, { maxCycleS: 90 });
    expect(w.plan.greenS.ew).toBeGreaterThanOrEqual(5);
    expect(w.plan.greenS.ns).toBeLessThanOrEqual(40);
  });
});
