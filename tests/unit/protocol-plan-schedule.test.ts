import { describe, expect, it } from 'vitest';
import { createFixedTime, planPhaseAt } from '../../controller/algorithms/fixed-time.ts';
import {
  activePlan,
  type IntersectionConfig,
  localTime,
  validateIntersection,
} from '../../protocol/index.ts';

const base: IntersectionConfig = {
  v: 1,
  id: 'a',
  approaches: { N: { lanes: 1 }, S: { lanes: 1 }, E: { lanes: 1 }, W: { lanes: 1 } },
  phases: [
    { id: 'ns', movements: ['N-through', 'S-through'], minGreenS: 5, maxGreenS: 60 },
    { id: 'ew', movements: ['E-through', 'W-through'], minGreenS: 5, maxGreenS: 60 },
  ],
  yellowS: 3,
  allRedS: 1,
  plan: { cycleS: 60, greenS: { ns: 25, ew: 27 } },
  timeZone: 'Europe/Paris',
  plans: {
    night: { cycleS: 40, greenS: { ns: 15, ew: 17 } },
    am: { cycleS: 90, greenS: { ns: 50, ew: 32 } },
    day: { cycleS: 60, greenS: { ns: 25, ew: 27 } },
    sunday: { cycleS: 50, greenS: { ns: 20, ew: 22 } },
    xmas: { cycleS: 44, greenS: { ns: 18, ew: 18 } },
  },
  schedule: [
    { days: ['daily'], from: '00:00', plan: 'night' },
    { days: ['weekday'], from: '02:30', plan: 'am' },
    { days: ['weekday', 'sat'], from: '09:00', plan: 'day' },
    { days: ['sun'], from: '02:30', plan: 'sunday' },
    { days: ['holiday'], from: '06:00', plan: 'xmas' },
  ],
  holidays: ['2026-12-25'],
};

/** Epoch ms of a UTC wall time. */
const utc = (iso: string) => Date.parse(`${iso}Z`);

describe('time-of-day plan schedule', () => {
  it('reads local wall time in the zone (CET in winter, CEST in summer)', () => {
    expect(localTime(utc('2026-01-15T08:00'), 'Europe/Paris')).toEqual({
      date: '2026-01-15',
      weekday: 3,
      minutes: 9 * 60,
    });
    expect(localTime(utc('2026-07-15T08:00'), 'Europe/Paris').minutes).toBe(10 * 60);
    expect(localTime(utc('2026-07-15T23:30'), 'Europe/Paris').date).toBe('2026-07-16');
  });

  it('picks the entry with the latest start not after local time, by day type', () => {
    // Thursday 15 January 2026, 08:59 and 09:00 Paris (07:59 / 08:00 UTC).
    expect(activePlan(base, utc('2026-01-15T07:59')).id).toBe('am');
    expect(activePlan(base, utc('2026-01-15T08:00')).id).toBe('day');
    // Saturday before 09:00: the daily night plan, not the weekday am peak.
    expect(activePlan(base, utc('2026-01-17T06:00')).id).toBe('night');
    // An entry lasts past midnight until the next one: Sunday 00:00 local is 'night' (daily).
    expect(activePlan(base, utc('2026-01-18T00:30')).id).toBe('night');
    expect(activePlan(base, utc('2026-01-18T02:00')).id).toBe('sunday');
  });

  it('DST spring forward (last Sunday of March): 02:30 never shows, the plan starts at 03:00', () => {
    // 29 March 2026: 02:00 CET jumps to 03:00 CEST at 01:00 UTC.
    expect(activePlan(base, utc('2026-03-29T00:59')).id).toBe('night'); // 01:59 CET
    expect(activePlan(base, utc('2026-03-29T01:00')).id).toBe('sunday'); // 03:00 CEST
    // Monday 30 March, 02:30 CEST = 00:30 UTC (offset +2 now, not +1).
    expect(activePlan(base, utc('2026-03-30T00:29')).id).toBe('night');
    expect(activePlan(base, utc('2026-03-30T00:30')).id).toBe('am');
  });

  it('DST fall back (last Sunday of October): wall time decides in the repeated hour', () => {
    // 25 October 2026: 03:00 CEST goes back to 02:00 CET at 01:00 UTC.
    expect(activePlan(base, utc('2026-10-25T00:29')).id).toBe('night'); // 02:29 CEST
    expect(activePlan(base, utc('2026-10-25T00:30')).id).toBe('sunday'); // 02:30 CEST
    expect(activePlan(base, utc('2026-10-25T01:10')).id).toBe('night'); // 02:10 CET again
    expect(activePlan(base, utc('2026-10-25T01:30')).id).toBe('sunday'); // 02:30 CET
    // Monday 26 October, 02:30 CET = 01:30 UTC (offset +1 now).
    expect(activePlan(base, utc('2026-10-26T00:30')).id).toBe('night');
    expect(activePlan(base, utc('2026-10-26T01:30')).id).toBe('am');
  });

  it('holiday entries replace the day type on listed dates', () => {
    // Friday 25 December 2026, 10:00 Paris: a weekday, but a holiday.
    expect(activePlan(base, utc('2026-12-25T09:00')).id).toBe('xmas');
    // Before its 06:00 start the previous day's last entry (Thursday 'day') holds.
    expect(activePlan(base, utc('2026-12-25T04:00')).id).toBe('day');
    expect(activePlan(base, utc('2026-12-24T09:00')).id).toBe('day');
  });

  it('without a schedule the config plan is in force; the default zone is UTC', () => {
    const { schedule: _s, ...plain } = base;
    expect(activePlan(plain, 0)).toEqual({ id: undefined, plan: base.plan });
    const utcConfig = { ...base, timeZone: undefined };
    expect(activePlan(utcConfig, utc('2026-01-15T08:59')).id).toBe('am');
    expect(activePlan(utcConfig, utc('2026-01-15T09:00')).id).toBe('day');
  });

  it('the config checks name every schedule problem with its pointer', () => {
    const bad = {
      ...base,
      timeZone: 'Mars/Olympus',
      plans: { ...base.plans, am: { cycleS: 30, greenS: { ns: 50, xx: 10 } } },
      schedule: [...base.schedule!, { days: ['mon'], from: '07:00', plan: 'nope' }],
    };
    const r = validateIntersection(bad);
    expect(r.ok).toBe(false);
    const paths = r.ok ? [] : r.problems.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/timeZone',
        '/plans/am/greenS/xx',
        '/plans/am/cycleS',
        '/schedule/5/plan',
      ]),
    );
    expect(validateIntersection(base).ok).toBe(true);
  });

  it('fixed-time follows the schedule: the am plan at the peak, the day plan after 09:00', () => {
    const ft = createFixedTime(base);
    const wanted = (from: number) =>
      Array.from({ length: 90 }, (_, k) => {
        const t = from + k * 1000;
        const signal = { phase: 'ns', interval: 'green' as const, sinceMs: t - 10_000 };
        return ft.decide({
          atMs: t,
          config: base,
          signal: { ...signal, minEndMs: t, maxEndMs: t + 50_000 },
        } as never);
      });
    const along = (plan: string, from: number) =>
      Array.from({ length: 90 }, (_, k) => planPhaseAt(base, base.plans![plan]!, from + k * 1000));
    const am = utc('2026-01-15T06:00');
    const day = utc('2026-01-15T10:00');
    expect(wanted(am)).toEqual(along('am', am));
    expect(wanted(day)).toEqual(along('day', day));
    expect(along('am', am)).not.toEqual(along('day', am));
  });

  it('the deployment zone (--time-zone) applies when the config names none', () => {
    const { timeZone: _z, ...noZone } = base;
    // 08:30 UTC = 09:30 Paris: 'day' in Paris, still 'am' in UTC
    const at = utc('2026-01-15T08:30');
    expect(activePlan(noZone, at).id).toBe('am');
    expect(activePlan(noZone, at, 'Europe/Paris').id).toBe('day');
    const ft = createFixedTime(noZone, { timeZone: 'Europe/Paris' });
    const wanted = Array.from({ length: 90 }, (_, k) => {
      const t = at + k * 1000;
      const signal = { phase: 'ns', interval: 'green' as const, sinceMs: t - 10_000 };
      return ft.decide({
        atMs: t,
        config: noZone,
        signal: { ...signal, minEndMs: t, maxEndMs: t + 50_000 },
      } as never);
    });
    const along = (plan: string) =>
      Array.from({ length: 90 }, (_, k) => planPhaseAt(noZone, base.plans![plan]!, at + k * 1000));
    expect(wanted).toEqual(along('day'));
    expect(along('day')).not.toEqual(along('am'));
  });
});
