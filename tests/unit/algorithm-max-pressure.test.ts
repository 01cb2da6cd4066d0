/** max-pressure: the higher-pressure phase wins, min green is held, hysteresis, downstream, fairness. */
import { describe, expect, it } from 'vitest';
import { createMaxPressure, phasePressures } from '../../controller/algorithms/max-pressure.ts';
import { nema8, twoPhase } from '../fixtures/intersections.ts';
import { handView } from './algorithm-view.ts';

const q = (n: number, s: number, e: number, w: number) => ({
  'N-through': { queueVeh: n, call: n > 0 },
  'S-through': { queueVeh: s, call: s > 0 },
  'E-through': { queueVeh: e, call: e > 0 },
  'W-through': { queueVeh: w, call: w > 0 },
});

describe('max-pressure', () => {
  it('computes Σ saturation flow × (upstream − downstream) per phase', () => {
    const v = handView(twoPhase, { phase: 'ns', forS: 10, movements: q(6, 2, 1, 0) });
    v.downstreamQueueVeh = { 'N-through': 4 };
    const p = phasePressures(v, 1800);
    // ns: 0.5 veh/s × (6 − 4) + 0.5 × (2 − 0) = 2; ew: 0.5 × 1 + 0.5 × 0 = 0.5
    expect(p.get('ns')).toBeCloseTo(2);
    expect(p.get('ew')).toBeCloseTo(0.5);
  });

  it('picks the phase with the higher pressure once min green has run', () => {
    const a = createMaxPressure(twoPhase);
    expect(a.decide(handView(twoPhase, { phase: 'ns', forS: 6, movements: q(1, 0, 8, 5) }))).toBe(
      'ew',
    );
  });

  it('respects min green whatever the pressures', () => {
    const a = createMaxPressure(twoPhase);
    expect(a.decide(handView(twoPhase, { phase: 'ns', forS: 4, movements: q(1, 0, 30, 30) }))).toBe(
      'ns',
    );
  });

  it('stays when the current phase has the higher pressure', () => {
    const a = createMaxPressure(twoPhase);
    expect(a.decide(handView(twoPhase, { phase: 'ns', forS: 20, movements: q(9, 7, 3, 3) }))).toBe(
      'ns',
    );
  });

  it('does not thrash: a lead smaller than the hysteresis keeps the green', () => {
    const a = createMaxPressure(twoPhase, { hysteresisVeh: 2 });
    // ns pressure 0.5 × 4 = 2, ew 0.5 × 5 = 2.5: lead 0.5 < 2 veh × 0.5 veh/s = 1
    expect(a.decide(handView(twoPhase, { phase: 'ns', forS: 20, movements: q(2, 2, 3, 2) }))).toBe(
      'ns',
    );
  });

  it('picks the best combination on the NEMA 8-phase (2+6 over 1+5 when throughs queue)', () => {
    const a = createMaxPressure(nema8);
    const v = handView(nema8, {
      phase: 'p48',
      forS: 10,
      movements: {
        'N-left': { queueVeh: 2, call: true },
        'N-through': { queueVeh: 12, call: true },
        'S-through': { queueVeh: 9, call: true },
      },
    });
    expect(a.decide(v)).toBe('p26');
  });

  it('serves a movement red longer than maxRedS whatever the pressures', () => {
    const a = createMaxPressure(twoPhase, { maxRedS: 120 });
    const v = handView(twoPhase, {
      phase: 'ns',
      forS: 30,
      movements: { ...q(20, 20, 0, 0), 'E-through': { queueVeh: 1, call: true, redMs: 130_000 } },
    });
    expect(a.decide(v)).toBe('ew');
  });
});
