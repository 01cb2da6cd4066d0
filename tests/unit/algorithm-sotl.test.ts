/** sotl: κ integrates red demand; threshold, platoon and empty-green rules; min green held. */
import { describe, expect, it } from 'vitest';
import { createSotl } from '../../controller/algorithms/sotl.ts';
import { twoPhase } from '../fixtures/intersections.ts';
import { handView } from './algorithm-view.ts';

const ewWaiting = { 'E-through': { queueVeh: 4, call: true } };

describe('sotl', () => {
  it('holds min green', () => {
    const a = createSotl(twoPhase);
    expect(a.decide(handView(twoPhase, { phase: 'ns', forS: 3, movements: ewWaiting }))).toBe('ns');
  });

  it('changes at once when nothing approaches the green and someone waits (rule 4)', () => {
    const a = createSotl(twoPhase);
    expect(a.decide(handView(twoPhase, { phase: 'ns', forS: 8, movements: ewWaiting }))).toBe('ew');
  });

  it('keeps a busy green until κ reaches θ, then changes (rules 1-2)', () => {
    const a = createSotl(twoPhase, { thresholdVehS: 40, platoonVeh: 3 });
    const busy = { ...ewWaiting, 'N-through': { queueVeh: 6, call: true } };
    const at = (s: number) =>
      a.decide(
        handView(twoPhase, {
          atMs: 1_000_000 + s * 1000,
          phase: 'ns',
          forS: 6 + s,
          movements: busy,
        }),
      );
    const out = Array.from({ length: 15 }, (_, s) => at(s));
    // κ grows by 4 veh·s per second: 40 is reached after 10 s
    expect(out.slice(0, 10)).toEqual(Array(10).fill('ns'));
    expect(out[10]).toBe('ew');
  });

  it('lets a small platoon finish crossing before changing (rule 3)', () => {
    const a = createSotl(twoPhase, { thresholdVehS: 4, platoonVeh: 3 });
    const platoon = { ...ewWaiting, 'N-through': { queueVeh: 2, call: true } };
    const v = (s: number) =>
      handView(twoPhase, {
        atMs: 1_000_000 + s * 1000,
        phase: 'ns',
        forS: 6 + s,
        movements: platoon,
      });
    a.decide(v(0));
    expect(a.decide(v(5))).toBe('ns'); // κ = 20 ≥ θ, but 2 vehicles are about to cross
  });
});
