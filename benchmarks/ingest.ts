/**
 * `npm run bench:ingest`: publishers → broker → collector → InfluxDB 1.x, and in the same run the
 * bare broker rate (the same publishers to a subscriber that only counts).
 *
 * - broker: a real Mosquitto 2 (own process); InfluxDB 1.6.7 (own process); both started fresh
 *   by the test helpers, on free ports.
 * - publishers: one child process with BENCH_PUBLISHERS MQTT clients, QoS 1, each keeping up to
 *   1,000 publishes unacknowledged, sending BENCH_MESSAGES counts messages of BENCH_DETECTORS
 *   detector readings from BENCH_SENSORS sensors, as fast as the system takes them.
 * - collector: `openphase collector` compiled (bin/openphase.js → dist/, built if stale), one
 *   process each, as deployed, default batching; BENCH_COLLECTORS of them (default 1) share the
 *   load in one `$share` group, each with its own client id and spool.
 * - baseline: BENCH_BASELINE=<git revision> first runs the same burst through that revision's
 *   collector (built into a temp dir), into its own database: before and after in one run.
 * - warm-up: each collector (baseline and this checkout alike) first takes a warm-up burst of
 *   BENCH_WARMUP_MESSAGES (default a fifth of the burst, rounded up to whole rounds of the
 *   sensors; 0 = none), into the same database, waited for until every point is written. Its time
 *   and CPU are reported apart (`warmup`, the cold start) and are not in the measured burst's
 *   rate or CPU per point: a collector runs for days, so its V8 compile and first heap growth
 *   are paid once per start, not per point. The zero-loss check counts every point, warm-up
 *   included.
 * - rates: messages (and points) from the first publish until the last point is queryable in
 *   InfluxDB (`count` equals the expected total and the `count` sum matches: zero loss).
 * - latency: a probe sensor publishes one message every 50 ms; the bench polls InfluxDB every
 *   10 ms for it: publish → first visible in a query, p50/p99. Measured during the burst (where it
 *   is mostly queueing) and in a second phase at a steady load of half the measured rate
 *   (BENCH_LATENCY_RATE msg/s for BENCH_LATENCY_S s), writing new points.
 * Prints a summary and writes bench-results/ingest.json; exits 1 if a point is missing.
 * Env: BENCH_MESSAGES (100000), BENCH_WARMUP_MESSAGES (a fifth of BENCH_MESSAGES), BENCH_DETECTORS
 * (8), BENCH_SENSORS (200), BENCH_PUBLISHERS (4),
 * BENCH_LATENCY_RATE, BENCH_LATENCY_S (10), BENCH_COLLECTORS (1), BENCH_BASELINE,
 * BENCH_NODE_ARGS (for the collector, e.g. --cpu-prof).
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import type { Point } from '../collector/point.ts';
import { toPoints } from '../collector/points.ts';
import { indexConfig } from '../collector/schema.ts';
import { createInfluxV1Sink } from '../collector/sinks/influx-v1/index.ts';
import type { Counts } from '../protocol/index.ts';
import { twoPhaseConfig } from '../rigs/intersections.ts';
import {
  baselineBin,
  type CollectorGroup,
  currentBin,
  startCollectors,
  sumCounters,
} from './ingest-collectors.ts';
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

/** CPU seconds of several processes (or groups, summed) between start and stop (this process included). */
function cpuMeter(pids: Record<string, number | number[] | undefined>) {
  const of = (p: number | number[] | undefined) =>
    p === undefined ? Number.NaN : [p].flat().reduce((a, q) => a + cpuSeconds(q), 0);
  const at = () => Object.fromEntries(Object.entries(pids).map(([k, p]) => [k, of(p)]));
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

/** Minor page faults of processes so far (Linux /proc): fresh memory first written. */
function minorFaults(pids: number[]): number {
  let n = 0;
  for (const pid of pids) {
    try {
      n += Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[7]);
    } catch {
      return Number.NaN;
    }
  }
  return n;
}

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
  // Warm-up, burst and steady phase each write new points: whole rounds of the sensors, one seq
  // after the other per sensor (no gap the loss accounting would see).
  const rounds = (messages: number) => Math.ceil(messages / job.sensors);
  const warmupRounds = rounds(Number(process.env.BENCH_WARMUP_MESSAGES ?? job.messages / 5));
  const { startInfluxDB } = await import('../rigs/influxdb.ts');
  const { startMosquitto } = await import('../rigs/mosquitto.ts');
  const [influx, mosquitto] = await Promise.all([startInfluxDB(), startMosquitto()]);
  job.url = mosquitto.url;
  const warmupJob: PublishJob = { ...job, messages: warmupRounds * job.sensors };
  const burstJob: PublishJob = { ...job, seqOffset: warmupRounds };
  const collectorsWanted = Math.max(1, Number(process.env.BENCH_COLLECTORS ?? 1));
  const baselineRev = process.env.BENCH_BASELINE;
  const extraNodeArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [];
  let collectors: CollectorGroup | undefined;
  try {
    console.log(
      `bench:ingest — ${job.messages} messages × ${job.detectors} detectors from ${job.sensors} sensors, ` +
        `${job.publishers} publishers, warm-up ${warmupJob.messages} messages; Mosquitto ${mosquitto.url}, InfluxDB ${influx.url}; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}`,
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

    // 3. Through the collector(s) into InfluxDB: first a baseline build (BENCH_BASELINE), then
    //    this checkout, each into its own database, one after the other on the same services.
    const pub = await mqtt.connectAsync(mosquitto.url, { clientId: 'bench-probe' });
    for (let i = 0; i < 21; i++) {
      const config = twoPhaseConfig(i === 20 ? 'probe' : `b${i}`);
      await pub.publishAsync(`traffic/v1/${config.id}/config`, JSON.stringify(config), {
        qos: 1,
        retain: true,
      });
    }
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
    const lastProbe = async (db: string) =>
      Number(
        (
          await influxQuery(
            influx.url,
            db,
            `SELECT last("seq") FROM "counts" WHERE "sensor" = 'probe'`,
          )
        )?.[1] ?? -1,
      );

    /** One collector setup under test: its processes, its database, what it should hold. */
    interface Run {
      db: string;
      group: CollectorGroup;
      expectedPoints: number;
      expectedTotal: number;
    }
    const startRun = async (bin: string, db: string, name: string): Promise<Run> => {
      const group = await startCollectors({
        bin,
        count: collectorsWanted,
        name,
        mqttUrl: mosquitto.url,
        influxUrl: influx.url,
        db,
        nodeArgs: [...COLLECTOR_NODE_ARGS, ...extraNodeArgs],
        echo: extraNodeArgs.length > 0,
      });
      // Warm-up: one probe written end to end (database created, connections open).
      await sendProbe();
      while ((await lastProbe(db)) < 0) await new Promise((r) => setTimeout(r, 20));
      return { db, group, expectedPoints: 0, expectedTotal: 0 };
    };

    /** Publishes `j` with probes running; resolves when every point is queryable. */
    /**
     * `pollMs`: how often the bench asks InfluxDB for the probe and the collector for its counter.
     * Each ask costs CPU on the same two cores (the bench's own and influxd's), so the burst, whose
     * latencies are seconds, polls every 50 ms; the steady phase every 10 ms for resolution.
     */
    const measure = async (r: Run, j: PublishJob, pollMs: number) => {
      probeSent.clear();
      probeSeen.clear();
      const pids = r.group.pids();
      const meter = cpuMeter({ broker: brokerPid, collector: pids, influxd: influxPid });
      const faults0 = minorFaults(pids);
      let running = true;
      const probing = (async () => {
        while (running) {
          await sendProbe();
          await new Promise((res) => setTimeout(res, 50));
        }
      })();
      const polling = (async () => {
        let seen = probeSeq - 1;
        while (running || seen < probeSeq - 1) {
          const last = await lastProbe(r.db);
          const now = Date.now();
          for (let q = seen + 1; q <= last; q++) if (!probeSeen.has(q)) probeSeen.set(q, now);
          seen = Math.max(seen, last);
          await new Promise((res) => setTimeout(res, pollMs));
        }
      })();
      const each0 = await r.group.counters();
      const m0 = sumCounters(each0);
      const run = await publish(j);
      r.expectedPoints += j.messages * j.detectors;
      r.expectedTotal += expectedSum(j);
      // Done when InfluxDB answers a count with every point. The count query scans every point
      // so far (≈ 0.1 s of influxd per query at 800,000): instead of polling it, poll the
      // collectors' written counters (points InfluxDB acknowledged; probes included) and only
      // then ask InfluxDB, again until it confirms. The time is taken when it confirms.
      // Each ask costs the collectors CPU that is counted as theirs (≈ 0.3 ms; every 50 ms,
      // /metrics was 5–10 % of the collector's CPU in a run): they are asked the cheap question
      // (/health), every 250 ms while more than a quarter of the points is still to come.
      const burstPoints = j.messages * j.detectors;
      for (;;) {
        const left = burstPoints - ((await r.group.written()) - m0.written);
        if (left <= 0) {
          const row = await influxQuery(
            influx.url,
            r.db,
            `SELECT count("count") FROM "counts" WHERE "sensor" != 'probe'`,
          );
          if (Number(row?.[1] ?? 0) >= r.expectedPoints) break;
        }
        await new Promise((res) => setTimeout(res, left > burstPoints / 4 ? 250 : pollMs));
      }
      const doneAt = Date.now();
      const faults = minorFaults(pids) - faults0;
      const each1 = await r.group.counters();
      const m1 = sumCounters(each1);
      const cpu: Record<string, number> = {
        publishers: Number(run.cpuSeconds.toFixed(2)),
        ...meter(),
      };
      running = false;
      await probing;
      await polling;
      const lat = [...probeSeen]
        .map(([q, at]) => at - (probeSent.get(q) ?? Number.NaN))
        .filter((x) => x >= 0);
      const seconds = (doneAt - run.startedAt) / 1000;
      const points = j.messages * j.detectors;
      return {
        messages: j.messages,
        points,
        seconds,
        messagesPerS: Math.round(j.messages / seconds),
        pointsPerS: Math.round(points / seconds),
        publishSeconds: (run.endedAt - run.startedAt) / 1000,
        cpuSeconds: cpu,
        collectorCpuMicrosPerPoint: Number((((cpu.collector ?? 0) / points) * 1e6).toFixed(2)),
        /** the collectors' minor page faults during this burst */
        collectorMinorFaults: faults,
        /** messages each collector received (probes included), in client-id order */
        receivedByCollector: each1.map((c, k) => c.received - (each0[k]?.received ?? 0)),
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
    /**
     * The warm-up burst: the same traffic, earlier seqs, into the same database, waited for until
     * written. Its figures are the cold start (V8 compiling the hot code, the heap growing).
     */
    const warmUp = async (r: Run) =>
      warmupJob.messages > 0 ? await measure(r, warmupJob, 50) : undefined;
    /** CPU per point of warm-up and burst together: what a cold start adds, kept visible. */
    const withColdStart = (
      warm: Awaited<ReturnType<typeof measure>> | undefined,
      burst: Awaited<ReturnType<typeof measure>>,
    ) =>
      Number(
        (
          (((warm?.cpuSeconds.collector ?? 0) + (burst.cpuSeconds.collector ?? 0)) /
            ((warm?.points ?? 0) + burst.points)) *
          1e6
        ).toFixed(2),
      );
    const fmtWarm = (warm: Awaited<ReturnType<typeof measure>> | undefined) =>
      warm
        ? `warm-up ${warm.messages} messages: ${warm.pointsPerS} points/s, collector CPU ${warm.collectorCpuMicrosPerPoint} µs/point (cold start); `
        : 'no warm-up; ';
    const totalsOf = async (r: Run) => {
      const t = await influxQuery(
        influx.url,
        r.db,
        `SELECT count("count"), sum("count") FROM "counts" WHERE "sensor" != 'probe'`,
      );
      const points = Number(t?.[1]);
      return {
        points,
        zeroLoss: points === r.expectedPoints && Number(t?.[2]) === r.expectedTotal,
      };
    };

    // 3a. The baseline, burst only.
    let baseline:
      | {
          revision: string;
          commit: string;
          warmup: Awaited<ReturnType<typeof measure>> | undefined;
          burst: Awaited<ReturnType<typeof measure>>;
          collectorCpuMicrosPerPointWithWarmup: number;
          zeroLoss: boolean;
        }
      | undefined;
    if (baselineRev) {
      const b = baselineBin(baselineRev);
      const r = await startRun(b.bin, 'bench_baseline', 'bench-baseline');
      const warmup = await warmUp(r);
      const burst = await measure(r, burstJob, 50);
      const t = await totalsOf(r);
      await r.group.stop();
      // Dropped, so influxd does not compact it while the next run measures.
      await fetch(
        `${influx.url}/query?${new URLSearchParams({ q: 'DROP DATABASE "bench_baseline"' })}`,
        {
          method: 'POST',
        },
      );
      baseline = {
        revision: baselineRev,
        commit: b.commit,
        warmup,
        burst,
        collectorCpuMicrosPerPointWithWarmup: withColdStart(warmup, burst),
        zeroLoss: t.zeroLoss,
      };
      console.log(
        `baseline ${baselineRev} (${b.commit}): ${fmtWarm(warmup)}then ${burst.points} points queryable in ${burst.seconds.toFixed(2)} s = ` +
          `${burst.pointsPerS} points/s; collector CPU ${burst.collectorCpuMicrosPerPoint} µs/point, ${burst.collectorMinorFaults} page faults; zero loss: ${t.zeroLoss}`,
      );
    }

    // 3b. This checkout: the burst (throughput), then latency at a steady load it sustains
    //     (half its measured rate, new points).
    const db = 'bench';
    const current = await startRun(currentBin(), db, 'bench-collector');
    collectors = current.group;
    const warmup = await warmUp(current);
    const burst = await measure(current, burstJob, 50);
    const rate = Number(process.env.BENCH_LATENCY_RATE ?? Math.round(burst.messagesPerS / 2));
    const steadyS = Number(process.env.BENCH_LATENCY_S ?? 10);
    const steady = await measure(
      current,
      {
        ...job,
        messages: rate * steadyS,
        ratePerS: rate,
        seqOffset: warmupRounds + rounds(job.messages),
      },
      10,
    );
    const { points, zeroLoss } = await totalsOf(current);
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
        collector: `${collectorsWanted} × openphase collector (compiled, own process${collectorsWanted > 1 ? `, one $share group` : ''}), defaults (batch 5000 points / 1 s), node ${COLLECTOR_NODE_ARGS.join(' ')}`,
        collectors: collectorsWanted,
        messages: job.messages,
        /** messages each collector took before the measured burst (same traffic, not measured) */
        warmupMessages: warmupJob.messages,
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
      collector: {
        warmup,
        burst,
        collectorCpuMicrosPerPointWithWarmup: withColdStart(warmup, burst),
        steady: { ratePerS: rate, ...steady },
      },
      ...(baseline
        ? {
            baseline: {
              ...baseline,
              ratioToBareBroker: Number((baseline.burst.messagesPerS / bareRate).toFixed(3)),
            },
          }
        : {}),
      zeroLoss,
      pointsInInfluxDB: points,
      ratioToBareBroker: Number(ratio.toFixed(3)),
      ratioToInfluxAlone: Number((burst.pointsPerS / raw.pointsPerS).toFixed(3)),
      targets: {
        pointsPerS: { target: 100_000, met: burst.pointsPerS >= 100_000 },
        collectorCpuMicrosPerPoint: {
          target: 2,
          met: burst.collectorCpuMicrosPerPoint <= 2,
        },
        ratioToBare: { target: 0.8, met: ratio >= 0.8 },
      },
    };
    console.log(
      `collector:   ${fmtWarm(warmup)}then ${job.messages} messages (${burst.points} points) queryable in ${burst.seconds.toFixed(2)} s = ` +
        `${burst.messagesPerS} msg/s, ${burst.pointsPerS} points/s; collector CPU ${burst.collectorCpuMicrosPerPoint} µs/point, ${burst.collectorMinorFaults} page faults` +
        (collectorsWanted > 1
          ? `; ${collectorsWanted} collectors received ${burst.receivedByCollector.join(' / ')} messages`
          : ''),
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
        `points/s target 100,000: ${result.targets.pointsPerS.met ? 'met' : 'NOT met'}; ` +
        `collector CPU target 2 µs/point: ${result.targets.collectorCpuMicrosPerPoint.met ? 'met' : 'NOT met'}; ` +
        `collector points/s ÷ InfluxDB alone: ${result.ratioToInfluxAlone}`,
    );
    const outDir = join(repo, 'bench-results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, 'ingest.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log('wrote bench-results/ingest.json');
    if (!zeroLoss) process.exitCode = 1;
  } finally {
    await collectors?.stop();
    await mosquitto.stop();
    await influx.stop();
  }
}

main().catch((e) => {
  console.error(`bench:ingest: ${(e as Error).stack ?? e}`);
  process.exitCode = 1;
});
