/**
 * Database outage: influxd (real, 1.6.7) is stopped for 20 s in the middle of a steady stream
 * and started again. Every point must be in InfluxDB afterwards, none doubled in query results,
 * and the metrics must show the spool and its replay.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBroker } from '../../broker/index.ts';
import { type Collector, createCollector } from '../../collector/index.ts';
import { type InfluxDBServer, startInfluxDB } from '../../rigs/influxdb.ts';
import { twoPhase } from '../fixtures/intersections.ts';
import {
  connect,
  makeTraffic,
  publishAll,
  sleep,
  totalsBySensor,
  waitFor,
} from './collector-traffic.ts';

let influx: InfluxDBServer;
let broker: ReturnType<typeof createBroker>;
let collector: Collector;
let spoolDir: string;

beforeAll(async () => {
  influx = await startInfluxDB();
  broker = createBroker({
    host: '127.0.0.1',
    port: 0,
    insecure: true,
    rateLimit: false,
    log: () => {},
  });
  await broker.start();
  spoolDir = mkdtempSync(join(tmpdir(), 'op-spool-'));
});

afterAll(async () => {
  await collector?.close();
  await broker?.close();
  await influx?.stop();
  rmSync(spoolDir, { recursive: true, force: true });
});

it('influxd down for 20 s mid-stream: every point present once, spooled and replayed', async () => {
  const { url } = await broker.start();
  collector = createCollector({
    mqttUrl: url,
    clientId: 'collector-outage',
    sink: {
      kind: 'influx-v1',
      url: influx.url,
      database: 'outage',
      timeoutMs: 2000,
      createDatabase: true,
    },
    spoolDir,
    batchSize: 2000,
    metricsPort: 0,
    logEveryMs: 0,
    log: () => {},
  });
  const { metricsPort } = await collector.start();
  const pub = await connect(url, 'outage-publisher');
  for (let i = 0; i < 5; i++) {
    await pub.publishAsync(
      `traffic/v1/i${i}/config`,
      JSON.stringify({ ...twoPhase, id: `i${i}` }),
      {
        qos: 1,
        retain: true,
      },
    );
  }
  // 50 sensors × 300 messages at 500 messages/s: a 30-second stream.
  const traffic = makeTraffic({ sensors: 50, perSensor: 300 });
  let outage: Promise<void> | undefined;
  const t0 = Date.now();
  await publishAll(pub, traffic.messages, {
    window: 50,
    ratePerS: 500,
    onProgress: (sent) => {
      if (!outage && sent >= 2000) {
        outage = (async () => {
          await influx.stopProcess();
          await sleep(20_000);
          await influx.startProcess();
        })();
      }
    },
  });
  await outage;
  const publishedInS = (Date.now() - t0) / 1000;
  await waitFor('every point written', () => collector.stats().written >= traffic.points, 60_000);
  await collector.drained();
  const s = collector.stats();
  expect(s.spooled).toBeGreaterThan(5000); // 20 s at ~1000 points/s went to disk
  expect(s.replayed).toBe(s.spooled);
  expect(s.spoolBytes).toBe(0);
  expect(s.sinkErrors).toBeGreaterThan(0);
  expect(s.deadLettered).toBe(0);
  expect(s.gapRecords).toBe(0);
  // Exactly the expected points and sums: nothing missing, nothing doubled.
  expect(await totalsBySensor(influx.query, 'outage')).toEqual(traffic.expected);
  // The metrics as Prometheus scrapes them.
  const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  expect(metrics).toMatch(new RegExp(`openphase_collector_points_spooled_total ${s.spooled}\\b`));
  expect(metrics).toMatch(new RegExp(`openphase_collector_points_replayed_total ${s.replayed}\\b`));
  expect(publishedInS).toBeGreaterThan(25);
  await pub.endAsync();
}, 90_000);
