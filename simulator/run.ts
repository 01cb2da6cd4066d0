/**
 * In-process runs (pure, as fast as the CPU allows): the engine and one built-in controller per
 * intersection, fed exactly what an MQTT controller would receive — the counts messages of each
 * tick, then the signal of the tick — and asked for its decision on that tick (TIMING.md).
 */
import {
  createIntersectionController,
  type IntersectionController,
} from '../controller/intersection-controller.ts';
import type { Request } from '../controller/safety-monitor.ts';
import type { Scenario } from '../protocol/index.ts';
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
  /** feed one step's counts and signals */
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
  // One request object per (intersection, phase), reused: no allocation per decision.
  const requests = controllers.map(
    (ctl, i) =>
      new Map(configs[i]!.phases.map((p) => [p.id, { phase: p.id, controller: ctl.controllerId }])),
  );
  controllers.forEach((ctl, i) => {
    ctl.onSignal(sim.signal(configs[i]!.id));
  });
  return {
    controllers,
    observe(out) {
      for (const c of out.counts) controllers[index.get(c.intersection)!]!.onCounts(c.message);
      for (let i = 0; i < out.signals.length; i++) controllers[i]!.onSignal(out.signals[i]!.signal);
    },
    decide(atMs, into) {
      for (let i = 0; i < controllers.length; i++) {
        const phase = controllers[i]!.decide(atMs);
        const id = configs[i]!.id;
        into.set(
          id,
          requests[i]!.get(phase) ?? { phase, controller: controllers[i]!.controllerId },
        );
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
  ctl.decide(sim.nowMs(), requests);
  while (!sim.done()) {
    const out = sim.step(requests);
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
