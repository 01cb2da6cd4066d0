/**
 * One run of a built-in controller, in-process, in lockstep: the one loop (loop/loop.ts) —
 * the controllers get exactly the counts and signal of each tick, as over MQTT — plus the
 * bench's safety audit, the queue series and the time each tick's decisions took. Only the
 * wall clock is impure, and it is injected.
 */
import { createInProcessTransport, createLoop, lockstep } from '../loop/index.ts';
import type { Scenario } from '../protocol/index.ts';
import { createSimulation, type Simulation, type StepOutput } from '../simulator/index.ts';
import type { BenchRunMetrics } from './metrics.ts';
import { createSafetyAudit } from './safety-audit.ts';

export interface RunSpec {
  scenario: Scenario;
  seed: number;
  durationS?: number;
  /** simulated epoch ms at t = 0 (see plan.ts slotStarts) */
  startAtMs?: number;
}

export interface RunOutput {
  metrics: BenchRunMetrics;
  /** vehicles queued over all approaches of all intersections, sampled by the simulator */
  queue: { tS: number[]; total: number[] };
  wallS: number;
}

/** Counts the ticks × intersections whose signal shows conflicting movements released together. */
export function createConflictCounter(sim: Pick<Simulation, 'configs' | 'signal'>) {
  const audits = new Map(sim.configs().map((c) => [c.id, createSafetyAudit(c)]));
  const last = new Map<string, boolean>();
  for (const c of sim.configs()) last.set(c.id, audits.get(c.id)!.conflicting(sim.signal(c.id)));
  let count = 0;
  return {
    observe(out: StepOutput): void {
      for (const s of out.signals) {
        // the signal only changes when `changed`; an unchanged one keeps its verdict
        if (s.changed || !last.has(s.intersection))
          last.set(s.intersection, audits.get(s.intersection)!.conflicting(s.signal));
        if (last.get(s.intersection)) count++;
      }
    },
    get count() {
      return count;
    },
  };
}

/** Sums the per-intersection queue series of a simulation. */
export function totalQueue(sim: Pick<Simulation, 'queueSeries'>): {
  tS: number[];
  total: number[];
} {
  const q = sim.queueSeries();
  const series = Object.values(q.byIntersection);
  return { tS: q.tS, total: q.tS.map((_, i) => series.reduce((s, xs) => s + (xs[i] ?? 0), 0)) };
}

const withStart = (s: Scenario, startAtMs: number | undefined): Scenario =>
  startAtMs === undefined ? s : { ...s, startAtMs };

/**
 * @example runBuiltin('actuated', { scenario, seed: 1 }).metrics.meanDelayS
 */
export function runBuiltin(
  algorithm: string,
  spec: RunSpec,
  now: () => number = () => performance.now(),
): RunOutput {
  const wall0 = now();
  const scenario = withStart(spec.scenario, spec.startAtMs);
  const sim = createSimulation(scenario, {
    seed: spec.seed,
    ...(spec.durationS !== undefined ? { durationS: spec.durationS } : {}),
  });
  const transport = createInProcessTransport(sim, scenario, `builtin:${algorithm}`, { now });
  const conflicts = createConflictCounter(sim);
  try {
    createLoop({
      sim,
      transport,
      clock: lockstep(),
      onStep: (out) => conflicts.observe(out),
    }).runSync();
  } finally {
    transport.close();
  }
  const { metrics } = sim.report();
  return {
    metrics: {
      ...metrics,
      decisionLatencyMs: transport.latency() ?? { p50: 0, p99: 0 },
      conflictingGreens: conflicts.count,
    },
    queue: totalQueue(sim),
    wallS: Math.round(now() - wall0) / 1000,
  };
}
