/** fixed-time: the plan tied to the clock, safe at start-up, re-timed from counts. */
import { describe, expect, it } from 'vitest';
import {
  createFixedTime,
  nextPlanned,
  planPhaseAt,
} from '../../controller/algorithms/fixed-time.ts';
import { twoPhase } from '../fixtures/intersections.ts';
import { handView } from './algorithm-view.ts';

// twoPhase plan: cycle 60, ns 25, ew 27, clearance 3 + 1: ns [0,25) clear [25,29) ew [29,56)
// clear [56,60); slack 60 − 60 = 0.
describe('fixed-time', () => {
  it('shows the plan by cycle position, asking for the next phase during a clearance', () => {
    const at = (s: number) => planPhaseAt(twoPhase, twoPhase.plan!, s * 1000);
    expect(at(0)).toBe('ns');
    expect(at(24.9)).toBe('ns');
    expect(at(25)).toBe('ew');
    expect(at(55.9)).toBe('ew');
    expect(at(56)).toBe('ns');
    expect(at(60)).toBe('ns');
    expect(at(85)).toBe('ew');
  });

  it('honours the offset and gives slack to the last phase', () => {
    const plan = { cycleS: 70, greenS: { ns: 25, ew: 27 }, offsetS: 10 };
    // ns [0,25) clear [25,29) ew [29,66) (27 s + 10 s slack) clear [66,70)
    expect(planPhaseAt(twoPhase, plan, 9_000)).toBe('ns'); // position 69: clearance before ns
    expect(planPhaseAt(twoPhase, plan, 10_000)).toBe('ns'); // position 0
    expect(planPhaseAt(twoPhase, plan, 75_000)).toBe('ew'); // position 65: in the slack
    expect(planPhaseAt(twoPhase, plan, 76_000)).toBe('ns'); // position 66: clearance
    expect(nextPlanned(twoPhase, plan, 'ew')).toBe('ns');
  });

  it('never asks to cut a min green short, nor to run past max green', () => {
    const a = createFixedTime(twoPhase);
    // position 30 s wants ew, but ns has only been green 2 s
    expect(a.decide(handView(twoPhase, { atMs: 30_000, phase: 'ns', forS: 2 }))).toBe('ns');
    const b = createFixedTime({ ...twoPhase, plan: { cycleS: 100, greenS: { ns: 80, ew: 12 } } });
    expect(b.decide(handView(twoPhase, { atMs: 50_000, phase: 'ns', forS: 39 }))).toBe('ew');
  });

  it('re-times every 15 min from the last 15 min of counts when the config has no plan', () => {
    const config = { ...twoPhase, plan: undefined };
    const a = createFixedTime(config);
    const start = 900_000 * 100;
    const first = a.decide(handView(config, { atMs: start, phase: 'ns', forS: 100 }));
    expect(['ns', 'ew']).toContain(first);
    // Heavy N-S, light E-W over the last 15 min: the new plan favours ns.
    const heavy = {
      'N-through-advance': { flowVph: { last: 0, m1: 0, m5: 0, m15: 900 } },
      'E-through-advance': { flowVph: { last: 0, m1: 0, m5: 0, m15: 100 } },
    };
    let nsGreen = 0;
    for (let s = 0; s < 120; s++) {
      const atMs = start + 900_000 + s * 1000;
      const v = handView(config, { atMs, phase: 'ew', forS: 100, detectors: heavy });
      if (a.decide(v) === 'ns') nsGreen++;
    }
    expect(nsGreen).toBeGreaterThan(70);
  });
});
