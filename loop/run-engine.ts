/**
 * A run on any engine of the registry (engines/all.ts) with built-in controllers, on the one
 * loop and the lockstep clock: OpenPhase's engine takes the synchronous path, an engine in
 * another process (SUMO) the async one, with the same controllers, signal room and metrics.
 */
import { type EngineRun, engineByName } from '../engines/index.ts';
import type { Scenario } from '../protocol/index.ts';
import type { StepOutput } from '../simulator/index.ts';
import { lockstep } from './clock.ts';
import { createInProcessTransport } from './in-process.ts';
import { createLoop } from './loop.ts';
import type { RunOptions, RunResult } from './run.ts';

export interface EngineRunOptions extends Omit<RunOptions, 'onStep'> {
  /** engine name from engines/all.ts (default openphase) */
  engine?: string;
  /** simulated epoch ms at t = 0 (default the scenario's) */
  startAtMs?: number;
  /** called after every step; must not throw */
  onStep?: (out: StepOutput, run: EngineRun) => void;
  /** aborting closes the engine (SUMO exits, its files go) and the run rejects with RunStoppedError */
  signal?: AbortSignal;
}

/** The run was stopped through its AbortSignal (SIGINT/SIGTERM in the CLI) before its end. */
export class RunStoppedError extends Error {
  readonly code = 'OP_RUN_STOPPED';
  constructor() {
    super('the run was stopped before its end: no result');
    this.name = 'RunStoppedError';
  }
}

export interface EngineRunResult extends RunResult {
  engine: string;
  /** wall time of the run itself (engine created to engine closed), seconds */
  wallS: number;
}

/**
 * @example const r = await runOnEngine(await loadScenario('two-phase'), { engine: 'sumo', controller: 'builtin:fixed-time', durationS: 600 });
 */
export async function runOnEngine(
  scenario: Scenario,
  opts: EngineRunOptions,
): Promise<EngineRunResult> {
  const engine = engineByName(opts.engine ?? 'openphase');
  await engine.check();
  const t0 = performance.now();
  const run = await engine.create(scenario, {
    ...(opts.seed !== undefined ? { seed: opts.seed } : {}),
    ...(opts.durationS !== undefined ? { durationS: opts.durationS } : {}),
    ...(opts.startAtMs !== undefined ? { startAtMs: opts.startAtMs } : {}),
  });
  // closing the engine mid-step makes the pending step reject, which ends the loop
  const onAbort = () => void run.close();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (opts.signal?.aborted) throw new RunStoppedError();
    const transport = createInProcessTransport(run, scenario, opts.controller, {
      ...(opts.controllerOptions ? { controllerOptions: opts.controllerOptions } : {}),
    });
    try {
      const loop = createLoop({
        sim: run,
        transport,
        clock: lockstep(),
        ...(opts.onStep ? { onStep: opts.onStep } : {}),
      });
      if (engine.async) await loop.run();
      else loop.runSync();
    } catch (e) {
      throw opts.signal?.aborted ? new RunStoppedError() : e;
    } finally {
      transport.close();
    }
    const report = run.report();
    return {
      engine: engine.name,
      scenario: scenario.name,
      seed: run.seed,
      controller: opts.controller,
      metrics: report.metrics,
      perIntersection: report.perIntersection,
      wallS: Math.round(performance.now() - t0) / 1000,
    };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    await run.close();
  }
}
