/**
 * One run of a built-in controller on any engine of the registry (engines/all.ts): the same
 * one loop, lockstep clock, signal room, safety audit and queue series as run-builtin.ts, for
 * an engine whose step may wait (SUMO over TraCI). OpenPhase's own engine keeps the
 * synchronous fast path of run-builtin.ts.
 */
import { ENGINE_NAMES, engineByName } from '../engines/index.ts';
import { type Lang, t } from '../i18n/index.ts';
import { createInProcessTransport, createLoop, lockstep } from '../loop/index.ts';
import { DEFAULT_ENGINE } from './engine-names.ts';
import {
  createConflictCounter,
  type RunOutput,
  type RunSpec,
  runBuiltin,
  totalQueue,
} from './run-builtin.ts';

export { DEFAULT_ENGINE };

/** Checks engine names against the registry; throws naming the known ones. */
export function checkEngines(names: readonly string[], lang: Lang = 'en'): string[] {
  const out = [...new Set(names.map((n) => n.trim()).filter((n) => n.length > 0))];
  if (out.length === 0) throw new Error(t(lang, 'engines.error.none'));
  for (const n of out)
    if (!ENGINE_NAMES.includes(n))
      throw new Error(
        t(lang, 'engines.error.unknown', { name: n, known: ENGINE_NAMES.join(', ') }),
      );
  return out;
}

/**
 * @example await runBuiltinOn('sumo', 'actuated', { scenario, seed: 1 })
 */
export async function runBuiltinOn(
  engineName: string,
  algorithm: string,
  spec: RunSpec,
  now: () => number = () => performance.now(),
): Promise<RunOutput> {
  if (engineName === DEFAULT_ENGINE) return runBuiltin(algorithm, spec, now);
  const engine = engineByName(engineName);
  const wall0 = now();
  const run = await engine.create(spec.scenario, {
    seed: spec.seed,
    ...(spec.durationS !== undefined ? { durationS: spec.durationS } : {}),
    ...(spec.startAtMs !== undefined ? { startAtMs: spec.startAtMs } : {}),
  });
  try {
    const scenario =
      spec.startAtMs === undefined
        ? spec.scenario
        : { ...spec.scenario, startAtMs: spec.startAtMs };
    const transport = createInProcessTransport(run, scenario, `builtin:${algorithm}`, { now });
    const conflicts = createConflictCounter(run);
    try {
      const loop = createLoop({
        sim: run,
        transport,
        clock: lockstep(),
        onStep: (out) => conflicts.observe(out),
      });
      if (engine.async) await loop.run();
      else loop.runSync();
    } finally {
      transport.close();
    }
    const { metrics } = run.report();
    return {
      metrics: {
        ...metrics,
        decisionLatencyMs: transport.latency() ?? { p50: 0, p99: 0 },
        conflictingGreens: conflicts.count,
      },
      queue: totalQueue(run),
      wallS: Math.round(now() - wall0) / 1000,
    };
  } finally {
    await run.close();
  }
}
