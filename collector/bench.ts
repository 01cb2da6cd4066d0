/**
 * `npm run bench:ingest`: publishers → broker → collector → InfluxDB 1.x, and in the same run the
 * bare broker rate (the same publishers to a subscriber that only counts).
 *
 * - broker: a real Mosquitto 2 (own process); InfluxDB 1.6.7 (own process); both started fresh
 *   by the test helpers, on free ports.
 * - publishers: one child process with BENCH_PUBLISHERS MQTT clients, QoS 1, each keeping up to
 *   1,000 publishes unacknowledged, sending BENCH_MESSAGES counts messages of BENCH_DETECTORS
 *   detector readings from BENCH_SENSORS sensors, as fast as the system takes them.
 * - collector: `openphase collector` as a child process (as deployed), default batching.
 * - rates: messages (and points) from the first publish until the last point is queryable in
 *   InfluxDB (`count` equals the expected total and the `count` sum matches: zero loss).
 * - latency: a probe sensor publishes one message every 50 ms during the run; the bench polls
 *   InfluxDB every 10 ms for it; publish → first visible in a query, p50/p99.
 * Prints a summary and writes bench-results/ingest.json.
 * Env: BENCH_MESSAGES (100000), BENCH_DETECTORS (8), BENCH_SENSORS (200), BENCH_PUBLISHERS (4).
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import type { Counts, IntersectionConfig } from '../protocol/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');
const T0 = Date.UTC(2026, 0, 1);
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

interface PublishJob {
  url: string;
  messages: number;
  detectors: number;
  sensors: number;
  publishers: number;
}

const icOf = (sensor: number) => `b${sensor % 20}`;

/** The message of `sensor` number `seq` (deterministic: the expected sum is computable). */
function message(sensor: number, seq: number, detectors: number): [string, string] {
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

function expectedSum(job: PublishJob): number {
  let sum = 0;
  for (let i = 0; i < job.messages; i++) {
    const sensor = i % job.sensors;
    const seq = Math.floor(i / job.sensors);
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
  await Promise.all(
    clients.map(async (c, p) => {
      const mine: number[] = [];
      for (let i = p; i < job.messages; i += job.publishers) mine.push(i);
      for (let k = 0; k < mine.length; k += 1000) {
        await Promise.all(
          mine.slice(k, k + 1000).map((i) => {
            const [t, body] = message(i % job.sensors, Math.floor(i / job.sensors), job.detectors);
            return c.publishAsync(t, body, { qos: 1 });
          }),
        );
      }
    }),
  );
  const endedAt = Date.now();
  process.send?.({ startedAt, endedAt });
  await Promise.all(clients.map((c) => c.endAsync()));
  process.exit(0);
}

/** Runs the publisher child; resolves with its start/end once it finished. */
async function publish(job: PublishJob): Promise<{ startedAt: number; endedAt: number }> {
  const child = fork(fileURLToPath(import.meta.url), ['publish', JSON.stringify(job)], {
    execArgv: ['--import', 'tsx'],
    cwd: repo,
  });
  return new Promise((resolve, reject) => {
    child.on('message', (m: { ready?: boolean; startedAt?: number; endedAt?: number }) => {
      if (m.ready) child.send('go');
      else resolve(m as { startedAt: number; endedAt: number });
    });
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`publisher exited with ${code}`));
    });
  });
}

function cpuSeconds(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // utime + stime, in clock ticks (100 Hz)
  } catch {
    return Number.NaN;
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]! : Number.NaN;
};

async function influxQuery(url: string, db: string, q: string) {
  const res = await fetch(`${url}/query?${new URLSearchParams({ db, q, epoch: 'ms' })}`);
  const j = (await res.json()) as {
    results: Array<{ series?: Array<{ values: unknown[][] }> }>;
  };
  return j.results[0]?.series?.[0]?.values[0];
}

async function main() {
  const job: PublishJob = {
    url: '',
    messages: Number(process.env.BENCH_MESSAGES ?? 100_000),
    detectors: Math.min(8, Number(process.env.BENCH_DETECTORS ?? 8)),
    sensors: Number(process.env.BENCH_SENSORS ?? 200),
    publishers: Number(process.env.BENCH_PUBLISHERS ?? 4),
  };
  const { startInfluxDB } = await import('../tests/helpers/influxdb.ts');
  const { startMosquitto } = await import('../tests/helpers/mosquitto.ts');
  const [influx, mosquitto] = await Promise.all([startInfluxDB(), startMosquitto()]);
  job.url = mosquitto.url;
  const spool = mkdtempSync(join(tmpdir(), 'op-bench-spool-'));
  let collector: ChildProcess | undefined;
  try {
    console.log(
      `bench:ingest — ${job.messages} messages × ${job.detectors} detectors from ${job.sensors} sensors, ` +
        `${job.publishers} publishers; Mosquitto ${mosquitto.url}, InfluxDB ${influx.url}; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}`,
    );

    // 1. Bare broker: the same publishers to a subscriber that only counts.
    const counter = await mqtt.connectAsync(mosquitto.url, { clientId: 'bench-counter' });
    let received = 0;
    let lastAt = 0;
    counter.on('message', () => {
      received++;
      lastAt = Date.now();
    });
    await counter.subscribeAsync('traffic/v1/#', { qos: 1 });
    const bare = await publish(job);
    while (received < job.messages) await new Promise((r) => setTimeout(r, 20));
    await counter.endAsync();
    const bareS = (lastAt - bare.startedAt) / 1000;
    const bareRate = job.messages / bareS;
    console.log(`bare broker: ${job.messages} messages in ${bareS.toFixed(2)} s = ${bareRate.toFixed(0)} msg/s`);

    // 2. Through the collector into InfluxDB.
    const db = 'bench';
    collector = spawn(
      process.execPath,
      [
        ...(process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : []),
        '--import',
        'tsx',
        'cli/main.ts',
        'collector',
        '--mqtt',
        mosquitto.url,
        '--client-id',
        'bench-collector',
        '--influx-url',
        influx.url,
        '--influx-db',
        db,
        '--spool-dir',
        spool,
        '--log-every',
        '0',
      ],
      { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] }, // BENCH_NODE_ARGS: e.g. --cpu-prof
    );
    const c = collector;
    await new Promise<void>((resolve, reject) => {
      let out = '';
      c.stdout?.on('data', (d) => {
        if (process.env.BENCH_NODE_ARGS) process.stdout.write(d);
        out += d;
        if (out.includes('"ready":true')) resolve();
      });
      c.once('exit', (code) => reject(new Error(`collector exited with ${code}`)));
    });
    const pub = await mqtt.connectAsync(mosquitto.url, { clientId: 'bench-probe' });
    for (let i = 0; i < 21; i++) {
      const config: IntersectionConfig = {
        v: 1,
        id: i === 20 ? 'probe' : `b${i}`,
        approaches: { N: { lanes: 1 }, S: { lanes: 1 }, E: { lanes: 1 }, W: { lanes: 1 } },
        phases: [
          { id: 'ns', movements: ['N-through', 'S-through'], minGreenS: 5, maxGreenS: 40 },
          { id: 'ew', movements: ['E-through', 'W-through'], minGreenS: 5, maxGreenS: 40 },
        ],
        yellowS: 3,
        allRedS: 1,
      };
      await pub.publishAsync(`traffic/v1/${config.id}/config`, JSON.stringify(config), {
        qos: 1,
        retain: true,
      });
    }
    // Warm-up: one probe written end to end (database created, connections open).
    const probeSent = new Map<number, number>();
    const probeSeen = new Map<number, number>();
    let probeSeq = 0;
    const sendProbe = async () => {
      const seq = probeSeq++;
      const body: Counts = {
        v: 1,
        sensor: 'probe',
        boot: 'bench',
        seq,
        from: T0 + seq * 1000,
        to: T0 + (seq + 1) * 1000,
        detectors: [{ id: 'N-through-stop', count: 1 }],
      };
      probeSent.set(seq, Date.now());
      await pub.publishAsync('traffic/v1/probe/counts/probe', JSON.stringify(body), { qos: 1 });
    };
    const lastProbe = async () =>
      Number((await influxQuery(influx.url, db, `SELECT last("seq") FROM "counts" WHERE "sensor" = 'probe'`))?.[1] ?? -1);
    await sendProbe();
    while ((await lastProbe()) < 0) await new Promise((r) => setTimeout(r, 20));
    probeSent.clear();

    const cpu0 = cpuSeconds(c.pid!);
    let running = true;
    const probing = (async () => {
      while (running) {
        await sendProbe();
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const polling = (async () => {
      let seen = 0;
      while (running || seen < probeSeq - 1) {
        const last = await lastProbe();
        const now = Date.now();
        for (let s = seen + 1; s <= last; s++) if (!probeSeen.has(s)) probeSeen.set(s, now);
        seen = Math.max(seen, last);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();

    const run = await publish(job);
    const expectedPoints = job.messages * job.detectors;
    let doneAt = 0;
    for (;;) {
      const row = await influxQuery(
        influx.url,
        db,
        `SELECT count("count") FROM "counts" WHERE "sensor" != 'probe'`,
      );
      const n = Number(row?.[1] ?? 0);
      if (n >= expectedPoints) {
        doneAt = Date.now();
        break;
      }
      await new Promise((r) => setTimeout(r, 25));
    }
    running = false;
    await probing;
    await polling;
    const cpu = cpuSeconds(c.pid!) - cpu0;
    const totals = await influxQuery(
      influx.url,
      db,
      `SELECT count("count"), sum("count") FROM "counts" WHERE "sensor" != 'probe'`,
    );
    const points = Number(totals?.[1]);
    const sum = Number(totals?.[2]);
    const zeroLoss = points === expectedPoints && sum === expectedSum(job);
    const seconds = (doneAt - run.startedAt) / 1000;
    const msgRate = job.messages / seconds;
    const pointRate = expectedPoints / seconds;
    const lat = [...probeSeen].map(([s, at]) => at - (probeSent.get(s) ?? at)).filter((x) => x >= 0);
    await pub.endAsync();

    const result = {
      when: new Date().toISOString(),
      machine: { cores: cpus().length, loadAvg1mAtEnd: Number(loadavg()[0]!.toFixed(2)) },
      setup: {
        broker: 'Mosquitto 2 (own process, max_inflight_messages 0)',
        database: 'InfluxDB 1.6.7 (own process)',
        collector: 'openphase collector child process, batch 5000 points / 1 s',
        ...job,
        url: undefined,
      },
      bareBroker: { messages: job.messages, seconds: bareS, messagesPerS: Math.round(bareRate) },
      collector: {
        messages: job.messages,
        points: expectedPoints,
        seconds,
        messagesPerS: Math.round(msgRate),
        pointsPerS: Math.round(pointRate),
        zeroLoss,
        pointsInInfluxDB: points,
        publishSeconds: (run.endedAt - run.startedAt) / 1000,
        collectorCpuSeconds: Number(cpu.toFixed(2)),
        publishToQueryableMs: { samples: lat.length, p50: pct(lat, 50), p99: pct(lat, 99), max: Math.max(...lat) },
      },
      ratioToBareBroker: Number((msgRate / bareRate).toFixed(3)),
      targets: {
        pointsPerS: { target: 20_000, met: pointRate >= 20_000 },
        ratio: { target: 0.8, met: msgRate / bareRate >= 0.8 },
      },
    };
    console.log(
      `collector:   ${job.messages} messages (${expectedPoints} points) queryable in ${seconds.toFixed(2)} s = ` +
        `${msgRate.toFixed(0)} msg/s, ${pointRate.toFixed(0)} points/s, zero loss: ${zeroLoss}`,
    );
    console.log(
      `publish → queryable: p50 ${result.collector.publishToQueryableMs.p50} ms, p99 ${result.collector.publishToQueryableMs.p99} ms (${lat.length} probes)`,
    );
    console.log(
      `ratio to bare broker: ${result.ratioToBareBroker} (target 0.8); points/s target 20,000: ${result.targets.pointsPerS.met ? 'met' : 'NOT met'}`,
    );
    const outDir = join(repo, 'bench-results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'ingest.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log('wrote bench-results/ingest.json');
    if (!zeroLoss) process.exitCode = 1;
  } finally {
    if (collector && collector.exitCode === null) {
      collector.kill('SIGTERM');
      await new Promise((r) => collector?.once('exit', r));
    }
    await mosquitto.stop();
    await influx.stop();
    rmSync(spool, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'publish') {
  publisherMain(JSON.parse(process.argv[3]!) as PublishJob).catch((e) => {
    console.error(e);
    process.exit(1);
  });
} else {
  main().catch((e) => {
    console.error(`bench:ingest: ${(e as Error).stack ?? e}`);
    process.exitCode = 1;
  });
}
