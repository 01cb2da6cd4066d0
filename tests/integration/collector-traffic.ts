/**
 * Test traffic for the collector's integration tests and bench: deterministic counts messages
 * from many sensors, their expected per-sensor totals, a paced QoS 1 publisher, and a collector
 * run as a child process (`openphase collector`) for the crash tests.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { BIN } from '../../rigs/openphase.ts';
import { countsAt } from '../helpers/counts.ts';

/**
 * An hour ago, on a whole second: `openphase collector` refuses timestamps further than a day
 * from its clock, and a run sends at most a few hours of one-second intervals.
 */
export const T0 = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
export const DETECTORS = ['N-through-stop', 'E-through-stop'];

export interface Traffic {
  messages: Array<[topic: string, payload: string]>;
  /** per sensor: points and the sum of `count` */
  expected: Map<string, { points: number; sum: number }>;
  points: number;
}

/** `perSensor` messages from each of `sensors` sensors spread over `intersections`, interleaved. */
export function makeTraffic(opts: {
  sensors: number;
  perSensor: number;
  intersections?: number;
  detectors?: number;
  seed?: number;
  prefix?: string;
}): Traffic {
  const ics = opts.intersections ?? 5;
  const dets = DETECTORS.slice(0, opts.detectors ?? 2);
  const seed = opts.seed ?? 6;
  const prefix = opts.prefix ?? 's';
  const messages: Traffic['messages'] = [];
  const expected = new Map<string, { points: number; sum: number }>();
  for (let seq = 0; seq < opts.perSensor; seq++) {
    for (let s = 0; s < opts.sensors; s++) {
      const sensor = `${prefix}${s}`;
      const ic = `i${s % ics}`;
      const detectors = dets.map((id, d) => ({
        id,
        count: (seq * 7 + s * 3 + d + seed) % 11,
        occupancy: ((seq + s) % 10) / 10,
      }));
      const msg = countsAt(T0, sensor, seq, detectors);
      messages.push([`traffic/v1/${ic}/counts/${sensor}`, JSON.stringify(msg)]);
      const e = expected.get(sensor) ?? { points: 0, sum: 0 };
      e.points += detectors.length;
      e.sum += detectors.reduce((n, d) => n + d.count, 0);
      expected.set(sensor, e);
    }
  }
  const points = [...expected.values()].reduce((n, e) => n + e.points, 0);
  return { messages, expected, points };
}

/**
 * Publishes at QoS 1 with at most `window` unacknowledged publishes; `ratePerS` paces it.
 * `onProgress(sent)` runs after each window.
 */
export async function publishAll(
  client: MqttClient,
  messages: Array<[string, string | Buffer]>,
  opts: {
    window?: number;
    ratePerS?: number;
    onProgress?: (sent: number) => Promise<void> | void;
  } = {},
) {
  const window = opts.window ?? 500;
  const t0 = performance.now();
  for (let i = 0; i < messages.length; i += window) {
    const chunk = messages.slice(i, i + window);
    await Promise.all(chunk.map(([t, p]) => client.publishAsync(t, p, { qos: 1 })));
    await opts.onProgress?.(i + chunk.length);
    if (opts.ratePerS) {
      const due = t0 + ((i + chunk.length) / opts.ratePerS) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }
}

export async function connect(url: string, clientId: string) {
  return mqtt.connectAsync(url, { clientId, clean: true, reconnectPeriod: 200 });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true or `timeoutMs` passes (then throws with `what`). */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface CollectorProcess {
  child: ChildProcess;
  ready: Promise<void>;
  output(): string;
  kill9(): Promise<void>;
  stop(): Promise<void>;
}

/** `openphase collector …` in its own process; `ready` once it printed its ready line. */
export function spawnCollector(args: string[]): CollectorProcess {
  const child = spawn(process.execPath, [BIN, 'collector', ...args], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const ready = new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d) => {
      out = (out + d).slice(-20_000);
      if (out.includes('"ready":true')) resolve();
    });
    child.stderr?.on('data', (d) => {
      out = (out + d).slice(-20_000);
    });
    child.once('exit', (code) =>
      reject(new Error(`collector exited (${code}) before ready:\n${out}`)),
    );
  });
  ready.catch(() => {});
  return {
    child,
    ready,
    output: () => out,
    async kill9() {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** `SELECT count, sum … GROUP BY sensor` from InfluxDB, as the same shape as `expected`. */
export async function totalsBySensor(
  query: (
    q: string,
    db?: string,
  ) => Promise<{
    results: Array<{ series?: Array<{ tags?: Record<string, string>; values: unknown[][] }> }>;
  }>,
  db: string,
) {
  const r = await query('SELECT count("count"), sum("count") FROM "counts" GROUP BY "sensor"', db);
  const out = new Map<string, { points: number; sum: number }>();
  for (const s of r.results[0]?.series ?? []) {
    const row = s.values[0]!;
    out.set(s.tags!.sensor!, { points: Number(row[1]), sum: Number(row[2]) });
  }
  return out;
}

export function totalPoints(m: Map<string, { points: number }>) {
  return [...m.values()].reduce((n, e) => n + e.points, 0);
}
