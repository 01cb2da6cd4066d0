/**
 * In-process runs (pure, as fast as the CPU allows): the engine and one built-in controller per
 * intersection, fed exactly what an MQTT controller would receive — the counts messages of each
 * tick, then the signal of the tick — and asked for its decision on that tick (TIMING.md).
 *
 * What cannot change a decision is left out, so a run is fast without deciding differently:
 * counts go only to controllers whose algorithm reads detector data, a signal only when it
 * differs from the last in what a controller reads, and a tick is answered from the last
 * decision while the algorithm has promised the same answer (`stableUntilMs`).
 */
import {
  createIntersectionController,
  type IntersectionController,
} from '../controller/intersection-controller.ts';
import type { Scenario, Signal } from '../protocol/index.ts';
import type { Request } from '../signal/index.ts';
import { createSimulation, type Simulation, type StepOutput } from './engine.ts';
import type { IntersectionMetrics, RunMetrics } from './metrics.ts';

export interface RunResult {
  scenario: string;
  seed: number;
  controller: string;
  metrics: RunMetrics;
  perIntersection: IntersectionMetrics[];
}

export interface RunOptions {
  /** `builtin:NAME`, NAME from controller/algorithms/registry.ts */
  controller: string;
  seed?: number;
  durationS?: number;
  /** extra options for every controller instance (algorithm parameters) */
  controllerOptions?: Record<string, unknown>;
  /** called after every step (progress bars, live charts); must not throw */
  onStep?: (out: StepOutput, sim: Simulation) => void;
}

/** `builtin:NAME` → NAME; throws a plain-words error for anything else. */
export function builtinName(controller: string): string {
  const m = /^builtin:([A-Za-z0-9_-]+)$/.exec(controller);
  if (!m) throw new Error(`controller '${controller}' is not of the form builtin:NAME`);
  return m[1]!;
}

/** One built-in controller per intersection of a simulation, fed like an MQTT controller. */
export interface BuiltinControllers {
  readonly controllers: IntersectionController[];
  /**
   * feed one step's counts and signals (counts only to controllers whose algorithm reads
   * detector data: the others' decisions cannot depend on them)
   */
  observe(out: StepOutput): void;
  /** the requests answering tick `atMs` */
  decide(atMs: number, into: Map<string, Request>): void;
  close(): void;
}

export function createBuiltinControllers(
  sim: Simulation,
  scenario: Scenario,
  controller: string,
  extra: Record<string, unknown> = {},
): BuiltinControllers {
  const name = builtinName(controller);
  const configs = sim.configs();
  const controllers = configs.map((c) =>
    createIntersectionController(c, name, {
      seed: sim.seed,
      saturationFlowVphpl: scenario.saturationFlowVphpl ?? 1800,
      lostTimePerPhaseS: (scenario.startupLostS ?? 2) + (scenario.yellowUnusedS ?? 1),
      controllerId: `builtin-${name}`,
      ...extra,
    }),
  );
  const index = new Map(configs.map((c, i) => [c.id, i]));
  // Counts cannot change the decisions of an algorithm that reads no detector data (fixed-time
  // with a plan): those controllers are not fed them.
  const fed = controllers.map((c) => c.readsCounts);
  const anyFed = fed.some((x) => x);
  // One request object per (intersection, phase), reused: no allocation per decision.
  const requests = controllers.map(
    (ctl, i) =>
      new Map(configs[i]!.phases.map((p) => [p.id, { phase: p.id, controller: ctl.controllerId }])),
  );
  const ids = configs.map((c) => c.id);
  const n = controllers.length;
  // What each controller last took of its signal: the fields a controller reads (a view has
  // no `t`, and the aggregation reads `t` only to drop older signals, which never come here).
  // A signal equal in all of them changes nothing for the controller and is not passed on.
  const sigPhase: (string | undefined)[] = new Array(n).fill(undefined);
  const sigInterval: (string | undefined)[] = new Array(n).fill(undefined);
  const sigMovements: (Signal['movements'] | undefined)[] = new Array(n).fill(undefined);
  const sigSince = new Float64Array(n);
  const sigMinEnd = new Float64Array(n);
  const sigMaxEnd = new Float64Array(n);
  // Decisions held: the last request, when it was decided, until when its algorithm promised
  // the same answer for the same signal, and whether a different signal came since.
  const held: (Request | undefined)[] = new Array(n).fill(undefined);
  const heldAt = new Float64Array(n);
  const heldUntil = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  const newSignal = new Uint8Array(n).fill(1);

  function take(i: number, sig: Signal): void {
    // The engine shares one frozen movements object per signal state: the same object is the
    // same movement states (an unfrozen one could have changed in place).
    if (
      sig.movements === sigMovements[i] &&
      Object.isFrozen(sig.movements) &&
      sig.phase === sigPhase[i] &&
      sig.interval === sigInterval[i] &&
      sig.sinceMs === sigSince[i] &&
      sig.minEndMs === sigMinEnd[i] &&
      sig.maxEndMs === sigMaxEnd[i]
    )
      return;
    controllers[i]!.onSignal(sig);
    sigMovements[i] = sig.movements;
    sigPhase[i] = sig.phase;
    sigInterval[i] = sig.interval;
    sigSince[i] = sig.sinceMs;
    sigMinEnd[i] = sig.minEndMs;
    sigMaxEnd[i] = sig.maxEndMs;
    newSignal[i] = 1;
  }

  for (let i = 0; i < n; i++) take(i, sim.signal(ids[i]!));
  return {
    controllers,
    observe(out) {
      if (anyFed) {
        for (const c of out.counts) {
          const i = index.get(c.intersection)!;
          if (fed[i]) controllers[i]!.onCounts(c.message);
        }
      }
      for (let i = 0; i < out.signals.length; i++) take(i, out.signals[i]!.signal);
    },
    decide(atMs, into) {
      for (let i = 0; i < n; i++) {
        let r = held[i];
        // Ask again unless the algorithm promised this very answer (fixed-time between
        // boundaries): the same decisions as asking every tick, without the calls.
        if (r === undefined || newSignal[i] || !(atMs >= heldAt[i]! && atMs < heldUntil[i]!)) {
          const ctl = controllers[i]!;
          const phase = ctl.decide(atMs);
          r = requests[i]!.get(phase) ?? { phase, controller: ctl.controllerId };
          held[i] = r;
          heldAt[i] = atMs;
          heldUntil[i] = ctl.stableUntilMs();
          newSignal[i] = 0;
        }
        into.set(ids[i]!, r);
      }
    },
    close() {
      for (const c of controllers) c.close();
    },
  };
}

/**
 * Runs a scenario to the end with a built-in controller and returns the metrics.
 * @example const r = runScenario(await loadScenario('two-phase'), { controller: 'builtin:actuated' });
 */
export function runScenario(scenario: Scenario, opts: RunOptions): RunResult {
  const sim = createSimulation(scenario, {
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.durationS !== undefined ? { durationS: opts.durationS } : {}),
  });
  const ctl = createBuiltinControllers(sim, scenario, opts.controller, opts.controllerOptions);
  const requests = new Map<string, Request>();
  // No counts message is read when no controller is fed them and nobody watches the steps:
  // the engine then does not build them (the traffic and the detectors stay the same).
  const counts = opts.onStep !== undefined || ctl.controllers.some((c) => c.readsCounts);
  ctl.decide(sim.nowMs(), requests);
  while (!sim.done()) {
    const out = sim.step(requests, { counts });
    ctl.observe(out);
    ctl.decide(out.atMs, requests);
    opts.onStep?.(out, sim);
  }
  ctl.close();
  const report = sim.report();
  return {
    scenario: scenario.name,
    seed: sim.seed,
    controller: opts.controller,
    metrics: report.metrics,
    perIntersection: report.perIntersection,
  };
}
