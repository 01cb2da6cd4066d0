/** Runs the controller contract against every registered algorithm; checks each is documented. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALGORITHMS, getAlgorithm } from '../../controller/algorithms/registry.ts';
import { createFastIntersectionController } from '../../controller/fast/controller.ts';
import { FAST_DECIDERS } from '../../controller/fast/registry.ts';
import { twoPhase } from '../fixtures/intersections.ts';
import { runControllerContract } from './controller.contract.ts';
import { runLoop } from './controller-loop.ts';

for (const a of ALGORITHMS) runControllerContract({ name: a.name });
// the fast twins (controller/fast/) pass the same contract
for (const f of FAST_DECIDERS)
  runControllerContract({ name: f.name, create: createFastIntersectionController, label: 'fast' });

describe('algorithm registry', () => {
  it('throws on an unknown name, listing the known ones', () => {
    expect(() => getAlgorithm('nope')).toThrow(/unknown algorithm 'nope'; known: fixed-time, /);
  });

  it('documents every registered algorithm in docs/controller.md', () => {
    const doc = readFileSync(new URL('../../docs/controller.md', import.meta.url), 'utf8');
    for (const a of ALGORITHMS) expect(doc, a.name).toContain(`### \`${a.name}\``);
  });
});

describe('watchdog with a real controller in the loop', () => {
  it('a silent controller is replaced by the fallback plan within watchdogS, and resumes', () => {
    const r = runLoop({
      config: twoPhase, // watchdogS 10
      algorithm: 'actuated',
      seed: 3,
      durationS: 300,
      flowVph: { 'N-through': 400, 'S-through': 300, 'E-through': 300, 'W-through': 200 },
      silent: (t) => t >= 100 && t < 160,
    });
    // controllers[i] is who controls at tick i + 1
    const who = (t: number) => r.controllers[t - 1];
    // (the very first signal says 'fallback' too: no decision has arrived yet)
    expect(who(50)).toBe('ctl');
    const firstFallback = r.controllers.findIndex((c, i) => i >= 50 && c === 'fallback') + 1;
    expect(firstFallback).toBeGreaterThan(100);
    expect(firstFallback).toBeLessThanOrEqual(100 + 10);
    expect(who(159)).toBe('fallback');
    expect(who(161)).toBe('ctl');
    expect(r.overrides.filter((o) => o.kind === 'watchdog')).toHaveLength(1);
    // the fallback plan kept cycling while the controller was silent
    expect(
      new Set(r.greens.filter((g) => g.startS > 110 && g.startS < 160).map((g) => g.phase)),
    ).toEqual(new Set(['ns', 'ew']));
    expect(r.conflicts).toEqual([]);
  });
});
