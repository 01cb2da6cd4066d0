/**
 * The bench (shell): every controller runs every scenario for every seed in lockstep, on every
 * engine asked for, the safety monitor always between controller and signal; built-ins
 * in-process, `mqtt:` ones as separate programs through a real broker (the bench's own by
 * default). Up to `parallel` runs go at once (scheduler.ts): built-ins and vendor programs the
 * bench starts itself on worker threads (each with its own broker), while a vendor program the
 * user started serves its runs one after the other in slot order — one (scenario, seed,
 * engine) after the other — so it sees simulated time only move forward (plan.ts). The result
 * is a pure function of the runs (scorecard.ts); only timing fields differ between two runs of
 * the same command, whatever `parallel` is.
 */
import { arch, availableParallelism, platform } from 'node:os';
import { join } from 'node:path';
import { type Lang, t } from '../i18n/index.ts';
import { DEFAULT_ROOT, type Scenario } from '../protocol/index.ts';
import { originSummary } from '../store-scenario/origin.ts';
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
import { type RunOutput, type RunSpec, runBuiltin } from './run-builtin.ts';
import { checkEngines, DEFAULT_ENGINE, runBuiltinOn } from './run-engine.ts';
import type { BenchScenario } from './scenarios.ts';
import { type Job, runJobs } from './scheduler.ts';
import { buildScorecard, type RunRecord } from './scorecard.ts';
import type { Manifest, QueueSeries, ScorecardT } from './scorecard-schema.ts';
import { startBenchBroker, type VendorProcess, writeCredentialFile } from './vendor.ts';
import { connectJanitor, inProcessSessions, type MqttSide, runVendor } from './vendor-run.ts';
import { createWorkerPool, type RunPool } from './worker-pool.ts';

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
  /**
   * start each spawned program once per lane and keep it for the lane's runs: for a program
   * that forgets an intersection when its retained config is cleared (docs/protocol.md)
   */
  reuseSpawned?: boolean;
  /** how long to wait for a vendor program to connect / answer its first tick (default 120 s) */
  connectTimeoutS?: number;
  /** where credentials (mode 600, deleted at the end) and vendor logs go */
  workDir: string;
  /** run the clean twins of fault and surge scenarios (default true) */
  degradation?: boolean;
  /** the scenario charted over time (default: the first public surge scenario, else the first public) */
  queueScenario?: string;
  /** runs at once (default: defaultParallel()); 1 runs everything on this thread, in order */
  parallel?: number;
  /** the command line after `openphase`, for the manifest */
  command: readonly string[];
  version: string;
  onProgress?: (p: Progress) => void;
  /** instructions for the user (never a password) */
  onNotice?: (line: string) => void;
  /** the language of notices and errors a person reads (default en) */
  lang?: Lang;
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
  /** runs still under way when this one finished */
  running?: number;
}

/**
 * Runs at once by default: as many as the cores (at least 2, so one lane is left to vendor runs
 * on a single core), whatever the load. A built-in run computes every tick, so built-in runs go
 * on at most `cores` lanes (cpuLanes); a vendor run over MQTT mostly waits on its lockstep round
 * trip, but on 2 cores a third lane costs more than it saves: measured with the default suite
 * (docs/benchmark.md, "How long it takes"), 2 lanes took 49.8 and 61 s where 3 took 53 and
 * 69.6 s, each pair in one run on a quiet machine, with less CPU too.
 */
export function defaultParallel(cores = availableParallelism()): number {
  return Math.max(2, cores);
}

/**
 * CPU-bound (built-in) runs at once at most: no more than the cores, and with runs that wait
 * (vendor runs) to do as well, at least one lane left to them so the long ones start at once.
 */
export function cpuLanes(
  poolSize: number,
  waiting: boolean,
  cores = availableParallelism(),
): number {
  return Math.max(1, Math.min(cores, waiting ? poolSize - 1 : poolSize));
}

/** Checks a --parallel value: an integer from 1 to 64. */
export function checkParallel(n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > 64)
    throw new Error(`--parallel must be an integer from 1 to 64, got ${n}`);
  return n;
}

interface Slot {
  scenario: BenchScenario;
  run: Scenario;
  variant: 'main' | 'clean';
  seed: number;
  durationS: number;
  /** the traffic engine this slot runs on (engines/all.ts) */
  engine: string;
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
  const lang = o.lang ?? 'en';
  const engines = checkEngines(o.engines ?? [DEFAULT_ENGINE], lang);
  const root = o.root ?? DEFAULT_ROOT;
  const deadlineMs = o.deadlineMs ?? 1000;
  const connectMs = (o.connectTimeoutS ?? 120) * 1000;
  const parallel = checkParallel(o.parallel ?? defaultParallel());
  const vendors = controllers.filter((c) => c.kind === 'mqtt').map((c) => c.name);
  for (const id of Object.keys(o.spawn ?? {}))
    if (!vendors.includes(id)) throw new Error(`--spawn ${id}=…: no controller mqtt:${id}`);
  if (o.scenarios.length === 0) throw new Error('no scenario to run');

  const kinds = new Map<string, CleanKind | undefined>();
  const slots: Omit<Slot, 'startAtMs' | 'engine'>[] = [];
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
  // each slot once per engine, each with its own start: a vendor program the user started then
  // sees simulated time only move forward from one engine's run to the next as well (a shift
  // by the scenario's period changes no result, plan.ts)
  const perEngine = slots.flatMap((s) => engines.map((engine) => ({ ...s, engine })));
  const starts = slotStarts(perEngine.map((s) => ({ scenario: s.run, durationS: s.durationS })));
  const planned: Slot[] = perEngine.map((s, i) => ({ ...s, startAtMs: starts[i]! }));
  const queueScenario = chooseQueueScenario(o, kinds);

  // Every run, slot by slot, and where it may go: a worker thread, unless it is a vendor
  // program the bench does not start itself (one program serves all its runs, in order) or
  // runs on an external broker (runs of one scenario would share its topics).
  // Each slot on every engine in turn (the first is the reference), every controller.
  const runs = planned.flatMap((slot) =>
    controllers.map((c) => ({ slot, c, engine: slot.engine })),
  );
  const onWorker = (c: (typeof controllers)[number]) =>
    parallel > 1 && (c.kind === 'builtin' || (o.spawn?.[c.name] !== undefined && !o.mqtt));
  const jobs: Job[] = runs.map(({ slot, c, engine }) => ({
    lane: onWorker(c) ? 'pool' : 'main',
    bound: c.kind === 'mqtt' ? 'round-trip' : 'cpu',
    // an MQTT run waits on round trips: far longer than a built-in one per tick
    cost:
      (slot.durationS / (slot.run.stepS ?? 1)) *
      slot.run.intersections.length *
      (c.kind === 'mqtt' || engine !== DEFAULT_ENGINE ? 100 : 1),
  }));
  const mainLane = jobs.some((j) => j.lane === 'main');
  // at most `parallel` at once, the main lane included
  const poolSize = Math.max(1, parallel - (mainLane ? 1 : 0));
  const cpuPool = jobs.filter((j) => j.lane === 'pool' && j.bound === 'cpu').length;
  const waitPool = jobs.filter((j) => j.lane === 'pool' && j.bound !== 'cpu').length;
  const cpuLaneCount = cpuLanes(poolSize, waitPool > 0);
  // the most runs that can be under way together (built-ins alone: no more than the cores)
  const atOnce = Math.max(
    1,
    Math.min(poolSize, Math.min(cpuPool, cpuLaneCount) + waitPool) + (mainLane ? 1 : 0),
  );

  let closed = false;
  const cleanups: (() => Promise<void>)[] = [];
  const abort = new AbortController();
  const running = new Set<VendorProcess>();
  let pool: RunPool | undefined;

  async function start(): Promise<ScorecardT> {
    const startedAt = (o.date ?? (() => new Date()))().toISOString();
    const wall0 = now();
    // the main thread's broker: only for vendor runs on the main lane
    let mqttSide: MqttSide | undefined;
    if (runs.some(({ c }, i) => c.kind === 'mqtt' && jobs[i]!.lane === 'main'))
      mqttSide = await openMqtt();
    if (jobs.some((j) => j.lane === 'pool')) {
      pool = createWorkerPool(poolSize, { vendors });
      const p = pool;
      cleanups.push(() => p.close());
    }

    const specOf = (slot: Slot): RunSpec => ({
      scenario: slot.run,
      seed: slot.seed,
      durationS: slot.durationS,
      startAtMs: slot.startAtMs,
    });
    const firstVendorRun = new Set<string>();
    // spawned runs of each vendor not yet under way: with fewer than a lane each still to
    // come, a lane starts no program ahead (it might get none of them: a program for nothing)
    const toCome = new Map<string, number>();
    runs.forEach(({ c }, i) => {
      if (c.kind === 'mqtt' && jobs[i]!.lane === 'pool')
        toCome.set(c.name, (toCome.get(c.name) ?? 0) + 1);
    });
    const keptOnMain = new Map<string, VendorProcess>();
    let done = 0;
    const outs = await runJobs<RunOutput>(jobs, {
      poolSize,
      cpuLanes: cpuLaneCount,
      runPool(i) {
        if (closed) return Promise.reject(new Error('the bench was stopped'));
        const { slot, c, engine } = runs[i]!;
        const left = c.kind === 'mqtt' ? (toCome.get(c.name) ?? 1) - 1 : 0;
        if (c.kind === 'mqtt') toCome.set(c.name, left);
        return pool!.run(
          c.kind === 'builtin'
            ? { kind: 'builtin', algorithm: c.name, spec: specOf(slot), engine }
            : {
                kind: 'vendor',
                id: c.name,
                command: o.spawn![c.name]!,
                spec: specOf(slot),
                root,
                deadlineMs,
                firstTickWaitMs: connectMs, // a spawned program is starting
                workDir: o.workDir,
                engine,
                ...(o.reuseSpawned ? { reuse: true } : {}),
                ...(left < poolSize ? { startNext: false } : {}),
              },
        );
      },
      async runMain(i) {
        if (closed) throw new Error('the bench was stopped');
        const { slot, c, engine } = runs[i]!;
        if (c.kind === 'builtin') {
          const out =
            engine === DEFAULT_ENGINE
              ? runBuiltin(c.name, specOf(slot), now)
              : await runBuiltinOn(engine, c.name, specOf(slot), now);
          await new Promise((r) => setImmediate(r)); // let signals and the progress bar through
          return out;
        }
        const command = o.spawn?.[c.name];
        const first = !firstVendorRun.has(c.name);
        firstVendorRun.add(c.name);
        return runVendor(c.name, specOf(slot), {
          side: mqttSide!,
          root,
          deadlineMs,
          // a spawned program is starting; a user-started one on an external broker may be too
          firstTickWaitMs: command || (first && o.mqtt) ? connectMs : Math.max(deadlineMs, 10_000),
          ...(command ? { command } : {}),
          workDir: o.workDir,
          signal: abort.signal,
          running,
          now,
          engine,
          ...(o.reuseSpawned ? { kept: keptOnMain } : {}),
        });
      },
      onDone(i, _out, stillRunning) {
        const { slot, c } = runs[i]!;
        done++;
        o.onProgress?.({
          done,
          total: runs.length,
          controller: c.id,
          scenario: slot.scenario.name,
          seed: slot.seed,
          variant: slot.variant,
          running: stillRunning,
        });
      },
    });

    const records: RunRecord[] = [];
    const queue: QueueSeries | undefined = queueScenario
      ? { scenario: queueScenario, seed: seeds[0]!, tS: [], byController: {} }
      : undefined;
    runs.forEach(({ slot, c, engine }, i) => {
      const out = outs[i]!;
      records.push({
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
    });
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
              ...(s.scenario.origin
                ? { origin: originSummary(s.scenario.origin, s.scenario.intersections) }
                : {}),
              ...(clean ? { clean } : {}),
            };
      }),
      environment: { node: process.version, platform: `${platform()}-${arch()}` },
      startedAt,
      parallel: atOnce,
      wallS: 0,
    };
    manifest.wallS = Math.round(now() - wall0) / 1000;
    return buildScorecard({
      manifest,
      runs: records,
      ...(queue && queue.tS.length > 0 ? { queueSeries: queue } : {}),
    });
  }

  async function openMqtt(): Promise<MqttSide> {
    let url: string;
    let username: string | undefined;
    let password: string | undefined;
    const creds = new Map<string, { username: string; password: string }>();
    let connected: ((id: string) => boolean) | undefined;
    let openSession: MqttSide['openSession'];
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
      openSession = inProcessSessions(b.broker);
    }
    // Clears each run's retained config and signal, so a vendor program started for the next
    // run does not discover intersections of the last one. Optional on an external broker.
    const janitor = await connectJanitor(
      url,
      janitorCreds?.username ?? `${username ?? 'openphase-bench'}-janitor`.slice(0, 64),
      janitorCreds ?? (username ? { username, password: password ?? '' } : undefined),
      (message) => o.onNotice?.(t(lang, 'vendor.noJanitor', { message })),
    );
    if (janitor)
      cleanups.push(async () => {
        await janitor.endAsync().catch(() => undefined);
      });
    const credDir = join(o.workDir, '.credentials');
    for (const id of vendors) {
      if (o.spawn?.[id]) continue;
      const c = creds.get(id);
      if (c) {
        const file = writeCredentialFile(credDir, url, root, c);
        o.onNotice?.(t(lang, 'vendor.credential', { id, file }));
      } else {
        o.onNotice?.(t(lang, 'vendor.external', { id, url, root }));
      }
      if (connected) {
        const until = now() + connectMs;
        while (!connected(id)) {
          if (closed) throw new Error('the bench was stopped');
          if (now() > until)
            throw new Error(t(lang, 'vendor.noConnect', { id, seconds: connectMs / 1000 }));
          await new Promise((r) => setTimeout(r, 100));
        }
        o.onNotice?.(t(lang, 'vendor.connected', { id }));
      }
    }
    cleanups.push(async () => {
      const { rmSync } = await import('node:fs');
      rmSync(credDir, { recursive: true, force: true });
    });
    return {
      url,
      ...(openSession ? { openSession } : {}),
      ...(username ? { username } : {}),
      ...(password ? { password } : {}),
      janitor,
      creds,
    };
  }

  return {
    controllers: controllers.map((c) => c.id),
    seeds,
    /** runs in all: slots × engines × controllers */
    total: runs.length,
    /** runs at once at most */
    parallel: atOnce,
    start,
    /** stops the runs under way, ends vendor processes and workers, closes the broker; safe twice */
    async close(): Promise<void> {
      closed = true;
      abort.abort();
      await Promise.all([...running].map((p) => p.close()));
      for (const f of cleanups.splice(0).reverse()) await f().catch(() => undefined);
    },
  };
}
