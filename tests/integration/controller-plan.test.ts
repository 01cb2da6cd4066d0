/**
 * `openphase plan` against a real InfluxDB 1.x: counts written directly in the collector's
 * schema (measurement counts, tags intersection/detector/movement, field count) for two days
 * with a N-S morning peak and an E-W evening peak give two time-of-day plans favouring each.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { formatPlans, readConfigFile, runPlan } from '../../cli/commands/plan.ts';
import { setCliLang } from '../../cli/lang.ts';
import { main } from '../../cli/main.ts';
import { detectorsOf } from '../../protocol/index.ts';
import { type InfluxDBServer, startInfluxDB } from '../../rigs/influxdb.ts';
import { twoPhase } from '../fixtures/intersections.ts';

const config = { ...twoPhase, id: 'a', plan: undefined };
const DAY = 86_400_000;
const D0 = Date.UTC(2026, 0, 5);
let influx: InfluxDBServer;

/** veh/h per movement at a time of day (ms since midnight). */
function flows(tod: number): Record<string, number> {
  const morning = tod < 12 * 3_600_000;
  return morning
    ? { 'N-through': 700, 'S-through': 600, 'E-through': 150, 'W-through': 100 }
    : { 'N-through': 120, 'S-through': 150, 'E-through': 650, 'W-through': 700 };
}

beforeAll(async () => {
  influx = await startInfluxDB();
  await influx.query('CREATE DATABASE op');
  const lines: string[] = [];
  for (let day = 0; day < 2; day++) {
    for (const [h0, h1] of [
      [7, 9],
      [16, 18],
    ]) {
      for (let m = h0! * 60; m < h1! * 60; m++) {
        const tod = m * 60_000;
        const t = D0 + day * DAY + tod;
        for (const d of detectorsOf(config)) {
          // day 2: the N-through advance detector lost half its minutes (completeness < 1)
          if (day === 1 && d.id === 'N-through-advance' && m % 2 === 0) continue;
          const f = flows(tod)[d.movements[0]!]!;
          const count = Math.floor(((m + 1) * f) / 60) - Math.floor((m * f) / 60);
          lines.push(
            `counts,detector=${d.id},intersection=a,movement=${d.movements[0]},sensor=a-det count=${count}i,seq=${m}i ${t}`,
          );
        }
      }
    }
  }
  const res = await fetch(`${influx.url}/write?db=op&precision=ms`, {
    method: 'POST',
    body: lines.join('\n'),
  });
  expect(res.status).toBe(204);
}, 60_000);

afterAll(async () => {
  await influx?.stop();
});

describe('openphase plan', () => {
  it('prints one Webster plan per time-of-day period, merging equal periods', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'op-plan-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify(config));
    const cfg = readConfigFile(join(dir, 'a.json'), 'a');
    const plans = await runPlan({
      influxUrl: influx.url,
      influxDb: 'op',
      intersection: 'a',
      fromMs: D0,
      toMs: D0 + 2 * DAY,
      periodMs: 15 * 60_000,
      config: cfg,
    });
    expect(plans.map((p) => [p.from, p.to])).toEqual([
      ['07:00', '09:00'],
      ['16:00', '18:00'],
    ]);
    const [am, pm] = plans;
    expect(am!.days).toBe(2);
    // arrivals from the advance detectors, corrected for the missing minutes
    expect(am!.flowVph['N-through']).toBeCloseTo(700, -1); // ±5 veh/h: integer minutes
    expect(am!.completeness).toBeLessThan(1);
    expect(am!.webster.plan.greenS.ns).toBeGreaterThan(am!.webster.plan.greenS.ew!);
    expect(pm!.webster.plan.greenS.ew).toBeGreaterThan(pm!.webster.plan.greenS.ns!);
    // by hand (webster.test.ts convention): y_ns = 700/1800 = 0.389, y_ew = 150/1800 = 0.083,
    // Y = 0.472, L = 8 → C0 = 17 / 0.528 = 32.2 s; g_ns = 24.2·0.389/0.472 = 19.9 → 20 s
    expect(am!.webster.plan.greenS.ns).toBe(20);
    const table = formatPlans(cfg, plans);
    expect(table.split('\n')[0]).toBe('times: local wall clock in UTC');
    expect(table.split('\n')[1]).toMatch(/^from\s+to\s+cycle\s+ns s\s+ew s\s+Y\s+data$/);
    expect(table).toContain('07:00  09:00');
  }, 30_000);

  it('reads the time of day in the deployment zone and the table names it', async () => {
    const plans = await runPlan({
      influxUrl: influx.url,
      influxDb: 'op',
      intersection: 'a',
      fromMs: D0,
      toMs: D0 + 2 * DAY,
      periodMs: 15 * 60_000,
      config,
      timeZone: 'Europe/Paris',
    });
    // January: Paris is UTC+1, so the 07:00-09:00 UTC peak is 08:00-10:00 local
    expect(plans.map((p) => [p.from, p.to])).toEqual([
      ['08:00', '10:00'],
      ['17:00', '19:00'],
    ]);
    const table = formatPlans(config, plans, 'Europe/Paris');
    expect(table.split('\n')[0]).toBe('times: local wall clock in Europe/Paris');
    expect(table).toContain('08:00  10:00');
  }, 30_000);

  /**
   * 9 one-minute counts in the 08:00–08:15 period and nothing else: the period is 60 % covered,
   * and the flow is the 9 minutes' vehicles per hour, not spread over 15 minutes. With the
   * interval stored (`intervalMs`), and for older points without it (interval from the spacing).
   */
  it.each([
    ['b', true],
    ['c', false],
  ])(
    'a period with 9 of 15 minutes of data (%s, interval stored: %s) reports 60 %% and scales the flow',
    async (id, withInterval) => {
      const t0 = D0 + 8 * 3_600_000;
      const lines: string[] = [];
      for (let m = 0; m < 9; m++) {
        for (const d of detectorsOf(config)) {
          const count = d.movements[0] === 'N-through' ? 10 : 3; // 600 and 180 veh/h
          const interval = withInterval ? ',intervalMs=60000i' : '';
          lines.push(
            `counts,detector=${d.id},intersection=${id},sensor=${id}-det count=${count}i,seq=${m}i${interval} ${t0 + m * 60_000}`,
          );
        }
      }
      const res = await fetch(`${influx.url}/write?db=op&precision=ms`, {
        method: 'POST',
        body: lines.join('\n'),
      });
      expect(res.status).toBe(204);
      const plans = await runPlan({
        influxUrl: influx.url,
        influxDb: 'op',
        intersection: id,
        fromMs: D0,
        toMs: D0 + DAY,
        periodMs: 15 * 60_000,
        config: { ...config, id },
      });
      expect(plans).toHaveLength(1);
      const [p] = plans;
      expect([p!.from, p!.to]).toEqual(['08:00', '08:15']);
      expect(p!.completeness).toBeCloseTo(0.6, 6);
      expect(p!.flowVph['N-through']).toBeCloseTo(600, 6); // 90 vehicles in 9 minutes
      expect(p!.flowVph['E-through']).toBeCloseTo(180, 6);
      expect(formatPlans({ ...config, id }, plans)).toMatch(/\b60% 1d$/m);
    },
    30_000,
  );

  it('prints the table in French with --lang fr', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'op-plan-')), 'a.json');
    writeFileSync(file, JSON.stringify(config));
    const out: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
    try {
      const code = await main([
        'plan',
        '--influx-url',
        influx.url,
        '--influx-db',
        'op',
        '--intersection',
        'a',
        '--from',
        String(D0),
        '--to',
        String(D0 + 2 * DAY),
        '--config',
        file,
        '--lang',
        'fr',
      ]);
      expect(code).toBe(0);
    } finally {
      vi.restoreAllMocks();
      setCliLang(undefined);
    }
    const [zone, head, ...rows] = out.join('\n').split('\n');
    expect(zone).toBe('heures\u202f: heure légale locale, fuseau UTC');
    expect(head).toMatch(/^de\s+à\s+cycle\s+vert ns s\s+vert ew s\s+Y\s+données$/);
    expect(rows[0]).toMatch(/^07:00 {2}09:00 .* 0,\d\d {2}\d+\s% 2 j$/);
    // no English left: neither the header words nor the day unit
    expect(out.join('\n')).not.toMatch(/times|wall clock|\bfrom\b|\bdata\b|\d+d$/m);
  }, 30_000);
});
