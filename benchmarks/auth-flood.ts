/**
 * `npm run bench:auth-flood`: delivery latency between connected devices while a flood of
 * wrong passwords hits the broker (no credential needed, only a device id). For the embedded
 * broker (with and without the failure back-off) and for Mosquitto configured from
 * `devices export`, at several PBKDF2 iteration counts.
 *
 * The flood: 100 CONNECTs with a wrong password for one device id, 10 at a time. The probe:
 * one device publishes a QoS 1 message every 5 ms, another receives it; latency = received −
 * sent (same process, same clock). Writes bench-results/auth-flood.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import {
  addDevice,
  createBroker,
  createRegistry,
  exportMosquitto,
  type Registry,
} from '../broker/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const FLOOD = 100;
const CONCURRENT = 10;
const PROBE_EVERY_MS = 5;
const pw = (id: string) => `bench-${id}-secret`;

function registry(iterations: number): Registry {
  let reg = createRegistry();
  const devices = [
    { id: 'victim', role: 'sensor', intersections: ['a'] },
    { id: 'pub', role: 'sensor', intersections: ['a'] },
    { id: 'sub', role: 'controller', intersections: ['a'] },
  ] as const;
  for (const d of devices) {
    reg = addDevice(
      reg,
      { ...d, intersections: [...d.intersections], password: pw(d.id) },
      { iterations },
    );
  }
  return reg;
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0
    ? Number.NaN
    : sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;

async function connackCode(url: string, opts: mqtt.IClientOptions): Promise<number> {
  try {
    const c = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 30_000, ...opts });
    await c.endAsync();
    return 0;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'number' ? code : -1;
  }
}

/** The probe and the flood against a running broker at `url`. */
async function measure(url: string, attempts = FLOOD) {
  const as = (id: string) =>
    mqtt.connectAsync(url, { clientId: id, username: id, password: pw(id), reconnectPeriod: 0 });
  const sub = await as('sub');
  const pub = await as('pub');
  const latencies: number[] = [];
  let flooding = false;
  sub.on('message', (_t, payload) => {
    if (flooding) latencies.push(performance.now() - Number(payload.toString()));
  });
  await sub.subscribeAsync('traffic/v1/a/counts/pub', { qos: 1 });
  let probing = true;
  const probe = (async () => {
    while (probing) {
      pub.publish('traffic/v1/a/counts/pub', String(performance.now()), { qos: 1 });
      await new Promise((r) => setTimeout(r, PROBE_EVERY_MS));
    }
  })();
  await new Promise((r) => setTimeout(r, 500)); // warm
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  flooding = true;
  const codes: number[] = [];
  if (attempts === 0) await new Promise((r) => setTimeout(r, 1500)); // baseline window
  for (let i = 0; i < attempts; i += CONCURRENT) {
    const wave = Array.from({ length: CONCURRENT }, () =>
      connackCode(url, { clientId: 'victim', username: 'victim', password: 'wrong' }),
    );
    codes.push(...(await Promise.all(wave)));
  }
  const floodMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 200)); // late deliveries of the flood window
  flooding = false;
  const cpu = process.cpuUsage(cpu0);
  probing = false;
  await probe;
  await Promise.all([sub.endAsync(), pub.endAsync()]);
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    floodMs: Math.round(floodMs),
    refused: codes.filter((c) => c !== 0).length,
    deliveries: sorted.length,
    p50Ms: +percentile(sorted, 0.5).toFixed(1),
    p99Ms: +percentile(sorted, 0.99).toFixed(1),
    maxMs: +(sorted.at(-1) ?? Number.NaN).toFixed(1),
    /** CPU of this process (broker + bench clients) per wall second of the flood */
    processCores: +((cpu.user + cpu.system) / 1000 / floodMs).toFixed(2),
  };
}

async function embedded(iterations: number, backoff: boolean, attempts = FLOOD) {
  const broker = createBroker({
    port: 0,
    devices: registry(iterations),
    log: () => {},
    ...(backoff
      ? {}
      : {
          // what the broker did before the back-off: every attempt hashed
          backoff: {
            perId: { burst: 1e9, perSecond: 1 },
            perAddress: { burst: 1e9, perSecond: 1 },
            maxKeys: 10,
          },
        }),
  });
  const { url } = await broker.start();
  try {
    const r = await measure(url, attempts);
    return { ...r, hashed: broker.stats().auth.failed };
  } finally {
    await broker.close();
  }
}

async function mosquitto(iterations: number, attempts = FLOOD) {
  const { startMosquitto } = await import('../rigs/mosquitto.ts');
  const { freePort, waitForPort } = await import('../rigs/ports.ts');
  const dir = mkdtempSync(join(tmpdir(), 'op-bench-auth-'));
  const port = await freePort();
  exportMosquitto(registry(iterations), dir, 'traffic', {
    listeners: [{ port, host: '127.0.0.1' }],
    limits: { persistenceDir: join(dir, 'db') },
  });
  const server = await startMosquitto({ extraConfig: [`include_dir ${dir}`] });
  try {
    await waitForPort(port, 10_000);
    return await measure(`mqtt://127.0.0.1:${port}`, attempts);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  const only = process.argv[2]; // 'embedded' | 'mosquitto' | undefined (both)
  const runs: Record<string, unknown>[] = [];
  const run = async (name: string, f: () => Promise<object>) => {
    const r = await f();
    runs.push({ name, ...r });
    console.log(name.padEnd(44), JSON.stringify(r));
  };
  console.log(
    `auth flood: ${FLOOD} wrong passwords, ${CONCURRENT} at a time; probe every ${PROBE_EVERY_MS} ms; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}`,
  );
  if (only !== 'mosquitto') {
    await run('embedded, no flood (baseline)', () => embedded(1_000, true, 0));
    await run('embedded, 100,000 iterations, no back-off', () => embedded(100_000, false));
    await run('embedded, 100,000 iterations, back-off', () => embedded(100_000, true));
    await run('embedded, 1,000 iterations, back-off', () => embedded(1_000, true));
  }
  if (only !== 'embedded') {
    await run('mosquitto, no flood (baseline)', () => mosquitto(1_000, 0));
    await run('mosquitto, 100,000 iterations', () => mosquitto(100_000));
    await run('mosquitto, 10,000 iterations', () => mosquitto(10_000));
    await run('mosquitto, 1,000 iterations', () => mosquitto(1_000));
  }
  const out = join(here, '..', 'bench-results', 'auth-flood.json');
  mkdirSync(dirname(out), { recursive: true });
  const result = {
    at: new Date().toISOString(),
    flood: { attempts: FLOOD, concurrent: CONCURRENT, probeEveryMs: PROBE_EVERY_MS },
    machine: { cores: cpus().length, load1: loadavg()[0] },
    runs,
  };
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${out}`);
}

await main();
