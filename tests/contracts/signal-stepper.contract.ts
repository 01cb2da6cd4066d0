/**
 * The contract every signal stepper passes (the plain one and any fast path): over random
 * request sequences on the NEMA 8-phase and a two-phase intersection it matches the reference
 * semantics step for step — same monitor state, overrides, transitions and signal message —
 * and the signal it reports is the monitor's own `toSignal`; the movement states it gives for
 * a transition are the monitor's own `movementStates`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IntersectionConfig } from '../../protocol/index.ts';
import {
  createMonitor,
  isNewRequest,
  type MonitorState,
  monitorStep,
  movementStates,
  type Request,
  type SignalStepperFactory,
  toSignal,
} from '../../signal/index.ts';
import { nema8, twoPhase } from '../fixtures/intersections.ts';

export interface SignalStepperContractOptions {
  name: string;
  create: SignalStepperFactory;
}

type Tick = { dtMs: number; request: string | null; controller: string };

/** The reference semantics, written out: a new request at t0, a repeat at t1. */
function reference(config: IntersectionConfig, ticks: Tick[]) {
  let s: MonitorState = createMonitor(config, 0);
  let t = 0;
  const out = [];
  for (const k of ticks) {
    const t0 = t;
    t += k.dtMs;
    const req: Request | undefined =
      k.request === null ? undefined : { phase: k.request, controller: k.controller };
    const overrides = [];
    const transitions = [];
    let pending = req;
    if (isNewRequest(s, req)) {
      const r = monitorStep(s, t0, req);
      s = r.state;
      overrides.push(...r.overrides);
      transitions.push(...r.transitions);
      pending = undefined;
    }
    const r = monitorStep(s, t, pending);
    s = r.state;
    overrides.push(...r.overrides);
    transitions.push(...r.transitions);
    out.push({ overrides, transitions, signal: toSignal(s, t, overrides) });
  }
  return out;
}

const tick = (phases: string[]) =>
  fc.record({
    dtMs: fc.oneof(fc.constant(1000), fc.integer({ min: 100, max: 20_000 })),
    request: fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...phases) },
      { weight: 2, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.constant('no-such-phase') },
    ),
    controller: fc.constantFrom('c', 'c', 'c', 'd'),
  });

/** Runs long stretches of repeats too, where a fast path holds requests back. */
const sequence = (phases: string[]) =>
  fc
    .array(fc.tuple(tick(phases), fc.integer({ min: 1, max: 40 })), { maxLength: 30 })
    .map((runs) => runs.flatMap(([k, n]) => Array.from({ length: n }, () => k)));

export function runSignalStepperContract(o: SignalStepperContractOptions): void {
  describe(`signal stepper contract: ${o.name}`, () => {
    for (const config of [twoPhase, nema8]) {
      it(`matches the reference semantics step for step (${config.id})`, () => {
        const phases = config.phases.map((p) => p.id);
        fc.assert(
          fc.property(sequence(phases), (ticks) => {
            const want = reference(config, ticks);
            const s = o.create(config, 0);
            expect(s.signal).toEqual(toSignal(createMonitor(config, 0), 0));
            let t = 0;
            ticks.forEach((k, i) => {
              const t0 = t;
              t += k.dtMs;
              const req =
                k.request === null ? undefined : { phase: k.request, controller: k.controller };
              const got = s.step(t0, t, req);
              expect(got.overrides, `overrides at step ${i}`).toEqual(want[i]!.overrides);
              expect(got.transitions, `transitions at step ${i}`).toEqual(want[i]!.transitions);
              expect(s.signal, `signal at step ${i}`).toEqual(want[i]!.signal);
              expect(s.signal).toEqual(toSignal(s.state, t, got.overrides));
              for (const tr of got.transitions) {
                const at = { ...s.state, phase: tr.phase, interval: tr.interval, next: tr.next };
                expect(s.movementsAt(tr)).toEqual(movementStates(at));
              }
            });
          }),
          { numRuns: 80, seed: 12 },
        );
      });
    }

    it('runs the fallback plan once requests stop for watchdogS, and resumes', () => {
      const s = o.create(twoPhase, 0); // watchdogS 10
      for (let t = 0; t < 5000; t += 1000) s.step(t, t + 1000, { phase: 'ns', controller: 'c' });
      expect(s.signal.controller).toBe('c');
      let watchdog = 0;
      for (let t = 5000; t < 30_000; t += 1000) {
        watchdog += s.step(t, t + 1000).overrides.filter((x) => x.kind === 'watchdog').length;
      }
      expect(watchdog).toBe(1);
      expect(s.signal.controller).toBe('fallback');
      s.step(30_000, 31_000, { phase: 'ns', controller: 'c' });
      expect(s.signal.controller).toBe('c');
    });
  });
}
