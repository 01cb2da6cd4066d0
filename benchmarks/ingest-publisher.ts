/**
 * The traffic of `npm run bench:ingest` (benchmarks/ingest.ts): deterministic counts messages, their
 * expected sum, and the publisher child process (`tsx benchmarks/ingest-publisher.ts '<job>'`),
 * which connects its clients, waits for "go", publishes, and reports when it started and ended.
 */
import { fork } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import type { Counts } from '../protocol/index.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

export const T0 = Date.UTC(2026, 0, 1);
const DETECTOR_IDS = [
  'N-through-stop',
  'N-through-advance',
  'S-through-stop',
  'S-through-advance',
  'E-through-stop',
  'E-through-advance',
  'W-through-stop',
  'W-through-advance',
];

export interface PublishJob {
  url: string;
  messages: number;
  detectors: number;
  sensors: number;
  publishers: number;
  /** messages per second over all publishers; 0 = as fast as the system takes them */
  ratePerS?: number;
  /** added to every seq (a later phase writes new points, not the same ones again) */
  seqOffset?: number;
}

const icOf = (sensor: number) => `b${sensor % 20}`;

/** The message of `sensor` number `seq` (deterministic: the expected sum is computable). */
export function message(sensor: number, seq: number, detectors: number): [string, string] {
  const body: Counts = {
    v: 1,
    sensor: `s${sensor}`,
    boot: 'bench',
    seq,
    from: T0 + seq * 1000,
    to: T0 + (seq + 1) * 1000,
    detectors: DETECTOR_IDS.slice(0, detectors).map((id, d) => ({
      id,
      count: (seq + sensor + d) % 7,
      occupancy: ((seq + d) % 10) / 10,
      speedKmh: 30 + ((sensor + d) % 20),
    })),
  };
  return [`traffic/v1/${icOf(sensor)}/counts/s${sensor}`, JSON.stringify(body)];
}

export function expectedSum(job: PublishJob): number {
  let sum = 0;
  for (let i = 0; i < job.messages; i++) {
    const sensor = i % job.sensors;
    const seq = Math.floor(i / job.sensors) + (job.seqOffset ?? 0);
    for (let d = 0; d < job.detectors; d++) sum += (seq + sensor + d) % 7;
  }
  return sum;
}

/** Child process: publish the job, report wall-clock start and end. */
async function publisherMain(job: PublishJob) {
  const clients: MqttClient[] = [];
  for (let p = 0; p < job.publishers; p++) {
    clients.push(await mqtt.connectAsync(job.url, { clientId: `bench-pub-${p}-${process.pid}` }));
  }
  process.send?.({ ready: true });
  await new Promise<void>((r) => process.once('message', () => r()));
  const startedAt = Date.now();
  const cpu0 = process.cpuUsage();
  const perClient = (job.ratePerS ?? 0) / job.publishers;
  // Unpaced: chunks of 1,000, each awaited (at most 1,000 unacknowledged per client). Paced: a
  // small chunk every 20 ms on the schedule, not waiting for its acknowledgements (they take a
  // batch round trip) unless 1,000 are outstanding — so the rate is the one asked for.
  const chunk = perClient > 0 ? Math.max(1, Math.ceil(perClient / 50)) : 1000;
  await Promise.all(
    clients.map(async (c, p) => {
      const mine: number[] = [];
      for (let i = p; i < job.messages; i += job.publishers) mine.push(i);
      const pending = new Set<Promise<unknown>>();
      for (let k = 0; k < mine.length; k += chunk) {
        const sent = Promise.all(
          mine.slice(k, k + chunk).map((i) => {
            const seq = Math.floor(i / job.sensors) + (job.seqOffset ?? 0);
            const [t, body] = message(i % job.sensors, seq, job.detectors);
            return c.publishAsync(t, body, { qos: 1 });
          }),
        );
        if (perClient <= 0) {
          await sent;
          continue;
        }
        pending.add(sent);
        const done = () => pending.delete(sent); // a failure surfaces at the awaits below
        sent.then(done, done);
        while (pending.size * chunk >= 1000) await Promise.race(pending);
        const wait = startedAt + ((k + chunk) / perClient) * 1000 - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      await Promise.all(pending);
    }),
  );
  const endedAt = Date.now();
  const cpu = process.cpuUsage(cpu0);
  process.send?.({ startedAt, endedAt, cpuSeconds: (cpu.user + cpu.system) / 1e6 });
  await Promise.all(clients.map((c) => c.endAsync()));
  process.exit(0);
}

export interface Published {
  startedAt: number;
  endedAt: number;
  /** CPU the publisher process used while publishing */
  cpuSeconds: number;
}

/** Runs the publisher child; resolves with its start/end once it finished. */
export async function publish(job: PublishJob): Promise<Published> {
  const child = fork(fileURLToPath(import.meta.url), [JSON.stringify(job)], {
    execArgv: ['--import', 'tsx'],
    cwd: repo,
  });
  return new Promise((resolve, reject) => {
    child.on('message', (m: { ready?: boolean } & Published) => {
      if (m.ready) child.send('go');
      else resolve(m);
    });
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`publisher exited with ${code}`));
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  publisherMain(JSON.parse(process.argv[2]!) as PublishJob).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
