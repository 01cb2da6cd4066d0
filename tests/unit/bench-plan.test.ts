/**
 * What a bench runs: controllers, seeds, clean twins, and start times that move forward
 * without changing a single number (checked against `runScenario` with the same seed).
 */
import { describe, expect, it } from 'vitest';
import {
  cleanTwin,
  meanFlow,
  parseController,
  periodMs,
  planControllers,
  seedList,
  slotStarts,
} from '../../bench/plan.ts';
import { runBuiltin } from '../../bench/run-builtin.ts';
import { createSafetyAudit } from '../../bench/safety-audit.ts';
import { runScenario } from '../../loop/index.ts';
import type { IntersectionConfig, Signal } from '../../protocol/index.ts';
import { loadScenario } from '../../simulator/index.ts';
import { twoPhase } from '../fixtures/intersections.ts';

describe('controllers and seeds', () => {
  it('parses builtin:NAME and mqtt:ID and refuses anything else in plain words', () => {
    expect(parseController('builtin:actuated')).toEqual({
      id: 'builtin:actuated',
      kind: 'builtin',
      name: 'actuated',
    });
    expect(parseController('mqtt:acme-1').kind).toBe('mqtt');
    expect(() => parseController('builtin:magic')).toThrow(/known: builtin:fixed-time/);
    expect(() => parseController('mqtt:a/b')).toThrow(/1-64 characters/);
    expect(() => parseController('acme')).toThrow(/builtin:NAME/);
  });

  it('keeps the order given, drops repeats, and puts a missing baseline first', () => {
    const ids = planControllers(['mqtt:acme', 'builtin:fixed-time', 'mqtt:acme']).map((c) => c.id);
    expect(ids).toEqual(['builtin:actuated', 'mqtt:acme', 'builtin:fixed-time']);
    expect(planControllers(['builtin:fixed-time'], 'builtin:fixed-time').map((c) => c.id)).toEqual([
      'builtin:fixed-time',
    ]);
  });

  it('needs at least 2 seeds for an interval', () => {
    expect(seedList(5)).toEqual([1, 2, 3, 4, 5]);
    expect(() => seedList(1)).toThrow(/at least 2/);
  });
});

describe('clean twins', () => {
  it('removes detector faults and keeps everything else', async () => {
    const s = await loadScenario('detector-faults');
    const twin = cleanTwin(s)!;
    expect(twin.kind).toBe('faults-removed');
    expect(twin.scenario.faults).toBeUndefined();
    expect(twin.scenario.demand).toEqual(s.demand);
  });

  it('spreads a surge evenly: the mean of the profile over the run', async () => {
    expect(meanFlow(500, 3600)).toBe(500);
    // 0–900 at 500, ramp to 1900 at 1800, back to 500 at 2700, 500 to 3600
    const profile: [number, number][] = [
      [0, 500],
      [900, 500],
      [1800, 1900],
      [2700, 500],
      [3600, 500],
    ];
    expect(meanFlow(profile, 3600)).toBeCloseTo((500 * 3600 + 0.5 * 1400 * 1800) / 3600, 3);
    expect(meanFlow(profile, 900)).toBe(500);
    const s = await loadScenario('peak-surge');
    const twin = cleanTwin(s)!;
    expect(twin.kind).toBe('demand-flattened');
    expect(twin.scenario.demand.every((d) => typeof d.flowVph === 'number')).toBe(true);
  });

  it('has none for a clean, steady scenario', async () => {
    expect(cleanTwin(await loadScenario('two-phase'))).toBeUndefined();
  });
});

describe('start times', () => {
  it('move forward by whole periods of every cycle', async () => {
    const s = await loadScenario('arterial-corridor');
    const p = periodMs(s)!;
    expect(p % 3_600_000).toBe(0);
    expect(p % 66_000).toBe(0);
    const starts = slotStarts([
      { scenario: s, durationS: 3600 },
      { scenario: s, durationS: 3600 },
      { scenario: { ...s, startAtMs: 5_000 }, durationS: 600 },
    ]);
    expect(starts[0]).toBe(Date.UTC(2026, 0, 1));
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(3600_000 + 3600_000);
    expect((starts[1]! - starts[0]!) % p).toBe(0);
    expect((starts[2]! - 5_000) % p).toBe(0);
    expect(starts[2]!).toBeGreaterThan(starts[1]! + 3600_000);
  });

  it('give the same numbers as `openphase simulate` with that seed', async () => {
    const s = await loadScenario('arterial-corridor'); // offsets: a green wave tied to the clock
    const [, later] = slotStarts([
      { scenario: s, durationS: 600 },
      { scenario: s, durationS: 600 },
    ]);
    for (const alg of ['fixed-time', 'max-pressure']) {
      const ref = runScenario(s, { controller: `builtin:${alg}`, seed: 3, durationS: 600 }).metrics;
      const got = runBuiltin(alg, {
        scenario: s,
        seed: 3,
        durationS: 600,
        startAtMs: later,
      }).metrics;
      const { decisionLatencyMs: _a, ...a } = ref;
      const { decisionLatencyMs: _b, conflictingGreens, ...b } = got;
      expect(b).toEqual(a);
      expect(conflictingGreens).toBe(0);
    }
  });
});

describe('safety audit', () => {
  const signal = (movements: Signal['movements']): Signal => ({
    v: 1,
    t: 0,
    phase: 'x',
    interval: 'green',
    sinceMs: 0,
    minEndMs: 0,
    maxEndMs: 0,
    movements,
    controller: 'c',
    overrides: [],
  });
  const permissive: IntersectionConfig = {
    ...twoPhase,
    approaches: { N: { lanes: 2 }, S: { lanes: 2 }, E: { lanes: 1 }, W: { lanes: 1 } },
    phases: [
      {
        id: 'ns',
        movements: ['N-through', 'N-left', 'S-through', 'S-left'],
        permissive: ['N-left', 'S-left'],
        minGreenS: 5,
        maxGreenS: 40,
      },
      { id: 'ew', movements: ['E-through', 'W-through'], minGreenS: 5, maxGreenS: 40 },
    ],
    plan: undefined,
  };

  it('flags crossing greens, and a green while the crossing movement is still yellow', () => {
    const a = createSafetyAudit(twoPhase);
    const ok = {
      'N-through': 'protected-Movement-Allowed',
      'S-through': 'protected-Movement-Allowed',
      'E-through': 'stop-And-Remain',
      'W-through': 'stop-And-Remain',
    } as const;
    expect(a.conflicting(signal(ok))).toBe(false);
    expect(a.conflicting(signal({ ...ok, 'E-through': 'protected-Movement-Allowed' }))).toBe(true);
    expect(a.conflicting(signal({ ...ok, 'E-through': 'protected-clearance' }))).toBe(true);
    expect(
      a.conflicting(
        signal({ ...ok, 'N-through': 'protected-clearance', 'S-through': 'protected-clearance' }),
      ),
    ).toBe(false);
  });

  it('allows a permissive left yielding to the opposing through, nothing else', () => {
    const a = createSafetyAudit(permissive);
    const base = {
      'N-through': 'protected-Movement-Allowed',
      'S-through': 'protected-Movement-Allowed',
      'N-left': 'permissive-Movement-Allowed',
      'S-left': 'permissive-Movement-Allowed',
      'E-through': 'stop-And-Remain',
      'W-through': 'stop-And-Remain',
    } as const;
    expect(a.conflicting(signal(base))).toBe(false);
    expect(a.conflicting(signal({ ...base, 'N-left': 'protected-Movement-Allowed' }))).toBe(true);
    expect(a.conflicting(signal({ ...base, 'E-through': 'protected-Movement-Allowed' }))).toBe(
      true,
    );
  });
});
