/**
 * In-process runs (pure, as fast as the CPU allows): the engine and one built-in controller per
 * intersection on the one loop, lockstep clock.
 */
import type { IntersectionControllerFactory } from '../controller/intersection-controller.ts';
import type { Scenario } from '../protocol/index.ts';
import {
  createSimulation,
  type IntersectionMetrics,
  type RunMetrics,
  type Simulation,
  type StepOutput,
} from '../simulator/index.ts';
import { lockstep } from './clock.ts';
import { createInProcessTransport } from './in-process.ts';
import { createLoop } from './loop.ts';

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
  /** the controller implementation (default the fast one; see InProcessOptions) */
  createController?: IntersectionControllerFactory;
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
  const transport = createInProcessTransport(sim, scenario, opts.controller, {
    ...(opts.controllerOptions ? { controllerOptions: opts.controllerOptions } : {}),
    ...(opts.createController ? { createController: opts.createController } : {}),
  });
  try {
    createLoop({
      sim,
      transport,
      clock: lockstep(),
      ...(opts.onStep ? { onStep: opts.onStep } : {}),
    }).runSync();
  } finally {
    transport.close();
  }
  const report = sim.report();
  return {
    scenario: scenario.name,
    seed: sim.seed,
    controller: opts.controller,
    metrics: report.metrics,
    perIntersection: report.perIntersection,
  };
}
