/**
 * The closed loop of the controller tests, on the real engine and the one loop
 * (loop/loop.ts): one intersection, its demand and detector faults as a scenario, the real
 * safety monitor, and a controller from `createIntersectionController` fed every counts and
 * signal message and asked every tick (the plain transport), in the protocol's order (counts
 * of tick t, then signal t, then the decision for t, applied from t). Deterministic per seed.
 */

import {
  createIntersectionController,
  type IntersectionControllerFactory,
  type IntersectionControllerOptions,
} from '../../controller/intersection-controller.ts';
import { createLoop, createPlainTransport, lockstep } from '../../loop/index.ts';
import {
  type Counts,
  type IntersectionConfig,
  movementsConflict,
  type Override,
  type Scenario,
  type Signal,
} from '../../protocol/index.ts';
import { createSimulation } from '../../simulator/index.ts';

export interface LoopFault {
  detector: string;
  kind: 'dropout' | 'stuck-on' | 'stuck-off';
  fromS: number;
  toS: number;
}

export interface LoopOptions {
  config: IntersectionConfig;
  algorithm: string;
  seed: number;
  durationS: number;
  /** veh/h per movement, or a function of time (s) */
  flowVph: Record<string, number> | ((tS: number) => Record<string, number>);
  arrivals?: 'poisson' | 'uniform';
  faults?: LoopFault[];
  /** ticks at which no decision is made (the controller is silent) */
  silent?: (tS: number) => boolean;
  controllerOptions?: IntersectionControllerOptions;
  /** the controller implementation (default the reference, createIntersectionController) */
  createController?: IntersectionControllerFactory;
  startAtMs?: number;
  /** sees every counts and signal message, in the order the controller gets them */
  tap?: (kind: 'counts' | 'signal', message: Counts | Signal) => void;
}

export interface LoopResult {
  decisions: string[];
  greens: { phase: string; startS: number; endS: number }[];
  clearances: { interval: string; startS: number; endS: number }[];
  overrides: Override[];
  conflicts: string[];
  arrived: number;
  served: number;
  queuedAtEnd: number;
  meanDelayS: number;
  maxWaitS: number;
  controllers: string[];
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GREEN = new Set(['protected-Movement-Allowed', 'permissive-Movement-Allowed']);

/** A flow given as a function of time, as a piecewise-linear profile that steps within 1 s. */
function profile(flowVph: LoopOptions['flowVph'], movement: string, durationS: number) {
  const at = (t: number) => (typeof flowVph === 'function' ? flowVph(t) : flowVph)[movement] ?? 0;
  const points: [number, number][] = [[0, at(0)]];
  for (let t = 1; t < durationS; t++)
    if (at(t) !== at(t - 1)) points.push([t - 0.001, at(t - 1)], [t, at(t)]);
  return points.length === 1 ? points[0]![1] : points;
}

function scenarioOf(o: LoopOptions): Scenario {
  const { config } = o;
  const movements = new Set(config.phases.flatMap((p) => p.movements));
  return {
    name: `loop-${config.id}`,
    durationS: o.durationS,
    stepS: 1,
    arrivals: o.arrivals ?? 'poisson',
    startAtMs: o.startAtMs ?? Date.UTC(2026, 0, 1),
    intersections: [config],
    demand: [...movements].map((movement) => ({
      intersection: config.id,
      movement,
      flowVph: profile(o.flowVph, movement, o.durationS),
    })),
    ...(o.faults
      ? { faults: o.faults.map((f) => ({ ...f, detector: `${config.id}/${f.detector}` })) }
      : {}),
  } as Scenario;
}

export function runLoop(o: LoopOptions): LoopResult {
  const { config } = o;
  const sim = createSimulation(scenarioOf(o), { seed: o.seed });
  const t0 = sim.startAtMs;
  const ctl = (o.createController ?? createIntersectionController)(config, o.algorithm, {
    controllerId: 'ctl',
    ...(o.controllerOptions ?? {}),
  });
  const plain = createPlainTransport(sim, [ctl]);
  const res: LoopResult = {
    decisions: [],
    greens: [],
    clearances: [],
    overrides: [],
    conflicts: [],
    arrived: 0,
    served: 0,
    queuedAtEnd: 0,
    meanDelayS: 0,
    maxWaitS: 0,
    controllers: [],
  };
  const first = sim.signal(config.id);
  let seg = { phase: first.phase, interval: first.interval as string, sinceMs: first.sinceMs };
  const closeSeg = (endS: number) => {
    const startS = (seg.sinceMs - t0) / 1000;
    if (seg.interval === 'green') res.greens.push({ phase: seg.phase, startS, endS });
    else res.clearances.push({ interval: seg.interval, startS, endS });
  };
  const see = (signal: Signal) => {
    const green = Object.keys(signal.movements).filter((m) => GREEN.has(signal.movements[m]!));
    for (let i = 0; i < green.length; i++)
      for (let j = i + 1; j < green.length; j++)
        if (movementsConflict(config, green[i]!, green[j]!))
          res.conflicts.push(`${(signal.t - t0) / 1000}: ${green[i]} + ${green[j]}`);
    if (
      signal.phase !== seg.phase ||
      signal.interval !== seg.interval ||
      signal.sinceMs !== seg.sinceMs
    ) {
      closeSeg((signal.sinceMs - t0) / 1000);
      seg = { phase: signal.phase, interval: signal.interval, sinceMs: signal.sinceMs };
    }
  };
  const taken: string[] = [];
  createLoop({
    sim,
    clock: lockstep(),
    transport: {
      ...plain,
      offer(atMs, out) {
        if (out) {
          for (const c of out.counts) o.tap?.('counts', c.message);
          const signal = out.signals[0]!.signal;
          see(signal);
          res.controllers.push(signal.controller);
          for (const x of out.overrides) res.overrides.push(x.override);
        }
        o.tap?.('signal', sim.signal(config.id));
        return plain.offer(atMs, out);
      },
      take(atMs, strict, into) {
        if (o.silent?.((atMs - t0) / 1000)) {
          into.delete(config.id);
          taken.push('');
          return;
        }
        plain.take(atMs, strict, into);
        taken.push(into.get(config.id)!.phase);
      },
    },
  }).runSync();
  // the final tick went out too: its answer is the last decision
  const last = new Map();
  if (o.silent?.(o.durationS)) taken.push('');
  else {
    plain.take(sim.nowMs(), true, last);
    taken.push(last.get(config.id).phase);
  }
  res.decisions = taken; // one per signal the controller got, from the first tick
  closeSeg(o.durationS);
  const m = sim.report().metrics;
  res.arrived = m.arrived;
  res.served = m.served;
  res.queuedAtEnd = m.queuedAtEnd;
  res.meanDelayS = m.meanDelayS;
  res.maxWaitS = m.maxWaitS;
  plain.close();
  return res;
}
