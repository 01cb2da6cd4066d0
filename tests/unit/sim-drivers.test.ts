/**
 * Driver conventions (protocol/drivers.ts) in OpenPhase's engine: the HCM defaults, the older
 * top-level spellings, how much of the yellow discharges, and advance-detector occlusion.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DRIVERS,
  driversOf,
  lostTimePerPhaseS,
  type Scenario,
} from '../../protocol/index.ts';
import { createSimulation } from '../../simulator/engine.ts';
import { parseScenario, ScenarioError } from '../../simulator/scenario.ts';

/** One approach always green-then-yellow: N-through served by phase ns, a 1-lane queue. */
function oneApproach(drivers: Scenario['drivers'], extra: Partial<Scenario> = {}): Scenario {
  // ns may stay green 150 s: the occlusion case holds it while a long queue clears
  return {
    name: 'drivers',
    durationS: 600,
    arrivals: 'uniform',
    intersections: [
      {
        v: 1,
        id: 'a',
        approaches: { N: { lanes: 1 }, S: { lanes: 1 }, E: { lanes: 1 }, W: { lanes: 1 } },
        phases: [
          { id: 'ns', movements: ['N-through'], minGreenS: 5, maxGreenS: 150 },
          { id: 'ew', movements: ['E-through'], minGreenS: 5, maxGreenS: 60 },
        ],
        yellowS: 4,
        allRedS: 1,
        plan: { cycleS: 60, greenS: { ns: 20, ew: 30 } },
      },
    ],
    demand: [
      { intersection: 'a', movement: 'N-through', flowVph: 1500 },
      { intersection: 'a', movement: 'E-through', flowVph: 300 },
    ],
    ...(drivers ? { drivers } : {}),
    ...extra,
  } as Scenario;
}

function run(s: Scenario, requests?: (tS: number) => string) {
  const sim = createSimulation(parseScenario(s));
  const advance: number[] = [];
  while (!sim.done()) {
    const tS = (sim.nowMs() - sim.startAtMs) / 1000;
    const r = requests ? new Map([['a', { phase: requests(tS), controller: 't' }]]) : new Map();
    const out = sim.step(r);
    let n = 0;
    for (const c of out.counts)
      for (const d of c.message.detectors) if (d.id === 'N-through-advance') n += d.count;
    advance.push(n);
  }
  return { report: sim.report(), advance };
}

describe('driver conventions', () => {
  it('defaults to the HCM field convention; drivers wins over the older spellings', () => {
    expect(DEFAULT_DRIVERS).toEqual({ yellowUsedS: 2, startUpLostS: 2, advanceOcclusion: true });
    expect(driversOf({}, 4)).toEqual(DEFAULT_DRIVERS);
    expect(driversOf({ yellowUnusedS: 1, startupLostS: 3 }, 4)).toEqual({
      yellowUsedS: 3,
      startUpLostS: 3,
      advanceOcclusion: true,
    });
    expect(
      driversOf({ yellowUnusedS: 1, drivers: { yellowUsedS: 0.5, startUpLostS: 1 } }, 4),
    ).toMatchObject({ yellowUsedS: 0.5, startUpLostS: 1 });
    // nobody crosses on red: capped at the yellow
    expect(driversOf({ drivers: { yellowUsedS: 6 } }, 3).yellowUsedS).toBe(3);
    expect(lostTimePerPhaseS({}, 4)).toBe(4); // 2 start-up + (4 − 2) yellow not used
  });

  it('refuses a bad drivers object with the path of the field', () => {
    const bad = { ...oneApproach(undefined), drivers: { yellowUsedS: -1, stopAtYellow: true } };
    try {
      parseScenario(bad);
      expect.unreachable('a bad drivers object was accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioError);
      const paths = (e as ScenarioError).problems.map((p) => p.path);
      expect(paths).toContain('/drivers/yellowUsedS');
      expect(paths).toContain('/drivers/stopAtYellow');
    }
  });

  it('each second of yellow used and of start-up lost moves the queue discharged per cycle', () => {
    // N-through oversaturated (1500 veh/h for 20 s green in 60 s): throughput = capacity
    const plan = (tS: number) => (tS % 60 < 20 ? 'ns' : 'ew');
    const served = (d: Scenario['drivers']) => run(oneApproach(d), plan).report.metrics.served;
    const base = served({ yellowUsedS: 2, startUpLostS: 2 });
    // 2 s more of yellow used per cycle is 2 s of saturation flow (one vehicle) in each of
    // 10 cycles; 2 s more start-up lost time is one vehicle less
    expect(served({ yellowUsedS: 4, startUpLostS: 2 }) - base).toBeGreaterThanOrEqual(8);
    expect(served({ yellowUsedS: 2, startUpLostS: 4 }) - base).toBeLessThanOrEqual(-8);
    // the older spelling with the same meaning gives the very same run
    const older = { yellowUnusedS: 2, startupLostS: 2 } as Partial<Scenario>;
    expect(run(oneApproach(undefined, older), plan).report).toEqual(
      run(oneApproach({ yellowUsedS: 2, startUpLostS: 2 }), plan).report,
    );
  });

  it('occlusion: under a standing queue the advance loop counts discharge, not arrivals', () => {
    const lighter = [{ intersection: 'a', movement: 'N-through', flowVph: 900 }];
    // Long red on N, then N green for good: the queue backs over the 60 m loop, then clears.
    const phase = (tS: number) => (tS < 90 || tS >= 240 ? 'ew' : 'ns');
    // the queue has cleared by 150 s
    const on = run(oneApproach({ advanceOcclusion: true }, { demand: lighter }), phase).advance;
    const off = run(oneApproach({ advanceOcclusion: false }, { demand: lighter }), phase).advance;
    const sum = (a: number[], from: number, to: number) =>
      a.slice(from, to).reduce((x, y) => x + y, 0);
    // the vehicles are the same: once the queue has cleared, each was counted once either way
    expect(sum(on, 0, 240)).toBe(sum(off, 0, 240));
    // while red with the queue over the loop, the occluded loop stops counting...
    // (ew's max green ends it at ~65 s: the window stops before)
    expect(sum(on, 45, 65)).toBe(0);
    expect(sum(off, 45, 65)).toBeGreaterThan(4);
    // ...and counts the queue as it rolls over the loop after green starts
    expect(sum(on, 90, 130)).toBeGreaterThan(sum(off, 90, 130) + 4);
  });
});
