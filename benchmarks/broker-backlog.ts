/**
 * `npm run bench:broker-backlog`: a persistent subscriber (a collector) back from an outage.
 * While it is away, N counts messages (QoS 1) are queued for it; it reconnects while the city
 * goes on publishing (1,000 messages a second), and the bench times how long until it has every
 * message, backlog and new, for the embedded broker's memory
 * store (broker/memory-persistence.ts: each client's queue indexed) and for aedes-persistence's
 * own (each message found by scanning the queue), in one run. Writes
 * bench-results/broker-backlog.json.
 *
 * Env: BENCH_BACKLOG (comma-separated N, default 10000,30000,60000), BENCH_BACKLOG_STORES
 * (`indexed,aedes`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { addDevice, createBroker, createRegistry } from '../broker/index.ts';
import { createMemoryPersistence } from '../broker/memory-persistence.ts';

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const SIZES = (process.env.BENCH_BACKLOG ?? '10000,30000,60000').split(',').map(Number);
const STORES = (process.env.BENCH_BACKLOG_STORES ?? 'indexed,aedes').split(',');
/** Past this a store is reported as not having drained (the scan store needs minutes at 60,000). */
const GIVE_UP_MS = 120_000;
/** Messages a second published while the backlog drains (a 1,000-intersection city's counts). */
const LIVE_PER_S = Number(process.env.BENCH_BACKLOG_LIVE ?? 1000);

const stores: Record<string, () => unknown> = {
  indexed: () => createMemoryPersistence(),
  aedes: () => (require('aedes-persistence') as () => unknown)(),
};

async function drain(store: string, n: number) {
  let reg = createRegistry();
  for (const [id, role] of [
    ['sen', 'sensor'],
    ['col', 'collector'],
  ] as const)
    reg = addDevice(
      reg,
      { id, role, intersections: '*', password: `pw-${id}` },
      { iterations: 1000 },
    );
  const broker = createBroker({
    port: 0,
    devices: reg,
    persistence: stores[store]!(),
    log: () => {},
  });
  const { url } = await broker.start();
  const opts = (id: string) => ({
    clientId: id,
    username: id,
    password: `pw-${id}`,
    reconnectPeriod: 0,
  });
  const col = await mqtt.connectAsync(url, { ...opts('col'), clean: false });
  await col.subscribeAsync('traffic/v1/+/counts/+', { qos: 1 });
  await col.endAsync();
  const sen = await mqtt.connectAsync(url, opts('sen'));
  const body = JSON.stringify({ v: 1, pad: 'x'.repeat(200) });
  for (let k = 0; k < n; k += 1000) {
    const batch = [];
    for (let j = k; j < Math.min(n, k + 1000); j++)
      batch.push(sen.publishAsync(`traffic/v1/i${j % 1000}/counts/sen`, body, { qos: 1 }));
    await Promise.all(batch);
  }
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  // the handler before the connection: the backlog follows the CONNACK in the same read
  const back = mqtt.connect(url, { ...opts('col'), clean: false });
  let got = 0;
  back.on('message', () => got++);
  // the city goes on meanwhile: LIVE_PER_S more messages a second, in steps of a tenth
  let live = 0;
  while (got < n + live && performance.now() - t0 < GIVE_UP_MS) {
    const step = [];
    for (let j = 0; j < LIVE_PER_S / 10; j++, live++)
      step.push(sen.publishAsync(`traffic/v1/i${live % 1000}/counts/sen`, body, { qos: 1 }));
    await Promise.all([...step, new Promise((r) => setTimeout(r, 100))]);
  }
  const ms = performance.now() - t0;
  await sen.endAsync();
  const cpu = process.cpuUsage(cpu0);
  back.end(true);
  await broker.close();
  return {
    store,
    queued: n,
    livePerS: LIVE_PER_S,
    liveSent: live,
    delivered: got,
    drained: got >= n + live,
    ms: Math.round(ms),
    messagesPerS: Math.round((got / ms) * 1000),
    cpuS: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
  };
}

const results = [];
for (const n of SIZES) {
  for (const store of STORES) {
    const r = await drain(store, n);
    results.push(r);
    process.stderr.write(
      `bench:broker-backlog ${store} store, ${n} queued + ${r.liveSent} live: ${r.drained ? 'caught up' : `NOT caught up (${r.delivered} delivered)`} in ${r.ms} ms, ${r.messagesPerS} msg/s, ${r.cpuS} s CPU\n`,
    );
  }
}
const report = {
  bench: 'broker-backlog',
  at: new Date().toISOString(),
  machine: {
    cpus: cpus().length,
    node: process.version,
    loadAverage1m: Number(loadavg()[0]!.toFixed(2)),
  },
  what: 'a persistent QoS 1 subscriber reconnects to N queued messages while livePerS more arrive: time until it has every one',
  results,
};
const out = join(here, '..', 'bench-results', 'broker-backlog.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`wrote ${out}`);
