/**
 * The bench (shell): every controller runs every scenario for every seed in lockstep, the
 * safety monitor always between controller and signal; built-ins in-process, `mqtt:` ones as
 * separate programs through a real broker (the bench's own by default). Runs go slot by slot
 * — one (scenario, seed) for every controller in turn — so a long-running vendor program sees
 * simulated time only move forward (plan.ts). The result is a pure function of the runs
 * (scorecard.ts); only timing fields differ between two runs of the same command.
 */
import { arch, platform } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { DEFAULT_ROOT, type Scenario } from '../protocol/index.ts';
import {
  type CleanKind,
  cleanTwin,
  DEFAULT_BASELINE,
  DEFAULT_SEEDS,
  parseController,
  planControllers,
  seedList,
  slotStarts,
} from './plan.ts';
import { type RunOutput, runBuiltin } from './run-builtin.ts';
import { checkEngines, DEFAULT_ENGINE, runBuiltinOn } from './run-engine.ts';
import { runMqtt } from './run-mqtt.ts';
import type { BenchScenario } from './scenarios.ts';
import { buildScorecard, type RunRecord } from './scorecard.ts';
import type { Manifest, QueueSeries, ScorecardT } from './scorecard-schema.ts';
import { createVendorProcess, startBenchBroker, writeCredentialFile } from './vendor.ts';

export interface BenchOptions {
  /** `builtin:NAME` and `mqtt:ID`, in the order the report lists them */
  controllers: readonly string[];
  /** default builtin:actuated; added to the controllers if missing */
  baseline?: string;
  scenarios: readonly BenchScenario[];
  /** seeds 1…n (default 5, at least 2) */
  seeds?: number;
  /** traffic engines (engines/all.ts) every run is repeated on, the first the reference (default openphase) */
  engines?: readonly string[];
  /** simulated seconds per run instead of each scenario's own */
  durationS?: number;
  /** lockstep deadline per tick for mqtt: controllers (default 1000 ms) */
  deadlineMs?: number;
  root?: string;
  /** an external broker instead of the bench's own (the simulator's credential: admin) */
  mqtt?: { url: string; username?: string; password?: string };
  /** vendor id → command started afresh for each run */
  spawn?: Readonly<Record<string, string>>;
  /** how long to wait for a vendor program to connect / answer its first tick (default 120 s) */
  connectTimeoutS?: number;
  /** where credentials (mode 600, deleted at the end) and vendor logs go */
  workDir: string;
  /** run the clean twins of fault and surge scenarios (default true) */
  degradation?: boolean;
  /** the scenario charted over time (default: the first public surge scenario, else the first public) */
  queueScenario?: string;
  /** the command line after `openphase`, for the manifest */
  command: readonly string[];
  version: string;
  onProgress?: (p: Progress) => void;
  /** instructions for the user (never a password) */
  onNotice?: (line: string) => void;
  /** monotonic ms (default performance.now) and the wall date (default new Date) */
  now?: () => number;
  date?: () => Date;
}

export interface Progress {
  done: number;
  total: number;
  controller: string;
  scenario: string;
  seed: number;
  variant: 'main' | 'clean';
}

interface MqttSide {
  url: string;
  username?: string;
  password?: string;
  janitor: MqttClient | undefined;
  creds: Map<string, { username: string; password: string }>;
}

interface Slot {
  scenario: BenchScenario;
  run: Scenario;
  variant: 'main' | 'clean';
  seed: number;
  durationS: number;
  startAtMs: number;
}

function chooseQueueScenario(
  o: BenchOptions,
  kinds: Map<string, CleanKind | undefined>,
): string | undefined {
  if (o.queueScenario) {
    const chosen = o.scenarios.find((s) => s.name === o.queueScenario);
    if (!chosen)
      throw new Error(`--queue-scenario ${o.queueScenario} is not one of the scenarios run`);
    if (chosen.source === 'private')
      throw new Error(
        `--queue-scenario ${o.queueScenario} is private: a private scenario is never charted over time`,
      );
    return o.queueScenario;
  }
  const pub = o.scenarios.filter((s) => s.source !== 'private');
  return (pub.find((s) => kinds.get(s.name) === 'demand-flattened') ?? pub[0])?.name;
}

export function createBench(o: BenchOptions) {
  const now = o.now ?? (() => performance.now());
  const controllers = planControllers(o.controllers, o.baseline ?? DEFAULT_BASELINE);
  const seeds = seedList(o.seeds ?? DEFAULT_SEEDS);
  const engines = checkEngines(o.engines ?? [DEFAULT_ENGINE]);
  if (engines.some((e) => e !== DEFAULT_ENGINE) && controllers.some((c) => c.kind === 'mqtt'))
    throw new Error('--engine other than openphase runs built-in controllers only for now');
  const root = o.root ?? DEFAULT_ROOT;
  const deadlineMs = o.deadlineMs ?? 1000;
  const connectMs = (o.connectTimeoutS ?? 120) * 1000;
  const vendors = controllers.filter((c) => c.kind === 'mqtt').map((c) => c.name);
  for (const id of Object.keys(o.spawn ?? {}))
    if (!vendors.includes(id)) throw new Error(`--spawn ${id}=…: no controller mqtt:${id}`);
  if (o.scenarios.length === 0) throw new Error('no scenario to run');

  const kinds = new Map<string, CleanKind | undefined>();
  const slots: Omit<Slot, 'startAtMs'>[] = [];
  for (const s of o.scenarios) {
    const durationS = o.durationS ?? s.scenario.durationS;
    const twin = o.degradation === false ? undefined : cleanTwin(s.scenario, durationS);
    kinds.set(s.name, twin?.kind);
    for (const seed of seeds)
      slots.push({ scenario: s, run: s.scenario, variant: 'main', seed, durationS });
    if (twin)
      for (const seed of seeds)
        slots.push({ scenario: s, run: twin.scenario, variant: 'clean', seed, durationS });
  }
  const starts = slotStarts(slots.map((s) => ({ scenario: s.run, durationS: s.durationS })));
  const planned: Slot[] = slots.map((s, i) => ({ ...s, startAtMs: starts[i]! }));
  const queueScenario = chooseQueueScenario(o, kinds);

  let closed = false;
  const cleanups: (() => Promise<void>)[] = [];
  const abort = new AbortController();
  let current: { close(): Promise<void> } | undefined;

  async function start(): Promise<ScorecardT> {
    const startedAt = (o.date ?? (() => new Date()))().toISOString();
    const wall0 = now();
    let mqttSide: MqttSide | undefined;
    if (vendors.length > 0) mqttSide = await openMqtt();

    const runs: RunRecord[] = [];
    const queue: QueueSeries | undefined = queueScenario
      ? { scenario: queueScenario, seed: seeds[0]!, tS: [], byController: {} }
      : undefined;
    const total = planned.length * controllers.length * engines.length;
    let done = 0;
    for (const slot of planned) {
      for (const engine of engines)
        for (const c of controllers) {
          if (closed) throw new Error('the bench was stopped');
          const spec = {
            scenario: slot.run,
            seed: slot.seed,
            durationS: slot.durationS,
            startAtMs: slot.startAtMs,
          };
          let out: RunOutput;
          if (c.kind === 'builtin') {
            out =
              engine === DEFAULT_ENGINE
                ? runBuiltin(c.name, spec, now)
                : await runBuiltinOn(engine, c.name, spec, now);
            await new Promise((r) => setImmediate(r)); // let signals and the progress bar through
          } else {
            out = await runVendor(c.name, spec, mqttSide!);
          }
          runs.push({
            engine,
            controller: c.id,
            scenario: slot.scenario.name,
            variant: slot.variant,
            seed: slot.seed,
            metrics: out.metrics,
            wallS: out.wallS,
          });
          if (
            queue &&
            engine === engines[0] &&
            slot.variant === 'main' &&
            slot.scenario.name === queue.scenario &&
            slot.seed === queue.seed
          ) {
            queue.tS = out.queue.tS;
            queue.byController[c.id] = out.queue.total;
          }
          done++;
          o.onProgress?.({
            done,
            total,
            controller: c.id,
            scenario: slot.scenario.name,
            seed: slot.seed,
            variant: slot.variant,
          });
        }
    }
    const manifest: Manifest = {
      tool: 'openphase',
      version: o.version,
      protocol: 'v1',
      command: [...o.command],
      controllers: controllers.map((c) => c.id),
      engines,
      baseline: parseController(o.baseline ?? DEFAULT_BASELINE).id,
      seeds,
      lockstep: true,
      deadlineMs,
      durationS: o.durationS ?? null,
      broker: vendors.length === 0 ? 'none' : o.mqtt ? 'external' : 'embedded',
      scenarios: o.scenarios.map((s) => {
        const clean = kinds.get(s.name);
        return s.source === 'private'
          ? { name: s.name, sha256: s.sha256, source: s.source, ...(clean ? { clean } : {}) }
          : {
              name: s.name,
              sha256: s.sha256,
              source: s.source,
              durationS: o.durationS ?? s.scenario.durationS,
              intersections: s.scenario.intersections.length,
              ...(s.scenario.description ? { description: s.scenario.description } : {}),
              ...(clean ? { clean } : {}),
            };
      }),
      environment: { node: process.version, platform: `${platform()}-${arch()}` },
      startedAt,
      wallS: 0,
    };
    manifest.wallS = Math.round(now() - wall0) / 1000;
    return buildScorecard({
      manifest,
      runs,
      ...(queue && queue.tS.length > 0 ? { queueSeries: queue } : {}),
    });
  }

  async function openMqtt() {
    let url: string;
    let username: string | undefined;
    let password: string | undefined;
    const creds = new Map<string, { username: string; password: string }>();
    let connected: ((id: string) => boolean) | undefined;
    let janitorCreds: { username: string; password: string } | undefined;
    if (o.mqtt) {
      ({ url, username, password } = o.mqtt);
    } else {
      const b = await startBenchBroker(vendors);
      cleanups.push(() => b.broker.close());
      url = b.url;
      username = b.sim.username;
      password = b.sim.password;
      for (const [id, c] of b.credentials) creds.set(id, c);
      connected = b.connected;
      janitorCreds = b.janitor;
    }
    // Clears each run's retained config and signal, so a vendor program started for the next
    // run does not discover intersections of the last one. Optional on an external broker.
    const janitor = await mqtt
      .connectAsync(url, {
        clientId: janitorCreds?.username ?? `${username ?? 'openphase-bench'}-janitor`.slice(0, 64),
        ...(janitorCreds ?? (username ? { username, password: password ?? '' } : {})),
        reconnectPeriod: 1000,
        connectTimeout: 10_000,
      })
      .catch((e: Error) => {
        o.onNotice?.(`cannot clear retained messages between runs (${e.message}); continuing`);
        return undefined;
      });
    if (janitor) {
      janitor.on('error', () => {});
      cleanups.push(async () => {
        await janitor.endAsync().catch(() => undefined);
      });
    }
    const credDir = join(o.workDir, '.credentials');
    for (const id of vendors) {
      if (o.spawn?.[id]) continue;
      const c = creds.get(id);
      if (c) {
        const file = writeCredentialFile(credDir, url, root, c);
        o.onNotice?.(
          `mqtt:${id}: start your controller now with the broker address and credential in ${file} (read it with: set -a; . ${file}; set +a). It is deleted when the bench ends.`,
        );
      } else {
        o.onNotice?.(
          `mqtt:${id}: your controller must be connected to ${url} (root '${root}') with its own credential.`,
        );
      }
      if (connected) {
        const until = now() + connectMs;
        while (!connected(id)) {
          if (closed) throw new Error('the bench was stopped');
          if (now() > until)
            throw new Error(`mqtt:${id} did not connect within ${connectMs / 1000} s`);
          await new Promise((r) => setTimeout(r, 100));
        }
        o.onNotice?.(`mqtt:${id}: connected`);
      }
    }
    cleanups.push(async () => {
      const { rmSync } = await import('node:fs');
      rmSync(credDir, { recursive: true, force: true });
    });
    return {
      url,
      ...(username ? { username } : {}),
      ...(password ? { password } : {}),
      janitor,
      creds,
    };
  }

  let firstVendorRun = new Set<string>();
  async function runVendor(
    id: string,
    spec: { scenario: Scenario; seed: number; durationS: number; startAtMs: number },
    side: MqttSide,
  ): Promise<RunOutput> {
    const command = o.spawn?.[id];
    const c = side.creds.get(id);
    const proc = command
      ? createVendorProcess(
          command,
          {
            OPENPHASE_MQTT_URL: side.url,
            OPENPHASE_ROOT: root,
            ...(c
              ? { OPENPHASE_MQTT_USERNAME: c.username, OPENPHASE_MQTT_PASSWORD: c.password }
              : {}),
          },
          join(o.workDir, `${id}.log`),
        )
      : undefined;
    const first = !firstVendorRun.has(id);
    firstVendorRun.add(id);
    proc?.start();
    current = proc;
    try {
      return await runMqtt(spec, {
        mqttUrl: side.url,
        ...(side.username ? { username: side.username } : {}),
        ...(side.password ? { password: side.password } : {}),
        root,
        deadlineMs,
        // a spawned program is starting; a user-started one on an external broker may be too
        firstTickWaitMs: command || (first && o.mqtt) ? connectMs : Math.max(deadlineMs, 10_000),
        janitor: side.janitor,
        signal: abort.signal,
        now,
      });
    } finally {
      current = undefined;
      await proc?.close();
    }
  }

  return {
    controllers: controllers.map((c) => c.id),
    seeds,
    /** runs in all: slots × controllers */
    total: planned.length * controllers.length * engines.length,
    start,
    /** stops between runs, ends vendor processes, closes the broker; safe twice */
    async close(): Promise<void> {
      closed = true;
      abort.abort();
      await current?.close();
      for (const f of cleanups.splice(0).reverse()) await f().catch(() => undefined);
      firstVendorRun = new Set();
    },
  };
}
