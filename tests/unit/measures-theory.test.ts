/**
 * The measures against what theory says, on simulated data: one two-phase intersection under
 * fixed time (cycle 60 s, greens 26 s, effective green = green + yellow − 2 s start-up − 1 s
 * unused yellow = 26 s) with random (Poisson) arrivals. Arrivals on green ≈ g/C, split failures
 * ≈ 0 at v/c 0.5 and in most cycles at v/c 1.1; volumes equal the counts the detectors sent.
 */
import { describe, expect, it } from 'vitest';
import { computeMeasures, type Measures } from '../../measures/index.ts';
import { createDataCollector } from '../../measures/points.ts';
import { CYCLE_S, fixedTimeScenario, GREEN_S, simulateToPoints } from '../helpers/measures-sim.ts';

function measure(vc: number): { m: Measures; counted: Map<string, number> } {
  const run = simulateToPoints(fixedTimeScenario(vc));
  const q = { intersection: 'a', fromMs: run.startMs, toMs: run.endMs };
  const c = createDataCollector(q);
  for (const p of run.points) c.add(p);
  return { m: computeMeasures(run.config, c.result(), q), counted: run.counted };
}

const low = measure(0.5);
const high = measure(1.1);
const group = (m: Measures, id: string) => m.laneGroups.find((g) => g.laneGroup === id)!;

describe('ATSPM measures on a simulated fixed-time intersection', () => {
  it('arrivals on green ≈ effective green / cycle (±5 points) with random arrivals', () => {
    const expected = (100 * GREEN_S) / CYCLE_S; // 43.3 %
    for (const id of ['N-through', 'S-through', 'E-through', 'W-through']) {
      const a = group(low.m, id).arrivals;
      expect(a.arrivals).toBeGreaterThan(150);
      expect(Math.abs(a.aogPct! - expected)).toBeLessThanOrEqual(5);
      // the green share the signal history shows is the plan's
      expect(a.greenPct).toBeCloseTo(expected, 0);
      // random arrivals: platoon ratio ≈ 1
      expect(Math.abs(a.platoonRatio! - 1)).toBeLessThan(0.12);
    }
  });

  it('split failures ≈ 0 at v/c 0.5 and in more than half of the cycles at v/c 1.1', () => {
    for (const id of ['N-through', 'S-through']) {
      const lo = group(low.m, id).splitFailures;
      const hi = group(high.m, id).splitFailures;
      expect(lo.cycles).toBeGreaterThanOrEqual(58);
      expect(lo.pct!).toBeLessThanOrEqual(3);
      expect(hi.cycles).toBeGreaterThanOrEqual(58);
      expect(hi.pct!).toBeGreaterThan(50);
    }
    // the E-W groups stay at v/c 0.4 in both runs
    expect(group(high.m, 'E-through').splitFailures.pct!).toBeLessThanOrEqual(3);
  });

  it('volumes equal the counts the detectors sent, per approach and summed over bins', () => {
    for (const { m, counted } of [low, high]) {
      for (const a of m.approaches) {
        const expected = a.detectors.reduce((s, d) => s + (counted.get(d) ?? 0), 0);
        expect(a.detectors).toEqual([`${a.approach}-through-advance`]);
        expect(a.volume).toBe(expected);
        expect(a.bins.reduce((s, b) => s + b.volume, 0)).toBe(expected);
        expect(a.bins).toHaveLength(4); // one hour in 15-minute bins
      }
    }
  });

  it('delay grows with v/c; fixed time ends every green before its maximum', () => {
    const d = (m: Measures) => group(m, 'N-through').arrivals.delayPerVehS!;
    expect(d(low.m)).toBeGreaterThan(5);
    expect(d(high.m)).toBeGreaterThan(d(low.m));
    for (const p of low.m.phases) {
      expect(p.greens).toBeGreaterThanOrEqual(58);
      expect(p.maxOut).toBe(0);
      expect(p.gapOutOrForceOff).toBe(p.greens);
      expect(p.meanGreenS).toBeCloseTo(GREEN_S, 0);
    }
  });

  it('the coordination diagram: cycles of 60 s from red start, arrivals inside their cycle', () => {
    const dia = group(low.m, 'N-through').diagram;
    expect(dia.cycles.length).toBeGreaterThanOrEqual(58);
    for (const c of dia.cycles.slice(1, -1)) {
      expect(c.endS).toBeCloseTo(CYCLE_S, 3);
      expect(c.yellowS - c.greenS).toBeCloseTo(GREEN_S, 3);
    }
    expect(dia.arrivals.length).toBeGreaterThan(150);
    for (const [, s] of dia.arrivals) expect(s).toBeGreaterThanOrEqual(0);
    for (const [, s] of dia.arrivals) expect(s).toBeLessThan(CYCLE_S + 0.01);
  });
});
