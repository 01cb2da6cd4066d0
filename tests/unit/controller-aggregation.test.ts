/** Aggregation: windows, completeness, de-duplication, queues, calls and detector failure. */
import { describe, expect, it } from 'vitest';
import { addCounts, addSignal, createAggregation } from '../../controller/aggregation.ts';
import { buildView } from '../../controller/aggregation-view.ts';
import type { Counts, Signal } from '../../protocol/index.ts';
import { createMonitor, monitorStep, toSignal } from '../../signal/index.ts';
import { twoPhase } from '../fixtures/intersections.ts';

const T0 = Date.UTC(2026, 0, 1);

function counts(seq: number, toS: number, readings: Counts['detectors'], boot = 'b1'): Counts {
  return {
    v: 1,
    sensor: 'two-det',
    boot,
    seq,
    from: T0 + (toS - 1) * 1000,
    to: T0 + toS * 1000,
    detectors: readings,
  };
}

/** The signal with `phase` green since `sinceS` (through the real monitor). */
function signalAt(phase: 'ns' | 'ew', sinceS: number, atS: number): Signal {
  let s = createMonitor(twoPhase, T0 + sinceS * 1000);
  if (phase === 'ew') {
    s = monitorStep(s, T0 + (sinceS + 5) * 1000, { phase: 'ew', controller: 'c' }).state;
    s = monitorStep(s, T0 + (sinceS + 9) * 1000).state; // ew green from sinceS + 9
  }
  s = monitorStep(s, T0 + atS * 1000).state;
  return toSignal(s, T0 + atS * 1000);
}

describe('aggregation', () => {
  it('gives flows per window from counts (1 veh / 2 s = 1800 veh/h)', () => {
    const a = createAggregation(twoPhase);
    for (let t = 1; t <= 60; t++)
      addCounts(a, counts(t, t, [{ id: 'N-through-advance', count: t % 2, occupancy: 0.1 }]));
    const v = buildView(a, T0 + 60_000);
    const d = v.detectors['N-through-advance']!;
    expect(d.flowVph.m1).toBeCloseTo(1800, 6);
    expect(d.flowVph.m5).toBeCloseTo(1800, 6); // coverage-corrected: 1 min of data
    expect(d.occupancy.m1).toBeCloseTo(0.1, 6);
    expect(v.movements['N-through']!.flowVph.m1).toBeCloseTo(1800, 6);
    expect(v.movements['N-through']!.completeness).toBeLessThan(0.25); // 1 of 5 min
  });

  it('drops duplicates (same boot and seq), counts seq gaps as losses, accepts a new boot', () => {
    const a = createAggregation(twoPhase);
    const r = [{ id: 'N-through-advance', count: 1 }];
    addCounts(a, counts(1, 1, r));
    addCounts(a, counts(1, 1, r)); // duplicate delivery
    addCounts(a, counts(4, 4, r)); // 2 and 3 lost
    addCounts(a, counts(0, 5, r, 'b2')); // restart: seq 0 again, not a loss
    expect(a.stats).toMatchObject({ accepted: 3, duplicates: 1, lost: 2 });
    expect(buildView(a, T0 + 10_000).detectors['N-through-advance']!.flowVph.m1).toBeCloseTo(
      3600,
      6,
    ); // 3 vehicles in the 3 s received
  });

  it('estimates the queue from advance minus stop-bar counts, reset once discharged', () => {
    const a = createAggregation(twoPhase);
    addSignal(a, signalAt('ns', 0, 1)); // ns green: E-through red
    for (let t = 1; t <= 5; t++)
      addCounts(
        a,
        counts(t, t, [
          { id: 'E-through-advance', count: 1 },
          { id: 'E-through-stop', count: 0 },
        ]),
      );
    expect(buildView(a, T0 + 5000).movements['E-through']!.queueVeh).toBe(5);
    expect(buildView(a, T0 + 5000).movements['E-through']!.call).toBe(true);
    addSignal(a, signalAt('ew', 0, 20)); // ew green from 9 s
    for (let t = 20; t <= 22; t++)
      addCounts(
        a,
        counts(t, t, [
          { id: 'E-through-advance', count: 0 },
          { id: 'E-through-stop', count: 1 },
        ]),
      );
    expect(buildView(a, T0 + 22_000).movements['E-through']!.queueVeh).toBe(2);
    for (let t = 23; t <= 26; t++)
      addCounts(
        a,
        counts(t, t, [
          { id: 'E-through-advance', count: 0 },
          { id: 'E-through-stop', count: 0, occupancy: 0 },
        ]),
      );
    // stop bar quiet for ≥ 3 s during green: discharged
    expect(buildView(a, T0 + 26_000).movements['E-through']!.queueVeh).toBe(0);
  });

  it('raises the queue to the storage when a standing queue covers the advance detector', () => {
    const a = createAggregation(twoPhase);
    addSignal(a, signalAt('ns', 0, 1));
    addCounts(a, counts(1, 1, [{ id: 'E-through-advance', count: 0, occupancy: 1 }]));
    // 60 m / 7.5 m per vehicle × 1 lane
    expect(buildView(a, T0 + 1000).movements['E-through']!.queueVeh).toBe(8);
  });

  it('marks a detector failed after N intervals without data; its movement calls (recall)', () => {
    const a = createAggregation(twoPhase, { failAfterIntervals: 5 });
    addSignal(a, signalAt('ns', 0, 1));
    const n = [
      { id: 'N-through-stop', count: 0 },
      { id: 'N-through-advance', count: 0 },
    ];
    for (let t = 1; t <= 10; t++) addCounts(a, counts(t, t, n));
    // S-through's detectors never reported: failed 5 intervals after the first message.
    expect(buildView(a, T0 + 4_000).movements['S-through']!.failed).toBe(false);
    const v = buildView(a, T0 + 10_000);
    expect(v.detectors['S-through-stop']!.failed).toBe(true);
    expect(v.movements['S-through']).toMatchObject({ failed: true, call: true });
    // N-through reported until 10 s, then went silent.
    expect(buildView(a, T0 + 15_000).movements['N-through']!.failed).toBe(false);
    expect(buildView(a, T0 + 15_001).movements['N-through']!.failed).toBe(true);
  });

  it('marks a stop bar stuck on (occupied, no count) for stuckOnS of green as failed', () => {
    const a = createAggregation(twoPhase, { stuckOnS: 60 });
    addSignal(a, signalAt('ns', 0, 1));
    const stuck = (t: number) =>
      addCounts(
        a,
        counts(t, t, [
          { id: 'N-through-stop', count: 0, occupancy: 1 },
          { id: 'N-through-advance', count: 0 },
        ]),
      );
    for (let t = 1; t <= 59; t++) stuck(t);
    expect(buildView(a, T0 + 59_000).detectors['N-through-stop']!.failed).toBe(false);
    stuck(60);
    expect(buildView(a, T0 + 60_000).detectors['N-through-stop']!.failed).toBe(true);
  });

  it('marks a stop bar that stays silent while its advance detector counts as failed (stuck off)', () => {
    const a = createAggregation(twoPhase);
    addSignal(a, signalAt('ns', 0, 1));
    for (let t = 1; t <= 300; t++)
      addCounts(
        a,
        counts(t, t, [
          { id: 'N-through-stop', count: 0, occupancy: 0 },
          { id: 'N-through-advance', count: t % 20 === 0 ? 1 : 0 },
        ]),
      );
    const v = buildView(a, T0 + 300_000);
    expect(v.detectors['N-through-stop']!.failed).toBe(true);
    expect(v.detectors['N-through-advance']!.failed).toBe(false);
  });

  it('locks a call seen during red until the movement is green; gap from raw actuations', () => {
    const a = createAggregation(twoPhase);
    addSignal(a, signalAt('ns', 0, 1));
    addCounts(a, {
      ...counts(1, 2, [{ id: 'E-through-stop', count: 1, occupancy: 0.2 }]),
      actuations: [{ id: 'E-through-stop', onMs: T0 + 1100, offMs: T0 + 1400 }],
    });
    addCounts(a, counts(2, 3, [{ id: 'E-through-stop', count: 0, occupancy: 0 }]));
    const v = buildView(a, T0 + 3000);
    expect(v.detectors['E-through-stop']!.gapMs).toBe(1600);
    expect(v.movements['E-through']!.call).toBe(true); // the vehicle left? the call stays locked
    addSignal(a, signalAt('ew', 0, 20));
    addCounts(
      a,
      counts(3, 20, [
        { id: 'E-through-stop', count: 0, occupancy: 0 },
        { id: 'E-through-advance', count: 0, occupancy: 0 },
      ]),
    );
    expect(buildView(a, T0 + 20_000).movements['E-through']!.call).toBe(false);
  });
});
