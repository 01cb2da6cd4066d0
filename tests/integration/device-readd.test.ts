/**
 * A device removed and added again, end to end: the embedded broker, a controller service and
 * a collector into a real InfluxDB 1.6, and a sensor publishing counts (QoS 1) throughout. The
 * controller's and the collector's devices are removed (the broker refuses them for a while)
 * and added back with the same credentials: both must be connected again within 10 s — as
 * their `/health` says — and every count the broker acknowledged to the sensor must be in
 * InfluxDB.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBroker, type Registry } from '../../broker/index.ts';
import { type Collector, createCollector } from '../../collector/index.ts';
import { type ControllerService, createControllerService } from '../../controller/service.ts';
import { type Counts, topics } from '../../protocol/index.ts';
import { type InfluxDBServer, startInfluxDB } from '../../rigs/influxdb.ts';
import { twoPhase } from '../fixtures/intersections.ts';
import { connectAs, fixtureRegistry, passwordOf, sleep, until } from './broker-fixtures.ts';

const T = topics('traffic');
const DB = 'readd';
const REMOVED = ['col', 'ctl-a'];

let influx: InfluxDBServer;
let broker: ReturnType<typeof createBroker>;
let collector: Collector;
let controller: ControllerService;
let sensor: MqttClient;
let signal: MqttClient;
const logs: string[] = [];

async function health(port: number): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}/health`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Waits until `/health` answers with `connected === want`; returns when it did. */
async function waitHealth(port: number, want: boolean, timeoutMs: number): Promise<number> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const h = await health(port).catch(() => undefined);
    if (h && h.body.connected === want && (h.status === 200) === want) return Date.now();
    if (Date.now() > end) throw new Error(`/health on ${port} never said connected=${want}`);
    await sleep(50);
  }
}

beforeAll(async () => {
  influx = await startInfluxDB();
  await influx.query(`CREATE DATABASE "${DB}"`);
  broker = createBroker({ port: 0, devices: fixtureRegistry(), log: () => {} });
  await broker.start();
}, 60_000);

afterAll(async () => {
  await Promise.all([sensor?.endAsync(), signal?.endAsync()]);
  await controller?.close();
  await collector?.close();
  await broker?.close();
  await influx?.stop();
});

it('controller and collector are back within 10 s of their devices returning, and no acknowledged count is lost', async () => {
  const { url } = await broker.start();
  const registry: Registry = fixtureRegistry();
  broker.reload(registry);
  const log = (l: string) => logs.push(l);
  collector = createCollector({
    mqttUrl: url,
    username: 'col',
    password: passwordOf('col'), // no client id: it defaults to the username
    sink: { kind: 'influx-v1', url: influx.url, database: DB },
    spoolDir: `${influx.dir}/spool`,
    flushMs: 100,
    metricsPort: 0,
    logEveryMs: 0,
    log,
  });
  const col = await collector.start();
  controller = createControllerService({
    mqttUrl: url,
    username: 'ctl-a',
    password: passwordOf('ctl-a'),
    algorithm: 'fixed-time',
    intersections: ['a'],
    metricsPort: 0,
    log,
  });
  const ctl = await controller.start();
  const colPort = col.metricsPort!;
  const ctlPort = (ctl as { metricsPort?: number }).metricsPort!;
  expect((await health(colPort)).body.connected).toBe(true);
  expect((await health(ctlPort)).body.connected).toBe(true);

  signal = await connectAs(url, 'sig-a');
  await signal.publishAsync(T.config('a'), JSON.stringify({ ...twoPhase, id: 'a' }), {
    qos: 1,
    retain: true,
  });
  sensor = await connectAs(url, 's1');
  const acked = new Set<number>();
  let seq = 0;
  let publishing = true;
  const T0 = Date.now();
  const sensorLoop = (async () => {
    while (publishing) {
      const s = seq++;
      const counts: Counts = {
        v: 1,
        sensor: 's1',
        boot: 'boot-readd',
        seq: s,
        from: T0 + s * 100,
        to: T0 + s * 100 + 100,
        detectors: [{ id: 'N-through-stop', count: s % 3 }],
      };
      await sensor.publishAsync(T.counts('a', 's1'), JSON.stringify(counts), { qos: 1 });
      acked.add(s); // PUBACK received: the broker accepted it
      await sleep(50);
    }
  })();

  await until(() => collector.stats().written > 20, 'first counts written', 20_000);

  // Remove both devices: the broker cuts their sessions and refuses them from now on.
  broker.reload({ ...registry, devices: registry.devices.filter((d) => !REMOVED.includes(d.id)) });
  await waitHealth(colPort, false, 10_000);
  await waitHealth(ctlPort, false, 10_000);
  // Long enough for several refused attempts, so the back-off has grown to its cap.
  await sleep(7000);
  expect(collector.stats().connected).toBe(false);
  expect(logs.some((l) => /MQTT_BAD_CREDENTIALS/.test(l))).toBe(true);

  // Add them back, same credentials.
  const back = Date.now();
  broker.reload(registry);
  const colBack = await waitHealth(colPort, true, 30_000);
  const ctlBack = await waitHealth(ctlPort, true, 30_000);
  expect(colBack - back).toBeLessThan(10_000);
  expect(ctlBack - back).toBeLessThan(10_000);

  await sleep(1000);
  publishing = false;
  await sensorLoop;
  const last = seq - 1;
  await until(() => collector.stats().received >= acked.size, 'every count delivered', 30_000);
  await collector.drained();

  const r = await influx.query(`SELECT "seq" FROM "counts" WHERE "sensor" = 's1'`, DB);
  const stored = new Set((r.results[0]?.series?.[0]?.values ?? []).map((v) => Number(v[1])));
  const missing = [...acked].filter((s) => !stored.has(s));
  expect(missing).toEqual([]);
  expect(acked.size).toBe(last + 1);
  expect(collector.stats().gapRecords).toBe(0);
}, 120_000);
