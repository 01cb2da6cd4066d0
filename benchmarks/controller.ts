/**
 * `npm run bench:controller`: 1,000 intersections receiving counts at 1 Hz through the real
 * broker (the embedded aedes broker, in this process), served by ONE controller service process
 * (a child, so its CPU is measured alone). Each intersection ticks once a second at its own
 * offset within the second (field sensors are not synchronised): counts of the tick, then the
 * signal (from a safety monitor that applies the decisions received). Measures:
 *  - service latency: signal received → decision handed to the MQTT client (in the service);
 *  - end-to-end latency: signal published → decision received, through the broker both ways;
 *  - CPU of the service process, and of this process (broker + load); from /proc also the
 *    broker's (Mosquitto) and each process's run-queue wait: on a shared machine a pipeline
 *    that falls behind while no process looks busy is waiting for a core.
 * Prints a summary and writes bench-results/controller.json.
 *
 * Env: BENCH_INTERSECTIONS (1000), BENCH_SECONDS (30), BENCH_WARMUP_S (10), BENCH_ALGORITHM (actuated),
 * BENCH_BROKER (`aedes`, the embedded broker in this process; `openphase`, the same broker as
 * `openphase broker` in its own process, as deployed; or `mosquitto`, a real Mosquitto 2
 * in its own process: at 10,000 intersections the embedded broker, sharing this process with the
 * load, cannot carry 30,000 messages a second on a 2-core machine and becomes the bottleneck).
 * The end-to-end figure includes the broker's TCP behaviour: aedes sockets without TCP_NODELAY
 * add Nagle/delayed-ACK waits (tens of ms) that the service cannot remove from its side.
 */

import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { addDevice, createBroker, createRegistry, saveRegistry } from '../broker/index.ts';
import { quantile } from '../metrics/index.ts';
import { batchWritesPerTurn } from '../ops/write-batching.ts';
import { type Counts, detectorsOf, topics } from '../protocol/index.ts';
import { twoPhaseConfig } from '../rigs/intersections.ts';
import { ensureBuilt, spawnOpenphase } from '../rigs/openphase.ts';
import { createFastSignalStepper } from '../signal/index.ts';
import { procShare, procTimes } from './proc-times.ts';

const N = Number(process.env.BENCH_INTERSECTIONS ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 30);
const WARMUP_S = Number(process.env.BENCH_WARMUP_S ?? 10);
const ALGORITHM = process.env.BENCH_ALGORITHM ?? 'actuated';
const here = dirname(fileURLToPath(import.meta.url));
const T0 = Date.UTC(2026, 0, 1);
const T = topics('traffic');

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 4294967296;
  };
}

const BROKER = process.env.BENCH_BROKER ?? 'aedes';

/** The broker under test: the embedded one (device credentials) or a real Mosquitto. */
async function startBroker(reg: ReturnType<typeof createRegistry>) {
  if (BROKER === 'mosquitto') {
    const { startMosquitto } = await import('../rigs/mosquitto.ts');
    // anonymous on 127.0.0.1: the bench measures delivery, not authentication
    // set_tcp_nodelay: Mosquitto otherwise leaves Nagle on, and a decision can wait for a delayed ACK
    const m = await startMosquitto({ allowAnonymous: true, extraConfig: ['set_tcp_nodelay true'] });
    return { url: m.url, pid: m.pid, close: () => m.stop() };
  }
  if (BROKER === 'openphase') {
    // the embedded broker as an operator runs it: `openphase broker`, its own process
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'bench-controller-'));
    const devices = join(dir, 'devices.yaml');
    saveRegistry(devices, reg);
    const b = spawnOpenphase(['broker', '--devices', devices, '--port', '0']);
    await b.printed(/"ready":true/);
    const url = /"url":"([^"]+)"/.exec(b.output())![1]!;
    return {
      url,
      pid: b.child.pid,
      close: async () => {
        b.child.kill('SIGTERM');
        await b.exited;
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  if (BROKER !== 'aedes')
    throw new Error(`BENCH_BROKER: '${BROKER}' is not aedes, openphase or mosquitto`);
  // The product's defaults: the service keeps a retained status per intersection (≈ 150 bytes
  // each here), which the retained quota of a device of every intersection (32 MiB) holds for
  // 10,000 and more, and both devices (`*`) may publish 50,000 messages a second.
  const broker = createBroker({ port: 0, devices: reg, log: () => {} });
  const { url } = await broker.start();
  return { url, pid: undefined, close: () => broker.close() };
}

async function main() {
  const pw = { ctl: `bench-ctl-${process.pid}`, load: `bench-load-${process.pid}` };
  let reg = createRegistry();
  reg = addDevice(
    reg,
    { id: 'bench-ctl', role: 'controller', intersections: '*', password: pw.ctl },
    { iterations: 10_000 },
  );
  reg = addDevice(
    reg,
    { id: 'bench-load', role: 'admin', intersections: '*', password: pw.load },
    { iterations: 10_000 },
  );
  const { url, pid: brokerPid, close: closeBroker } = await startBroker(reg);
  const load = await mqtt.connectAsync(url, {
    clientId: 'bench-load',
    username: 'bench-load',
    password: pw.load,
    reconnectPeriod: 0,
  });

  (load.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
  // the PUBACKs of 10,000 decisions a second: one write per turn, not one per decision
  batchWritesPerTurn(load.stream);
  const ids = Array.from({ length: N }, (_, i) => `i${String(i).padStart(4, '0')}`);
  const configs = ids.map(twoPhaseConfig);
  for (const c of configs)
    await load.publishAsync(T.config(c.id), JSON.stringify(c), { qos: 1, retain: true });

  const worker = fork(join(here, 'controller-worker.ts'), [], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      BENCH_MQTT_URL: url,
      BENCH_USERNAME: 'bench-ctl',
      BENCH_PASSWORD: pw.ctl,
      BENCH_ALGORITHM: ALGORITHM,
    },
  });
  const ask = <R>(cmd: string) =>
    new Promise<R>((resolve) => {
      worker.once('message', (m) => resolve(m as R));
      worker.send({ cmd });
    });
  await new Promise<void>((resolve) => worker.once('message', () => resolve()));
  // Tick only once the service holds every retained config: at 10,000 intersections, delivering
  // them (and the service's births) takes seconds, and ticks sent meanwhile queue up behind them
  // into a backlog that the warm-up does not drain, since the service runs near the input rate.
  const readyBy = performance.now() + 120_000;
  for (;;) {
    const s = await ask<{ stats: { intersections: number } }>('stats');
    if (s.stats.intersections >= N) break;
    if (performance.now() > readyBy)
      throw new Error(`the service knows ${s.stats.intersections} of ${N} configs after 120 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 1000)); // births and subscriptions settle

  // Per intersection: signal stepper, latest decision, publish times of pending signals.
  const signals = configs.map((c) => createFastSignalStepper(c, T0));
  const request: (string | undefined)[] = configs.map(() => undefined);
  const sentAt = new Map<string, number>();
  const index = new Map(ids.map((id, i) => [id, i]));
  const dets = detectorsOf(configs[0]!);
  const rand = rng(7);
  let measuring = false;
  const e2e: number[] = [];
  let decisions = 0;
  let missing = 0;
  await load.subscribeAsync(T.filters.decision, { qos: 1 });
  load.on('message', (topic, payload) => {
    const id = topic.split('/')[2]!;
    const i = index.get(id);
    if (i === undefined) return;
    const d = JSON.parse(payload.toString()) as { t: number; phase: string };
    request[i] = d.phase;
    decisions++;
    const key = `${id}@${d.t}`;
    const t0 = sentAt.get(key);
    if (t0 !== undefined) {
      sentAt.delete(key);
      if (t0 >= 0) e2e.push(performance.now() - t0); // sent while measuring
    }
  });

  // One tick of intersection i: counts of [t-1 s, t), then the signal of t.
  const seq = new Array<number>(N).fill(0);
  function tick(i: number, t: number) {
    const id = ids[i]!;
    const atMs = T0 + t * 1000;
    const counts: Counts = {
      v: 1,
      sensor: `${id}-det`,
      boot: 'bench',
      seq: seq[i]!++,
      from: atMs - 1000,
      to: atMs,
      detectors: dets.map((d) => {
        const n = rand() < 0.12 ? 1 : 0; // ≈ 430 veh/h per detector
        return { id: d.id, count: n, occupancy: n ? 0.3 : 0 };
      }),
    };
    load.publish(T.counts(id, counts.sensor), JSON.stringify(counts), { qos: 1 });
    const r = request[i];
    signals[i]!.step(atMs - 1000, atMs, r ? { phase: r, controller: 'bench-ctl' } : undefined);
    // the last tick's decision has not come back: counted as missing, its latency still
    // measured if it comes (a saturated run must show how late, not drop its samples); a
    // decision 10 s late is given up, so the map stays bounded
    if (sentAt.has(`${id}@${atMs - 1000}`) && measuring) missing++;
    sentAt.delete(`${id}@${atMs - 10_000}`);
    // negative: sent during the warm-up, not measured
    sentAt.set(`${id}@${atMs}`, measuring ? performance.now() : -1);
    load.publish(T.signal(id), JSON.stringify(signals[i]!.signal), {
      qos: 1,
      retain: true,
    });
  }

  // Intersection i ticks at offset i/N of each second.
  const start = performance.now();
  const total = WARMUP_S + SECONDS;
  let next = 0; // ticks issued so far, over all intersections
  let cpu0 = process.cpuUsage();
  let child0 = (await ask<{ cpu: NodeJS.CpuUsage }>('stats')).cpu;
  let wall0 = performance.now();
  let childHandle0 = 0;
  const procs = () => ({
    broker: procTimes(brokerPid),
    load: procTimes(process.pid),
    service: procTimes(worker.pid),
  });
  let procs0 = procs();
  await new Promise<void>((resolve) => {
    const timer = setInterval(async () => {
      const elapsed = (performance.now() - start) / 1000;
      const due = Math.min(Math.floor(elapsed * N), total * N);
      for (; next < due; next++) tick(next % N, Math.floor(next / N) + 1);
      if (!measuring && elapsed >= WARMUP_S) {
        measuring = true;
        cpu0 = process.cpuUsage();
        procs0 = procs();
        const s = await ask<{ cpu: NodeJS.CpuUsage; stats: { handleMs: { count: number } } }>(
          'stats',
        );
        child0 = s.cpu;
        childHandle0 = s.stats.handleMs.count;
        wall0 = performance.now();
      }
      if (next >= total * N) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  await new Promise((r) => setTimeout(r, 1000)); // let the last decisions arrive
  const wallS = (performance.now() - wall0) / 1000;
  const cpuMain = process.cpuUsage(cpu0);
  const procs1 = procs();
  const end = await ask<{
    cpu: NodeJS.CpuUsage;
    stats: {
      handleMs: { p50: number; p99: number; count: number };
      decisions: number;
      intersections: number;
    };
  }>('stats');
  const childCpu = { user: end.cpu.user - child0.user, system: end.cpu.system - child0.system };
  e2e.sort((a, b) => a - b);
  const result = {
    bench: 'controller',
    at: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    // other work on the machine skews the end-to-end figures: the 1-min load average at the end
    loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
    broker:
      BROKER === 'mosquitto'
        ? 'Mosquitto 2 in its own process; service in a child process'
        : BROKER === 'openphase'
          ? 'the embedded broker as `openphase broker`, its own process; service in a child process'
          : 'embedded aedes (createBroker), in the bench process; service in a child process',
    algorithm: ALGORITHM,
    intersections: N,
    ticksPerSecond: N,
    messagesPerSecondIn: 2 * N,
    measuredS: Number(wallS.toFixed(1)),
    decisionsMeasured: e2e.length,
    missedTicks: missing,
    serviceLatencyMs: {
      what: 'signal received → decision published (in the service; last 10,000 decisions)',
      p50: Number(end.stats.handleMs.p50.toFixed(3)),
      p99: Number(end.stats.handleMs.p99.toFixed(3)),
    },
    endToEndLatencyMs: {
      what: 'signal published → decision received, through the broker both ways',
      p50: quantile(e2e, 0.5),
      p99: quantile(e2e, 0.99),
      max: Number((e2e.at(-1) ?? 0).toFixed(2)),
    },
    cpu: {
      servicePercentOfOneCore: Number(
        (((childCpu.user + childCpu.system) / 1e6 / wallS) * 100).toFixed(1),
      ),
      brokerAndLoadPercentOfOneCore: Number(
        (((cpuMain.user + cpuMain.system) / 1e6 / wallS) * 100).toFixed(1),
      ),
    },
    // from /proc: CPU and time spent runnable but waiting for a core (a starved pipeline backs up)
    processes: {
      broker: procShare(procs0.broker, procs1.broker, wallS),
      load: procShare(procs0.load, procs1.load, wallS),
      service: procShare(procs0.service, procs1.service, wallS),
    },
    serviceDecisionsPerS: 0,
    target: { p99Ms: 10, met: end.stats.handleMs.p99 <= 10 },
    decisionsTotal: decisions,
    serviceDecisionsInWindow: end.stats.handleMs.count - childHandle0,
  };
  // the window ends with a 1 s drain in which no new ticks are issued
  result.serviceDecisionsPerS = Math.round(
    result.serviceDecisionsInWindow / Math.max(0.001, wallS - 1),
  );
  const out = join(here, '..', 'bench-results', 'controller.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(
    [
      `controller bench: ${N} intersections at 1 Hz (${2 * N} msg/s in), ${ALGORITHM}, ${result.measuredS} s measured`,
      `  service latency  (signal in → decision out): p50 ${result.serviceLatencyMs.p50} ms, p99 ${result.serviceLatencyMs.p99} ms (target ≤ 10)`,
      `  end-to-end       (through the broker)      : p50 ${result.endToEndLatencyMs.p50} ms, p99 ${result.endToEndLatencyMs.p99} ms`,
      `  CPU: service ${result.cpu.servicePercentOfOneCore} % of a core, broker + load ${result.cpu.brokerAndLoadPercentOfOneCore} %`,
      `  decisions measured ${e2e.length}, ticks whose decision had not come by the next tick ${missing}; service ${result.serviceDecisionsPerS} decisions/s (${N} needed)`,
      `  /proc (CPU % of a core / % of wall waiting for a core): ${Object.entries(result.processes)
        .filter(([, v]) => v)
        .map(([k, v]) => `${k} ${v?.cpuPercentOfOneCore} / ${v?.runQueueWaitPercent}`)
        .join(', ')}; load average ${result.loadAverage1m} on ${result.cpus} CPUs`,
      `  → ${out}`,
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    worker.once('exit', () => resolve());
    worker.send({ cmd: 'close' });
    setTimeout(() => worker.kill(), 5000).unref();
  });
  await load.endAsync();
  await closeBroker();
}

main().catch((e) => {
  console.error(`bench:controller: ${(e as Error).message}`);
  process.exitCode = 1;
});
