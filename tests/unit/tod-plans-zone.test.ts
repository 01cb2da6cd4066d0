/**
 * `openphase plan`'s time of day (controller/tod-plans.ts) across the Europe/Paris clock
 * changes: periods are cut on the wall clock, the repeated hour of October is one period
 * with both hours' counts (flows not doubled), and the skipped hour of March is no period.
 */
import { describe, expect, it } from 'vitest';
import { type CountRow, plansByTimeOfDay } from '../../controller/tod-plans.ts';
import { detectorsOf } from '../../protocol/index.ts';
import { twoPhase } from '../fixtures/intersections.ts';

const config = { ...twoPhase, id: 'a', plan: undefined, timeZone: 'Europe/Paris' };
const H = 3_600_000;

/** Hourly rows: `vph` vehicles on every detector per hour from `fromIso` (UTC) for `hours` h. */
function rows(fromIso: string, hours: number, vph: (utcHour: number) => number): CountRow[] {
  const t0 = Date.parse(`${fromIso}Z`);
  return Array.from({ length: hours }, (_, h) =>
    detectorsOf(config).map((d) => ({
      timeMs: t0 + h * H,
      detector: d.id,
      count: vph(h),
      messages: 3600,
    })),
  ).flat();
}

describe('time-of-day plans in the intersection zone', () => {
  it('last Sunday of October: the two 02:00 hours are one period, the flow is per hour', () => {
    // 24 October 22:00 UTC is 25 October 00:00 CEST; 25 hours of local day
    const plans = plansByTimeOfDay(
      config,
      rows('2026-10-24T22:00', 25, () => 600),
      {
        periodMs: H,
        merge: false,
      },
    );
    expect(plans.map((p) => p.from)).toEqual(
      Array.from({ length: 24 }, (_, h) => `${String(h).padStart(2, '0')}:00`),
    );
    const two = plans.find((p) => p.from === '02:00')!;
    expect(two.flowVph['N-through']).toBeCloseTo(600, 6);
    expect(two.days).toBe(1);
    expect(two.completeness).toBe(1);
  });

  it('last Sunday of March: no 02:00 period, 03:00 is the hour after 01:00 UTC', () => {
    const plans = plansByTimeOfDay(
      config,
      rows('2026-03-28T23:00', 23, (h) => (h === 2 ? 900 : 300)),
      {
        periodMs: H,
        merge: false,
      },
    );
    expect(plans).toHaveLength(23);
    expect(plans.map((p) => p.from)).not.toContain('02:00');
    // UTC hour index 2 (01:00 UTC) is 03:00 CEST
    expect(plans.find((p) => p.from === '03:00')!.flowVph['N-through']).toBeCloseTo(900, 6);
    expect(plans.find((p) => p.from === '01:00')!.flowVph['N-through']).toBeCloseTo(300, 6);
  });

  it('the deployment zone applies when the config names none; the config zone wins', () => {
    const { timeZone: _z, ...noZone } = config;
    const r = rows('2026-07-01T06:00', 1, () => 600);
    expect(plansByTimeOfDay(noZone, r, { periodMs: H })[0]!.from).toBe('06:00');
    expect(plansByTimeOfDay(noZone, r, { periodMs: H, timeZone: 'Europe/Paris' })[0]!.from).toBe(
      '08:00',
    );
    expect(
      plansByTimeOfDay(config, r, { periodMs: H, timeZone: 'America/New_York' })[0]!.from,
    ).toBe('08:00');
  });
});
