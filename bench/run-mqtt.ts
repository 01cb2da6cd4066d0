/**
 * One run of an external controller over MQTT, in lockstep (shell): the simulator publishes
 * config, counts and signal through the broker exactly as in the field, waits for a decision
 * per intersection or the deadline, and the safety monitor applies what came. The controller
 * is a separate program; nothing but the protocol passes between them. On another engine of
 * the registry (SUMO) the same simulation runs over that engine's run instead of OpenPhase's.
 */
import type { MqttClient } from 'mqtt';
import { type EngineRun, engineByName } from '../engines/index.ts';
import { createMqttSimulation, type MqttSimulationOptions } from '../loop/mqtt-simulation.ts';
import { topics } from '../protocol/index.ts';
import { DEFAULT_ENGINE } from './engine-names.ts';
import type { RunOutput, RunSpec } from './run-builtin.ts';
import { createConflictCounter, totalQueue } from './run-builtin.ts';

export interface MqttRunOptions {
  mqttUrl: string;
  /** the bench's own broker, in this process: the simulator's sessions of it, no connections */
  openSession?: MqttSimulationOptions['openSession'];
  /** the simulator's credential (admin on the bench's own broker) */
  username?: string;
  password?: string;
  root: string;
  deadlineMs: number;
  /** how long the first tick waits for the controller (a spawned one is still starting) */
  firstTickWaitMs: number;
  /** an admin connection used to clear the run's retained messages afterwards */
  janitor?: MqttClient;
  /** aborting ends the run (its `done` rejects) */
  signal?: AbortSignal;
  now?: () => number;
  /** the traffic engine (engines/all.ts; default openphase) */
  engine?: string;
}

/** Deletes retained config and signal of `ids` (a zero-length retained publish clears it). */
export async function clearRetained(client: MqttClient, root: string, ids: readonly string[]) {
  const t = topics(root);
  await Promise.all(
    ids.flatMap((id) =>
      [t.config(id), t.signal(id)].map((topic) =>
        client.publishAsync(topic, '', { qos: 1, retain: true }).catch(() => undefined),
      ),
    ),
  );
}

/**
 * @example await runMqtt({ scenario, seed: 1 }, { mqttUrl, username, password, root: 'traffic', deadlineMs: 1000, firstTickWaitMs: 10_000 })
 */
export async function runMqtt(spec: RunSpec, o: MqttRunOptions): Promise<RunOutput> {
  const now = o.now ?? (() => performance.now());
  const wall0 = now();
  const scenario =
    spec.startAtMs === undefined ? spec.scenario : { ...spec.scenario, startAtMs: spec.startAtMs };
  if (o.signal?.aborted) throw new Error('the bench was stopped');
  // another engine's run is made here for the run's scenario, seed and duration, closed here
  let engineRun: EngineRun | undefined;
  if (o.engine !== undefined && o.engine !== DEFAULT_ENGINE)
    engineRun = await engineByName(o.engine).create(scenario, {
      seed: spec.seed,
      ...(spec.durationS !== undefined ? { durationS: spec.durationS } : {}),
    });
  try {
    return await runOn(spec, scenario, o, now, wall0, engineRun);
  } finally {
    await engineRun?.close();
  }
}

async function runOn(
  spec: RunSpec,
  scenario: RunSpec['scenario'],
  o: MqttRunOptions,
  now: () => number,
  wall0: number,
  engineRun: EngineRun | undefined,
): Promise<RunOutput> {
  let conflicts: ReturnType<typeof createConflictCounter> | undefined;
  const run = createMqttSimulation({
    scenario,
    seed: spec.seed,
    ...(spec.durationS !== undefined ? { durationS: spec.durationS } : {}),
    mqttUrl: o.mqttUrl,
    ...(o.openSession ? { openSession: o.openSession } : {}),
    ...(o.username ? { username: o.username, password: o.password ?? '' } : {}),
    mode: 'lockstep',
    deadlineMs: o.deadlineMs,
    firstTickWaitMs: o.firstTickWaitMs,
    controller: 'mqtt',
    root: o.root,
    onStep: (out) => conflicts?.observe(out),
    ...(engineRun ? { run: engineRun } : {}),
  });
  conflicts = createConflictCounter(run.simulation);
  const stop = () => void run.close();
  o.signal?.addEventListener('abort', stop, { once: true });
  try {
    if (o.signal?.aborted) throw new Error('the bench was stopped');
    await run.start();
    const r = await run.done;
    return {
      metrics: { ...r.metrics, conflictingGreens: conflicts.count },
      queue: totalQueue(run.simulation),
      wallS: Math.round(now() - wall0) / 1000,
    };
  } finally {
    o.signal?.removeEventListener('abort', stop);
    await run.close();
    if (o.janitor)
      await clearRetained(
        o.janitor,
        o.root,
        run.simulation.configs().map((c) => c.id),
      );
  }
}
