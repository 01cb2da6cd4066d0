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
 * - latency: a probe sensor publishes one message every 50 ms; the bench polls InfluxDB every
 *   10 ms for it: publish → first visible in a query, p50/p99. Measured during the burst (where it
 *   is mostly queueing) and in a second phase at a steady load of half the measured rate
 *   (BENCH_LATENCY_RATE msg/s for BENCH_LATENCY_S s), writing new points.
 * Prints a summary and writes bench-results/ingest.json; exits 1 if a point is missing.
 * Env: BENCH_MESSAGES (100000), BENCH_DETECTORS (8), BENCH_SENSORS (200), BENCH_PUBLISHERS (4),
 * BENCH_LATENCY_RATE, BENCH_LATENCY_S (10), BENCH_NODE_ARGS (for the collector, e.g. --cpu-prof).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import type { Point } from '../collector/point.ts';
import { toPoints } from '../collector/points.ts';
import { indexConfig } from '../collector/schema.ts';
import { createInfluxV1Sink } from '../collector/sinks/influx-v1/index.ts';
import type { Counts } from '../protocol/index.ts';
import { twoPhaseConfig } from '../rigs/intersections.ts';
import { expectedSum, message, type PublishJob, publish, T0 } from './ingest-publisher.ts';

const here = dirname(fileURLToPath(import.meta.url));
const COLLECTOR_NODE_ARGS = ['--max-semi-space-size=32'];
const repo = join(here, '..');

/** Writes the job's points straight to InfluxDB (no MQTT, no collector): the database's ceiling. */
async function rawInfluxRate(url: string, job: PublishJob) {
  const sink = createInfluxV1Sink({ url, database: 'raw', createDatabase: true });
  const ctx = { root: 'traffic', intersections: new Map(), receivedMs: 0, rejectSeq: 0 };
  for (let i = 0; i < 20; i++) ctx.intersections.set(`b${i}`, indexConfig(twoPhaseConfig(`b${i}`)));
  const perBatch = Math.max(1, Math.floor(5000 / job.detectors));
  let next = 0;
  const batch = () => {
    const points: Point[] = [];
    for (let k = 0; k < perBatch && next < job.messages; k++, next++) {
      const [t, body] = message(next % job.sensors, Math.floor(next / job.sensors), job.detectors);
      points.push(...toPoints(t, body, ctx).points);
    }
    return points;
  };
  await sink.write(batch()); // creates the database, opens the connection
  const started = performance.now();
  let points = 0;
  await Promise.all(
    [0, 1].map(async () => {
      for (let b = batch(); b.length > 0; b = batch()) {
        await sink.write(b);
        points += b.length;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { points, seconds, pointsPerS: Math.round(points / seconds) };
}

/** The pid whose command line contains `needle` (the helpers' temp dirs name their servers). */
function pidOf(needle: string): number | undefined {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(needle)) return Number(d);
    } catch {
      // gone
    }
  }
  return undefined;
}

/** CPU seconds of several processes between `start` and `stop` (this process included). */
function cpuMeter(pids: Record<string, number | undefined>) {
  const at = () =>
    Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, p ? cpuSeconds(p) : Number.NaN]));
  const before = at();
  const self0 = process.cpuUsage();
  return () => {
    const after = at();
    const self = process.cpuUsage(self0);
    const out: Record<string, number> = { bench: (self.user + self.system) / 1e6 };
    for (const k of Object.keys(pids)) out[k] = after[k]! - before[k]!;
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Number(v.toFixed(2))]));
  };
}

const fmtCpu = (c: Record<string, number>) =>
  Object.entries(c)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');

/** CPU seconds a process has used (Linux /proc). */
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
  const { startInfluxDB } = await import('../rigs/influxdb.ts');
  const { startMosquitto } = await import('../rigs/mosquitto.ts');
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
    const brokerPid = pidOf(mosquitto.dir);
    const influxPid = pidOf(influx.dir);
    const bareMeter = cpuMeter({ broker: brokerPid });
    const bare = await publish(job);
    while (received < job.messages) await new Promise((r) => setTimeout(r, 20));
    await counter.endAsync();
    const bareS = (lastAt - bare.startedAt) / 1000;
    const bareCpu = { publishers: Number(bare.cpuSeconds.toFixed(2)), ...bareMeter() };
    const bareRate = job.messages / bareS;
    console.log(
      `bare broker: ${job.messages} messages in ${bareS.toFixed(2)} s = ${bareRate.toFixed(0)} msg/s`,
    );

    // 2. The database alone: the same points, encoded by the collector's own code, written
    //    straight to InfluxDB in 5,000-point batches, two at a time (the collector's defaults).
    const rawMeter = cpuMeter({ influxd: influxPid });
    const raw = { ...(await rawInfluxRate(influx.url, job)), cpuSeconds: rawMeter() };
    console.log(
      `InfluxDB alone: ${raw.points} points in ${raw.seconds.toFixed(2)} s = ${raw.pointsPerS} points/s (CPU s: ${fmtCpu(raw.cpuSeconds)})`,
    );

    // 3. Through the collector into InfluxDB.
    const db = 'bench';
    collector = spawn(
      process.execPath,
      [
        // The deployment setting docs/influxdb.md recommends: a young generation big enough that
        // a batch's lines die there instead of being promoted (≈ 25 % less collector CPU).
        ...COLLECTOR_NODE_ARGS,
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
        '--create-db',
        '--spool-dir',
        spool,
        '--log-every',
        '0',
        // the bench's messages carry synthetic times (T0), not the wall clock's
        '--time-window-s',
        '0',
        '--metrics-port',
        '0',
      ],
      { cwd: repo, stdio: ['ignore', 'pipe', 'inherit'] }, // BENCH_NODE_ARGS: e.g. --cpu-prof
    );
    const c = collector;
    const metricsPort = await new Promise<number>((resolve, reject) => {
      let out = '';
      c.stdout?.on('data', (d) => {
        if (process.env.BENCH_NODE_ARGS) process.stdout.write(d);
        out += d;
        const ready = /^\{"ready":true.*\}$/m.exec(out);
        if (ready) resolve((JSON.parse(ready[0]) as { metricsPort: number }).metricsPort);
      });
      c.once('exit', (code) => reject(new Error(`collector exited with ${code}`)));
    });
    /** The collector's own counters (cheap to read; InfluxDB confirms the totals). */
    const collectorMetrics = async () => {
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const get = (name: string) =>
        Number(new RegExp(`^openphase_collector_${name} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
      return {
        written: get('points_written_total'),
        batches: get('batch_write_seconds_count'),
        batchSeconds: get('batch_write_seconds_sum'),
        spooled: get('points_spooled_total'),
      };
    };
    const pub = await mqtt.connectAsync(mosquitto.url, { clientId: 'bench-probe' });
    for (let i = 0; i < 21; i++) {
      const config = twoPhaseConfig(i === 20 ? 'probe' : `b${i}`);
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
      Number(
        (
          await influxQuery(
            influx.url,
            db,
            `SELECT last("seq") FROM "counts" WHERE "sensor" = 'probe'`,
          )
        )?.[1] ?? -1,
      );
    await sendProbe();
    while ((await lastProbe()) < 0) await new Promise((r) => setTimeout(r, 20));

    let expectedPoints = 0;
    let expectedTotal = 0;
    /** Publishes `j` with probes running; resolves when every point is queryable. */
    /**
     * `pollMs`: how often the bench asks InfluxDB for the probe and the collector for its counter.
     * Each ask costs CPU on the same two cores (the bench's own and influxd's), so the burst, whose
     * latencies are seconds, polls every 50 ms; the steady phase every 10 ms for resolution.
     */
    const measure = async (j: PublishJob, pollMs: number) => {
      probeSent.clear();
      probeSeen.clear();
      const meter = cpuMeter({ broker: brokerPid, collector: c.pid, influxd: influxPid });
      let running = true;
      const probing = (async () => {
        while (running) {
          await sendProbe();
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      const polling = (async () => {
        let seen = probeSeq - 1;
        while (running || seen < probeSeq - 1) {
          const last = await lastProbe();
          const now = Date.now();
          for (let q = seen + 1; q <= last; q++) if (!probeSeen.has(q)) probeSeen.set(q, now);
          seen = Math.max(seen, last);
          await new Promise((r) => setTimeout(r, pollMs));
        }
      })();
      const m0 = await collectorMetrics();
      const run = await publish(j);
      expectedPoints += j.messages * j.detectors;
      expectedTotal += expectedSum(j);
      // Done when InfluxDB answers a count with every point. The count query scans every point
      // so far (≈ 0.1 s of influxd per query at 800,000): instead of polling it, poll the
      // collector's written counter (points InfluxDB acknowledged; probes included) and only
      // then ask InfluxDB, again until it confirms. The time is taken when it confirms.
      for (;;) {
        const m = await collectorMetrics();
        if (m.written - m0.written >= j.messages * j.detectors) {
          const row = await influxQuery(
            influx.url,
            db,
            `SELECT count("count") FROM "counts" WHERE "sensor" != 'probe'`,
          );
          if (Number(row?.[1] ?? 0) >= expectedPoints) break;
        }
        await new Promise((r) => setTimeout(r, pollMs));
      }
      const doneAt = Date.now();
      const m1 = await collectorMetrics();
      const cpu = { publishers: Number(run.cpuSeconds.toFixed(2)), ...meter() };
      running = false;
      await probing;
      await polling;
      const lat = [...probeSeen]
        .map(([q, at]) => at - (probeSent.get(q) ?? Number.NaN))
        .filter((x) => x >= 0);
      const seconds = (doneAt - run.startedAt) / 1000;
      return {
        messages: j.messages,
        points: j.messages * j.detectors,
        seconds,
        messagesPerS: Math.round(j.messages / seconds),
        pointsPerS: Math.round((j.messages * j.detectors) / seconds),
        publishSeconds: (run.endedAt - run.startedAt) / 1000,
        cpuSeconds: cpu,
        batches: m1.batches - m0.batches,
        meanBatchWriteMs: Number(
          (
            ((m1.batchSeconds - m0.batchSeconds) / Math.max(1, m1.batches - m0.batches)) *
            1000
          ).toFixed(1),
        ),
        spooledPoints: m1.spooled - m0.spooled,
        publishToQueryableMs: {
          samples: lat.length,
          p50: pct(lat, 50),
          p99: pct(lat, 99),
          max: lat.length ? Math.max(...lat) : Number.NaN,
        },
      };
    };

    // 2a. Throughput: the same burst as the bare broker got.
    const burst = await measure(job, 50);
    // 2b. Latency at a steady load the collector sustains (half its measured rate, new points).
    const rate = Number(process.env.BENCH_LATENCY_RATE ?? Math.round(burst.messagesPerS / 2));
    const steadyS = Number(process.env.BENCH_LATENCY_S ?? 10);
    const steady = await measure(
      {
        ...job,
        messages: rate * steadyS,
        ratePerS: rate,
        seqOffset: Math.ceil(job.messages / job.sensors),
      },
      10,
    );
    const totals = await influxQuery(
      influx.url,
      db,
      `SELECT count("count"), sum("count") FROM "counts" WHERE "sensor" != 'probe'`,
    );
    const points = Number(totals?.[1]);
    const zeroLoss = points === expectedPoints && Number(totals?.[2]) === expectedTotal;
    await pub.endAsync();

    const ratio = burst.messagesPerS / bareRate;
    // Where the two cores went in the collector run, and what that leaves for the ratio. The run
    // cannot take less than the CPU its processes need ÷ cores: publishers, broker and influxd
    // alone (a collector that cost nothing), then with the collector's measured CPU. The bench's
    // own CPU (probes, polls) is measurement, left out of both.
    const cores = cpus().length;
    const cpuOf = burst.cpuSeconds as Record<string, number>;
    const used = Object.values(cpuOf).reduce((a, b) => a + b, 0);
    const system = (cpuOf.publishers ?? 0) + (cpuOf.broker ?? 0) + (cpuOf.influxd ?? 0);
    const ceiling = (cpu: number) => Number((bareS / (cpu / cores)).toFixed(3));
    const budget = {
      cores,
      collectorRunSeconds: burst.seconds,
      cpuAvailable: Number((burst.seconds * cores).toFixed(2)),
      cpuUsed: Number(used.toFixed(2)),
      utilisation: Number((used / (burst.seconds * cores)).toFixed(3)),
      collectorCpuMicrosPerMessage: Math.round(((cpuOf.collector ?? 0) / job.messages) * 1e6),
      bareSubscriberCpuMicrosPerMessage: Math.round(
        (((bareCpu as Record<string, number>).bench ?? 0) / job.messages) * 1e6,
      ),
      influxdCpuMicrosPerPoint: Number((((cpuOf.influxd ?? 0) / burst.points) * 1e6).toFixed(2)),
      influxdAloneCpuMicrosPerPoint: Number(
        (((raw.cpuSeconds.influxd ?? 0) / raw.points) * 1e6).toFixed(2),
      ),
      /** bare seconds ÷ the shortest run publishers + broker + influxd allow (a free collector) */
      ratioCeilingWithFreeCollector: ceiling(system),
      /** the same with this collector's CPU added */
      ratioCeilingWithThisCollector: ceiling(system + (cpuOf.collector ?? 0)),
    };
    const result = {
      when: new Date().toISOString(),
      machine: { cores: cpus().length, loadAvg1mAtEnd: Number(loadavg()[0]!.toFixed(2)) },
      setup: {
        broker: 'Mosquitto 2 (own process, max_inflight_messages 0)',
        database: 'InfluxDB 1.6.7 (own process)',
        collector: `openphase collector child process, defaults (batch 5000 points / 1 s), node ${COLLECTOR_NODE_ARGS.join(' ')}`,
        messages: job.messages,
        detectorsPerMessage: job.detectors,
        sensors: job.sensors,
        publishers: job.publishers,
      },
      bareBroker: {
        messages: job.messages,
        seconds: bareS,
        messagesPerS: Math.round(bareRate),
        cpuSeconds: bareCpu,
      },
      influxAlone: raw,
      cpuBudget: budget,
      collector: { burst, steady: { ratePerS: rate, ...steady } },
      zeroLoss,
      pointsInInfluxDB: points,
      ratioToBareBroker: Number(ratio.toFixed(3)),
      ratioToInfluxAlone: Number((burst.pointsPerS / raw.pointsPerS).toFixed(3)),
      targets: {
        pointsPerS: { target: 20_000, met: burst.pointsPerS >= 20_000 },
        ratioToBare: { target: 0.8, met: ratio >= 0.8 },
      },
    };
    console.log(
      `collector:   ${job.messages} messages (${burst.points} points) queryable in ${burst.seconds.toFixed(2)} s = ` +
        `${burst.messagesPerS} msg/s, ${burst.pointsPerS} points/s`,
    );
    console.log(
      `CPU seconds (${cpus().length} cores): bare broker run ${(bareS * cpus().length).toFixed(1)} available — ${fmtCpu(bareCpu)}; ` +
        `collector run ${(burst.seconds * cpus().length).toFixed(1)} available — ${fmtCpu(burst.cpuSeconds)}`,
    );
    console.log(
      `CPU budget: ${budget.cpuUsed} of ${budget.cpuAvailable} CPU s used (${(budget.utilisation * 100).toFixed(0)} %); ` +
        `collector ${budget.collectorCpuMicrosPerMessage} µs/message (bare counting subscriber ${budget.bareSubscriberCpuMicrosPerMessage}); influxd ${budget.influxdCpuMicrosPerPoint} µs/point ` +
        `(${budget.influxdAloneCpuMicrosPerPoint} alone); ${burst.batches} batches, mean write ${burst.meanBatchWriteMs} ms; ` +
        `CPU-bound ratio ceiling: ${budget.ratioCeilingWithThisCollector} with this collector, ${budget.ratioCeilingWithFreeCollector} with a zero-cost one`,
    );
    console.log(
      `publish → queryable at ${rate} msg/s steady (published in ${steady.publishSeconds.toFixed(1)} s for ${steadyS} s asked): p50 ${steady.publishToQueryableMs.p50} ms, p99 ${steady.publishToQueryableMs.p99} ms ` +
        `(${steady.publishToQueryableMs.samples} probes); during the burst: p50 ${burst.publishToQueryableMs.p50} ms, p99 ${burst.publishToQueryableMs.p99} ms`,
    );
    console.log(
      `zero loss: ${zeroLoss} (${points} points); ratio to bare broker ${result.ratioToBareBroker} (target 0.8: ${result.targets.ratioToBare.met ? 'met' : 'NOT met'}); ` +
        `points/s target 20,000: ${result.targets.pointsPerS.met ? 'met' : 'NOT met'}; ` +
        `collector points/s ÷ InfluxDB alone: ${result.ratioToInfluxAlone}`,
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

main().catch((e) => {
  console.error(`bench:ingest: ${(e as Error).stack ?? e}`);
  process.exitCode = 1;
});
