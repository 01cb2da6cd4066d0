/**
 * One run of a vendor (`mqtt:`) controller (shell): its program started for the run when the
 * bench spawns it, the MQTT run in lockstep, the program stopped, the run's retained messages
 * cleared. Shared by the bench's main thread and its worker threads (run-worker.ts).
 */
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { Broker } from '../broker/index.ts';
import type { MqttSide } from './mqtt-side.ts';
import type { RunOutput, RunSpec } from './run-builtin.ts';
import { runMqtt } from './run-mqtt.ts';
import type { SpawnAhead } from './spawn-ahead.ts';
import { createVendorProcess, type VendorCredential, type VendorProcess } from './vendor.ts';

export type { MqttSide };

export interface VendorRunOptions {
  /** the broker of the run (none with `ahead`: each run then gets one of the lane's two) */
  side?: MqttSide;
  root: string;
  deadlineMs: number;
  /** how long the first tick waits for the program */
  firstTickWaitMs: number;
  /** the command starting the program afresh for this run; none: the user runs it */
  command?: string;
  /** where the program's output goes (appended) */
  workDir: string;
  signal: AbortSignal;
  /** the program under way, so a close() can stop it */
  running: Set<VendorProcess>;
  now?: () => number;
  /** the traffic engine (engines/all.ts; default openphase) */
  engine?: string;
  /**
   * programs kept running from one run to the next, by vendor id (--reuse-spawned): started on
   * the first run, stopped by the caller. Only with a janitor: the clearing of each run's
   * retained config is what tells the program the run is over.
   */
  kept?: Map<string, VendorProcess>;
  /** fresh programs started one run ahead on the lane's two brokers (spawn-ahead.ts) */
  ahead?: SpawnAhead;
  /** with `ahead`: start the program of the lane's next run too (default true) */
  startNext?: boolean;
}

/**
 * The simulator's way into a broker of this thread: sessions of it, checked by its gatekeeper
 * like connections, without MQTT packets (the vendor's program still connects over TCP).
 */
export function inProcessSessions(
  broker: Pick<Broker, 'openSession'>,
): NonNullable<MqttSide['openSession']> {
  return (clientId, credentials) => broker.openSession(clientId, credentials);
}

/**
 * Connects the admin connection that clears retained messages between runs; undefined (and
 * `onFail` told why) when it cannot.
 */
export async function connectJanitor(
  url: string,
  clientId: string,
  creds: VendorCredential | undefined,
  onFail: (message: string) => void = () => {},
): Promise<MqttClient | undefined> {
  const janitor = await mqtt
    .connectAsync(url, {
      clientId,
      ...(creds ? { username: creds.username, password: creds.password } : {}),
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
    })
    .catch((e: Error) => {
      onFail(e.message);
      return undefined;
    });
  janitor?.on('error', () => {});
  return janitor;
}

/** Starts vendor `id`'s program for a run on `side` (its output appended to OUT/ID.log). */
export function spawnProgram(
  id: string,
  command: string,
  side: MqttSide,
  o: Pick<VendorRunOptions, 'root' | 'workDir' | 'running'>,
): VendorProcess {
  const c = side.creds.get(id);
  const p = createVendorProcess(
    command,
    {
      OPENPHASE_MQTT_URL: side.url,
      OPENPHASE_ROOT: o.root,
      ...(c ? { OPENPHASE_MQTT_USERNAME: c.username, OPENPHASE_MQTT_PASSWORD: c.password } : {}),
    },
    join(o.workDir, `${id}.log`),
  );
  o.running.add(p);
  p.start();
  return p;
}

/**
 * The run's broker and program (started ahead, kept from the lane's last run, or fresh), and
 * what becomes of the program once the run is over (`after`).
 */
async function programFor(
  id: string,
  o: VendorRunOptions,
): Promise<{ side: MqttSide; proc: VendorProcess | undefined; after(): Promise<void> }> {
  const command = o.command;
  const stop = (p: VendorProcess) => p.close().then(() => void o.running.delete(p));
  const nothing = async () => {};
  if (o.ahead && command && !o.kept) {
    const run = await o.ahead.take(
      id,
      command,
      (on) => spawnProgram(id, command, on, o),
      o.startNext ?? true,
    );
    return {
      side: run.side,
      proc: run.program,
      // stopped while the lane goes on with its next run on the other broker
      async after() {
        run.release();
        void stop(run.program);
      },
    };
  }
  const side = o.side;
  if (!side) throw new Error(`no broker for the run of ${id}`);
  if (!command) return { side, proc: undefined, after: nothing };
  if (!o.kept || !side.janitor) {
    const proc = spawnProgram(id, command, side, o);
    return { side, proc, after: () => stop(proc) };
  }
  let proc = o.kept.get(id);
  // one that ended (crashed) is replaced: the run then starts from a fresh program anyway
  if (!proc || proc.exited() !== undefined) {
    if (proc) void stop(proc);
    proc = spawnProgram(id, command, side, o);
    o.kept.set(id, proc);
  }
  return { side, proc, after: nothing };
}

/** @example await runVendor('acme', spec, { side, root: 'traffic', deadlineMs: 1000, … }) */
export async function runVendor(
  id: string,
  spec: RunSpec,
  o: VendorRunOptions,
): Promise<RunOutput> {
  const { side, proc, after } = await programFor(id, o);
  // a program that ends by itself ends its run: scoring it on missed deadlines would hide a
  // typo in --spawn or a crash behind a plausible scorecard
  const run = new AbortController();
  const stop = () => run.abort();
  o.signal.addEventListener('abort', stop, { once: true });
  if (o.signal.aborted) run.abort();
  let ended: string | undefined;
  let over = false;
  proc?.onExit((how) => {
    if (over) return;
    ended = how;
    run.abort();
  });
  try {
    return await runMqtt(spec, {
      mqttUrl: side.url,
      ...(side.openSession ? { openSession: side.openSession } : {}),
      ...(side.username ? { username: side.username } : {}),
      ...(side.password ? { password: side.password } : {}),
      root: o.root,
      deadlineMs: o.deadlineMs,
      firstTickWaitMs: o.firstTickWaitMs,
      janitor: side.janitor,
      signal: run.signal,
      ...(o.now ? { now: o.now } : {}),
      ...(o.engine ? { engine: o.engine } : {}),
    });
  } catch (e) {
    if (ended === undefined || o.signal.aborted) throw e;
    throw new Error(
      `mqtt:${id}: its program ended (${ended}) during the run of ${spec.scenario.name} ` +
        `seed ${spec.seed}; its output is in ${join(o.workDir, `${id}.log`)}`,
    );
  } finally {
    over = true;
    o.signal.removeEventListener('abort', stop);
    await after();
  }
}
