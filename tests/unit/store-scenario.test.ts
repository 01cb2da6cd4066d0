/**
 * The pure core of `openphase scenario from-store`: coverage (partial bins scaled, missing bins
 * filled from other days or interpolated, and reported), arrivals behind a saturated stop bar,
 * the embedded store's binning (with and without stored interval lengths), step profiles.
 */
import { describe, expect, it } from 'vitest';
import { binPoints, type DetectorBin } from '../../collector/history.ts';
import { int, type Point } from '../../collector/point.ts';
import type { IntersectionConfig } from '../../protocol/index.ts';
import { expectedVehicles, profileOf } from '../../simulator/demand.ts';
import { arrivalsBehindStopBar, greenRatio } from '../../store-scenario/arrivals.ts';
import { stepProfile } from '../../store-scenario/build.ts';
import { filledDay, foldDays } from '../../store-scenario/coverage.ts';
import { movementDemand } from '../../store-scenario/demand.ts';
import { originSummary } from '../../store-scenario/origin.ts';
import { addDays, dayOf, parseHours, windowOf } from '../../store-scenario/zone.ts';

const BIN = 900_000;
const d1 = windowOf(dayOf('2026-03-02'), 8 * 3_600_000, 9 * 3_600_000); // 4 bins
const d2 = addDays(d1, 1);
const d3 = addDays(d1, 2);
const bin = (day: typeof d1, k: number, count: number, coveredMs = BIN): DetectorBin => ({
  t: day.startMs + k * BIN,
  intersection: 'a',
  detector: 'N-through-adv',
  count,
  messages: Math.round(coveredMs / 60_000),
  coveredMs,
});

describe('coverage', () => {
  it('scales a partly covered bin to its covered time: 9 of 15 minutes, 90 vehicles → 600 veh/h', () => {
    const f = foldDays([bin(d1, 0, 90, 9 * 60_000)], [d1], BIN, 0.5).get('a\u0000N-through-adv')!;
    expect(f.coverage[0]![0]).toBeCloseTo(0.6, 9);
    expect(f.flowVph[0]![0]).toBeCloseTo(600, 9);
  });

  it('fills a missing bin with the mean of the same bin on the other days, and reports it', () => {
    const bins = [
      ...[0, 1, 2, 3].map((k) => bin(d1, k, 100)),
      bin(d2, 0, 100),
      bin(d2, 1, 10, 3 * 60_000), // 20 % covered: missing
      bin(d2, 3, 100),
      ...[0, 1, 2, 3].map((k) => bin(d3, k, 50 * (k + 1))),
    ];
    const pool = [d1, d2, d3];
    const f = foldDays(bins, pool, BIN, 0.5).get('a\u0000N-through-adv')!;
    const day2 = filledDay(f, 1, pool, BIN, { intersection: 'a', detector: 'N-through-adv' })!;
    // bin 1: (400 + 400) / 2; bin 2: (400 + 600) / 2
    expect([...day2.flowVph]).toEqual([400, 400, 500, 400]);
    expect(day2.gaps).toEqual([
      {
        intersection: 'a',
        detector: 'N-through-adv',
        date: '2026-03-03',
        from: '08:15',
        to: '08:45',
        how: 'filled',
        fromDays: ['2026-03-02', '2026-03-04'],
      },
    ]);
  });

  it('interpolates within the day when no other day has the bin, and says so', () => {
    const bins = [bin(d1, 0, 100), bin(d1, 3, 200)];
    const f = foldDays(bins, [d1], BIN, 0.5).get('a\u0000N-through-adv')!;
    const day = filledDay(f, 0, [d1], BIN, { intersection: 'a', detector: 'N-through-adv' })!;
    expect([...day.flowVph].map(Math.round)).toEqual([400, 533, 667, 800]);
    expect(day.gaps.map((g) => [g.from, g.to, g.how])).toEqual([
      ['08:15', '08:45', 'interpolated'],
    ]);
  });
});

describe('local days and bins (Europe/Paris)', () => {
  const constant = (fromMs: number, toMs: number): DetectorBin[] => {
    const out: DetectorBin[] = [];
    for (let t = fromMs; t < toMs; t += BIN)
      out.push({ t, intersection: 'a', detector: 'd', count: 100, messages: 15, coveredMs: BIN });
    return out;
  };
  const ids = { intersection: 'a', detector: 'd' };

  it('a bin is a slot of the wall clock: 08:00 in Paris is 07:00 UTC in winter', () => {
    const day = dayOf('2026-03-02', 'Europe/Paris');
    expect(day.startMs).toBe(Date.UTC(2026, 2, 1, 23));
    const f = foldDays(
      [
        {
          t: Date.UTC(2026, 2, 2, 7),
          intersection: 'a',
          detector: 'd',
          count: 50,
          messages: 15,
          coveredMs: BIN,
        },
      ],
      [day],
      BIN,
      0.5,
    ).get('a\u0000d')!;
    expect(f.flowVph[0]![32]).toBe(200); // slot 32 = 08:00–08:15
  });

  it('the day the clock goes back (25 h): the repeated hour keeps its flow, nothing missing', () => {
    const day = dayOf('2026-10-25', 'Europe/Paris');
    expect(day.endMs - day.startMs).toBe(25 * 3_600_000);
    const f = foldDays(constant(day.startMs, day.endMs), [day], BIN, 0.5).get('a\u0000d')!;
    expect(f.flowVph[0]!.length).toBe(96);
    expect(new Set(f.flowVph[0]!)).toEqual(new Set([400]));
  });

  it('the day the clock goes forward (23 h): the hour that never was is filled and reported', () => {
    const day = dayOf('2026-03-29', 'Europe/Paris');
    const before = addDays(day, -1);
    expect(day.endMs - day.startMs).toBe(23 * 3_600_000);
    const pool = [before, day];
    const f = foldDays(constant(before.startMs, day.endMs), pool, BIN, 0.5).get('a\u0000d')!;
    const filled = filledDay(f, 1, pool, BIN, ids)!;
    expect(new Set(filled.flowVph)).toEqual(new Set([400]));
    expect(filled.gaps.map((g) => [g.from, g.to, g.fromDays])).toEqual([
      ['02:00', '03:00', ['2026-03-28']],
    ]);
  });
});

describe('arrivals behind a saturated stop bar', () => {
  it('caps counts at discharge and adds the queue the next bin discharged to the stretch', () => {
    // 900 veh/h discharge; bins of 15 min; 1000 counted in bin 1 is a counting error
    const { arrivalsVph, stretches } = arrivalsBehindStopBar(
      Float64Array.from([400, 1000, 900, 700, 400]),
      900,
      BIN,
    );
    // queue left after the stretch: (700 − 400) / 4 = 75 vehicles, spread over bins 1–2
    expect(stretches).toEqual([
      {
        fromBin: 1,
        toBin: 2,
        dischargeVph: 900,
        countedVeh: 450,
        arrivalsVeh: 525,
        lowerBound: false,
      },
    ]);
    expect([...arrivalsVph]).toEqual([400, 1050, 1050, 400, 400]);
    // vehicles are conserved over the stretch and the bin that cleared it
    const total = (a: ArrayLike<number>) => Array.from(a).reduce((s, v) => s + v, 0);
    expect(total(arrivalsVph)).toBe(total([400, 900, 900, 700, 400]));
  });

  it('a stretch that reaches the end of the data is a lower bound', () => {
    const { stretches } = arrivalsBehindStopBar(Float64Array.from([400, 880, 900]), 900, BIN);
    expect(stretches[0]).toMatchObject({ fromBin: 1, toBin: 2, lowerBound: true });
  });

  it('discharge capacity from the fixed plan: (green + yellow − lost) / cycle', () => {
    const config = {
      v: 1,
      id: 'a',
      approaches: { N: { lanes: 1 }, S: { lanes: 1 }, E: { lanes: 1 }, W: { lanes: 1 } },
      phases: [
        { id: 'ns', movements: ['N-through', 'S-through'], minGreenS: 5, maxGreenS: 40 },
        { id: 'ew', movements: ['E-through', 'W-through'], minGreenS: 5, maxGreenS: 40 },
      ],
      yellowS: 3,
      allRedS: 1,
      plan: { cycleS: 60, greenS: { ns: 25, ew: 27 } },
    } satisfies IntersectionConfig;
    expect(greenRatio(config, { movements: ['N-through'] }, 3)).toBeCloseTo(25 / 60, 9);
    // a stop-bar-only movement at saturation: arrivals estimated, reported
    const stop = { id: 'N-stop', movements: ['N-through'], kind: 'stop-bar' as const };
    const day = windowOf(dayOf('2026-03-02'), 8 * 3_600_000, 10 * 3_600_000);
    const counts = [100, 190, 188, 188, 188, 150, 100, 100]; // discharge 750 veh/h = 187.5 per bin
    const bins = counts.map((count, k) => ({
      t: day.startMs + k * BIN,
      intersection: 'a',
      detector: 'N-stop',
      count,
      messages: 15,
      coveredMs: BIN,
    }));
    const r = movementDemand([{ ...config, detectors: [stop] }], bins, {
      days: [day],
      pool: [day],
      binMs: BIN,
    });
    expect(r.saturated).toEqual([
      expect.objectContaining({
        laneGroup: 'N-through',
        from: '08:15',
        to: '09:15',
        dischargeVph: 750,
      }),
    ]);
    expect(r.movements.find((m) => m.movement === 'N-through')!.source).toBe('stop-bar');
    expect(r.notes.some((n) => n.includes('S-through: no detector'))).toBe(true);
  });
});

describe('the embedded store read back', () => {
  const point = (t: number, fields: Point['fields']): Point => ({
    measurement: 'counts',
    tags: { intersection: 'a', detector: 'd', sensor: 's' },
    fields,
    timeMs: t,
  });
  it('sums counts and stored intervals per bin; a redelivered point counts once', () => {
    const p = point(d1.startMs, { count: int(5), intervalMs: int(60_000) });
    const rows = binPoints(
      [p, p, point(d1.startMs + 60_000, { count: int(2), intervalMs: int(60_000) })],
      {
        fromMs: d1.startMs,
        toMs: d1.endMs,
        binMs: BIN,
      },
    );
    expect(rows).toEqual([
      {
        t: d1.startMs,
        intersection: 'a',
        detector: 'd',
        count: 7,
        messages: 2,
        coveredMs: 120_000,
      },
    ]);
  });
  it('old points without intervalMs: the interval from their spacing', () => {
    const pts = [0, 1, 2].map((k) => point(d1.startMs + k * 60_000, { count: int(1) }));
    const [row] = binPoints(pts, { fromMs: d1.startMs, toMs: d1.endMs, binMs: BIN });
    expect(row).toMatchObject({ count: 3, messages: 3, coveredMs: 180_000, estimated: true });
  });
});

describe('the scenario', () => {
  it('a step profile keeps each bin’s vehicles', () => {
    const flows = [400, 400, 800, 200];
    const p = profileOf(stepProfile(flows, 900) as [number, number][]);
    const veh = (k: number) => expectedVehicles(p, (k + 1) * 900) - expectedVehicles(p, k * 900);
    expect(veh(0)).toBeCloseTo(100, 0);
    expect(veh(2)).toBeCloseTo(200, 0);
    expect(expectedVehicles(p, 3600)).toBeCloseTo(450, 0);
    expect(stepProfile([300, 300], 900)).toBe(300);
  });
  it('the bench keeps the origin: first intersections, days, coverage, gaps filled', () => {
    expect(
      originSummary({
        source: 'store',
        store: 'x',
        intersections: ['a', 'b', 'c', 'd', 'e'],
        days: ['2026-03-03'],
        hours: '06:00-10:00',
        timeZone: 'UTC',
        binS: 900,
        coverage: 0.944,
        gaps: [
          {
            intersection: 'a',
            detector: 'd',
            date: '2026-03-03',
            from: '07:00',
            to: '09:00',
            how: 'filled',
            fromDays: ['2026-03-02'],
          },
        ],
      }),
    ).toEqual({
      intersections: ['a', 'b', 'c', 'd'],
      intersectionCount: 5,
      days: ['2026-03-03'],
      hours: '06:00-10:00',
      timeZone: 'UTC',
      coverage: 0.944,
      filledGaps: 1,
    });
  });
  it('refuses what is not a day or a window', () => {
    expect(() => dayOf('2026-02-30')).toThrow(/not a date/);
    expect(() => parseHours('10:00-06:00')).toThrow(/time-of-day window/);
  });
});
