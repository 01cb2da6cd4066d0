/**
 * The gateway's core on a manual clock with the virtual cabinet and a cabinet that lags or
 * disobeys: it takes up the cabinet's green before steering, publishes what the cabinet shows,
 * reports a `cabinet` override once per episode, and falls back to the time-of-day plan.
 */
import { describe, expect, it } from 'vitest';
import type { CabinetState, Lamp } from '../../field/cabinet/types.ts';
import { createIntersectionCore } from '../../field/gateway/core.ts';
import type { IntersectionConfig } from '../../protocol/index.ts';

const config: IntersectionConfig = {
  v: 1,
  id: 'g',
  approaches: { N: { lanes: 1 }, S: { lanes: 1 }, E: { lanes: 1 }, W: { lanes: 1 } },
  phases: [
    { id: 'ns', movements: ['N-through', 'S-through'], minGreenS: 5, maxGreenS: 40 },
    { id: 'ew', movements: ['E-through', 'W-through'], minGreenS: 5, maxGreenS: 40 },
  ],
  yellowS: 3,
  allRedS: 1,
  plan: { cycleS: 40, greenS: { ns: 15, ew: 17 } },
  timeZone: 'Europe/Paris',
  plans: { night: { cycleS: 30, greenS: { ns: 10, ew: 12 } } },
  schedule: [
    { days: ['daily'], from: '00:00', plan: 'night' },
    { days: ['daily'], from: '07:00', plan: 'night' },
  ],
  watchdogS: 5,
};

const cab = (atMs: number, lamps: Record<string, Lamp>): CabinetState => ({ atMs, phases: lamps });

describe('field gateway core', () => {
  it('does not steer until the cabinet shows a green; then takes it up', () => {
    const core = createIntersectionCore(config, 0);
    expect(core.step(0).permit).toBeUndefined();
    // the cabinet is in its own yellow of ew: reported as is, under its own plan
    const s1 = core.observe(cab(0, { ns: 'red', ew: 'yellow' }))!;
    expect(s1).toMatchObject({ phase: 'ew', interval: 'yellow', controller: 'fallback' });
    expect(core.step(1000).permit).toBeUndefined();
    const s2 = core.observe(cab(4000, { ns: 'green', ew: 'red' }))!;
    expect(s2).toMatchObject({ phase: 'ns', interval: 'green', sinceMs: 4000, minEndMs: 9000 });
    expect(s2.overrides).toEqual([]);
    expect(core.step(5000).permit).toMatchObject({ phase: 'ns', interval: 'green' });
  });

  it('a request is steered through the monitor; the signal is the cabinet’s, not the permit', () => {
    const core = createIntersectionCore(config, 0);
    core.observe(cab(0, { ns: 'green', ew: 'red' }));
    core.observe(cab(5000, { ns: 'green', ew: 'red' }));
    core.decide({ phase: 'ew', controller: 'ctl' });
    const p = core.step(6000).permit!;
    expect(p).toMatchObject({ phase: 'ns', interval: 'yellow', next: 'ew' });
    // the cabinet lags: still green on ns — the signal says so, and within grace no override
    const s = core.observe(cab(6100, { ns: 'green', ew: 'red' }))!;
    expect(s).toMatchObject({ phase: 'ns', interval: 'green', controller: 'ctl' });
    expect(s.overrides).toEqual([]);
  });

  it('a cabinet green the monitor did not permit is a cabinet override, once per episode', () => {
    const core = createIntersectionCore(config, 0, { graceMs: 2000 });
    core.observe(cab(0, { ns: 'green', ew: 'red' }));
    core.decide({ phase: 'ns', controller: 'ctl' });
    core.step(1000);
    const bad = core.observe(cab(1000, { ns: 'red', ew: 'green' }))!;
    expect(bad.overrides.map((o) => o.kind)).toEqual(['cabinet']);
    expect(bad.phase).toBe('ew'); // what the heads show, even when it is wrong
    core.step(2000);
    expect(core.observe(cab(2000, { ns: 'red', ew: 'green' }))!.overrides).toEqual([]);
    core.step(3000);
    const two = core.observe(cab(3000, { ns: 'green', ew: 'green' }))!;
    expect(two.overrides).toEqual([]); // still the same episode
    expect(core.overrideCounts().cabinet).toBe(1);
  });

  it('a lost reply is no reason to restart a green: the monitor steers on, its timing kept', () => {
    const core = createIntersectionCore(config, 0);
    core.observe(cab(0, { ns: 'green', ew: 'red' }));
    core.decide({ phase: 'ns', controller: 'ctl' });
    core.step(1000);
    expect(core.observe(undefined)).toBeUndefined(); // silent: nothing published
    core.decide({ phase: 'ns', controller: 'ctl' });
    expect(core.step(2000).permit).toMatchObject({ phase: 'ns', interval: 'green' });
    const back = core.observe(cab(2100, { ns: 'green', ew: 'red' }))!;
    expect(back).toMatchObject({ phase: 'ns', sinceMs: 0, minEndMs: 5000 });
    core.observe(cab(4000, { ns: 'green', ew: 'red' }));
    // ns has had its 5 s since 0: a change now is no minGreen override
    core.decide({ phase: 'ew', controller: 'ctl' });
    const r = core.step(5500);
    expect(r.permit).toMatchObject({ phase: 'ns', interval: 'yellow', next: 'ew' });
    expect(core.overrideCounts()).toEqual({});
  });

  it('a cabinet back from a short silence may lag by as long as it was silent', () => {
    const core = createIntersectionCore(config, 0); // grace 3 s
    core.observe(cab(0, { ns: 'green', ew: 'red' }));
    core.decide({ phase: 'ns', controller: 'ctl' });
    core.step(5000);
    core.observe(cab(5000, { ns: 'green', ew: 'red' }));
    core.decide({ phase: 'ew', controller: 'ctl' });
    expect(core.step(6000).permit).toMatchObject({ interval: 'yellow', next: 'ew' });
    // silent for 4 s while the monitor clears ns and greens ew
    for (const t of [7000, 8000, 9000, 10_000]) {
      core.decide({ phase: 'ew', controller: 'ctl' });
      core.step(t);
      core.observe(undefined);
    }
    expect(core.monitor()).toMatchObject({ phase: 'ew', interval: 'green' });
    // it took the ForceOff only now: still ns green, 4.2 s after the monitor ended it
    const late = core.observe(cab(10_200, { ns: 'green', ew: 'red' }))!;
    expect(late.overrides).toEqual([]);
    core.step(11_000);
    expect(core.observe(cab(11_000, { ns: 'yellow', ew: 'red' }))!.overrides).toEqual([]);
    // the credit is spent: a cabinet still wrong a grace later is a fault
    core.step(14_500);
    core.observe(cab(14_500, { ns: 'green', ew: 'red' }));
    expect(core.overrideCounts()).toEqual({ cabinet: 1 });
  });

  it('a cabinet unheard past its backup time is taken up afresh when it answers', () => {
    const core = createIntersectionCore(config, 0);
    core.observe(cab(0, { ns: 'green', ew: 'red' }));
    core.decide({ phase: 'ns', controller: 'ctl' });
    core.step(1000);
    core.observe(undefined);
    core.decide({ phase: 'ns', controller: 'ctl' });
    // within the backup time (5 s) the cabinet holds the last controls: steered on
    const held = core.step(5000);
    expect(held.permit).toMatchObject({ phase: 'ns' });
    expect(held.retake).toBeUndefined();
    core.observe(undefined);
    const lost = core.step(6000);
    expect(lost).toMatchObject({ permit: undefined, retake: { unheardMs: 6000 } });
    expect(core.step(7000).permit).toBeUndefined();
    // meanwhile it ran on its own: what it shows is taken up, not called a fault
    const back = core.observe(cab(9000, { ns: 'red', ew: 'green' }))!;
    expect(back).toMatchObject({ phase: 'ew', interval: 'green', sinceMs: 9000 });
    expect(back.overrides).toEqual([]);
    expect(core.step(9500).permit).toMatchObject({ phase: 'ew' });
  });

  it('the gateway itself held up past the backup time: the cabinet is taken up again, no override', () => {
    const core = createIntersectionCore(config, 0);
    core.observe(cab(0, { ns: 'green', ew: 'red' }));
    core.decide({ phase: 'ns', controller: 'ctl' });
    core.step(1000);
    core.observe(cab(1000, { ns: 'green', ew: 'red' }));
    // no tick for 7 s: the cabinet's control lapsed and it changed on its own plan
    expect(core.step(8000).retake).toEqual({ unheardMs: 7000 });
    const s = core.observe(cab(8000, { ns: 'red', ew: 'green' }))!;
    expect(s).toMatchObject({ phase: 'ew', interval: 'green' });
    expect(s.overrides).toEqual([]);
    expect(core.overrideCounts()).toEqual({});
  });

  it('no decision within watchdogS: the time-of-day plan runs, and control returns', () => {
    const t0 = Date.UTC(2026, 0, 15, 8, 0); // 09:00 Paris: the 'night' plan (ns 10 s, ew 12 s)
    const core = createIntersectionCore(config, t0);
    core.observe(cab(t0, { ns: 'green', ew: 'red' }));
    let entered: number | undefined;
    for (let t = t0; t < t0 + 8000; t += 1000) {
      if (core.step(t).fallback === 'entered') entered = t;
      core.observe(cab(t, { ns: 'green', ew: 'red' }));
    }
    expect(entered).toBe(t0 + 5000);
    expect(core.monitor().config.plan).toEqual(config.plans!.night);
    // the fallback ends ns after the plan's 10 s green
    let yellowAt: number | undefined;
    for (let t = t0 + 8000; t < t0 + 20_000 && yellowAt === undefined; t += 500) {
      if (core.step(t).permit?.interval === 'yellow') yellowAt = t;
      core.observe(cab(t, { ns: 'green', ew: 'red' }));
    }
    expect(yellowAt).toBe(t0 + 10_000);
    // a cabinet that follows the permits
    for (let t = t0 + 10_500; t <= t0 + 20_500; t += 1000) {
      const p = core.step(t).permit!;
      const lamp: Lamp =
        p.interval === 'green' ? 'green' : p.interval === 'yellow' ? 'yellow' : 'red';
      core.observe(cab(t, { ns: 'red', ew: 'red', [p.phase]: lamp }));
    }
    expect(core.monitor()).toMatchObject({ phase: 'ew', interval: 'green' });
    core.decide({ phase: 'ns', controller: 'ctl' });
    expect(core.step(t0 + 21_000).fallback).toBe('left');
  });
});
