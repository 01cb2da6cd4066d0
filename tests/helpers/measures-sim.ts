/**
 * A fixed-time run of one two-phase intersection with random (Poisson) arrivals, its counts
 * messages (with raw actuations) and signal messages mapped to points by the collector's own
 * mapping (collector/points.ts), ready for a sink: what the collector would have stored.
 */
import type { Point } from '../../collector/point.ts';
import { toPoints } from '../../collector/points.ts';
import { indexConfig } from '../../collector/schema.ts';
import { createInProcessTransport, createLoop, lockstep } from '../../loop/index.ts';
import type { IntersectionConfig, Scenario } from '../../protocol/index.ts';
import { createSimulation } from '../../simulator/index.ts';

export const CYCLE_S = 60;
export const GREEN_S = 26;
/** capacity of one lane at 1800 veh/h of green and an effective green of 26 s in 60 s */
export const CAPACITY_VPH = (1800 * GREEN_S) / CYCLE_S;

/** One intersection (`a`), N-S flows at `vcNS` × capacity, E-W at 0.4. */
export function fixedTimeScenario(vcNS: number, durationS = 3600, startAtMs?: number): Scenario {
  const flow = (vc: number) => Math.round(vc * CAPACITY_VPH);
  return {
    name: `measures-vc-${vcNS}`,
    seed: 11,
    durationS,
    stepS: 1,
    arrivals: 'poisson',
    saturationFlowVphpl: 1800,
    startupLostS: 2,
    yellowUnusedS: 1,
    ...(startAtMs !== undefined ? { startAtMs } : {}),
    intersections: [
      {
        id: 'a',
        approaches: { N: { lanes: 1 }, S: { lanes: 1 }, E: { lanes: 1 }, W: { lanes: 1 } },
        phases: [
          { id: 'ns', movements: ['N-through', 'S-through'], minGreenS: 5, maxGreenS: 60 },
          { id: 'ew', movements: ['E-through', 'W-through'], minGreenS: 5, maxGreenS: 60 },
        ],
        yellowS: 3,
        allRedS: 1,
        plan: { cycleS: CYCLE_S, greenS: { ns: GREEN_S, ew: GREEN_S } },
      },
    ],
    demand: [
      { intersection: 'a', movement: 'N-through', flowVph: flow(vcNS) },
      { intersection: 'a', movement: 'S-through', flowVph: flow(vcNS) },
      { intersection: 'a', movement: 'E-through', flowVph: flow(0.4) },
      { intersection: 'a', movement: 'W-through', flowVph: flow(0.4) },
    ],
  } as Scenario;
}

export interface StoredRun {
  config: IntersectionConfig;
  points: Point[];
  startMs: number;
  endMs: number;
  /** vehicles each detector counted, from the counts messages */
  counted: Map<string, number>;
}

/** Runs the scenario under builtin:fixed-time and maps everything it published to points. */
export function simulateToPoints(scenario: Scenario, seed = 1): StoredRun {
  const sim = createSimulation(scenario, { seed, actuations: true });
  const transport = createInProcessTransport(sim, scenario, 'builtin:fixed-time');
  const configs = sim.configs();
  const ctx = {
    root: 'traffic',
    intersections: new Map(configs.map((c) => [c.id, indexConfig(c)])),
    receivedMs: 0,
    rejectSeq: 0,
  };
  const points: Point[] = [];
  const counted = new Map<string, number>();
  const map = (topic: string, value: unknown) => {
    const r = toPoints(topic, JSON.stringify(value), ctx);
    points.push(...r.points);
  };
  let first = true;
  createLoop({
    sim,
    transport,
    clock: lockstep(),
    onStep(out) {
      for (const c of out.counts) {
        map(`traffic/v1/${c.intersection}/counts/${c.sensor}`, c.message);
        for (const d of c.message.detectors) counted.set(d.id, (counted.get(d.id) ?? 0) + d.count);
      }
      for (const s of out.signals)
        if (s.changed || first) map(`traffic/v1/${s.intersection}/signal`, s.signal);
      first = false;
    },
  }).runSync();
  transport.close();
  return {
    config: configs[0]!,
    points,
    startMs: sim.startAtMs,
    endMs: sim.nowMs(),
    counted,
  };
}
