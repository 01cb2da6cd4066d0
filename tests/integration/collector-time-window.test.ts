/**
 * The collector refuses timestamps outside the plausibility window of its clock (issues 17.9,
 * 18.10): seconds sent as milliseconds, 1970, the far future. They are counted and stored as
 * `rejected` rows with reason `implausible-time` (at the time received), never as counts: no
 * InfluxDB shard is created for their year. Real InfluxDB 1.6, the embedded broker.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker } from '../../broker/index.ts';
import { type Collector, createCollector } from '../../collector/index.ts';
import { type InfluxDBServer, startInfluxDB } from '../../rigs/influxdb.ts';
import { waitFor } from './collector-traffic.ts';

const DAY_MS = 86_400_000;
let influx: InfluxDBServer;
let broker: ReturnType<typeof createBroker>;
let pub: MqttClient;
let collector: Collector;
const spoolDir = mkdtempSync(join(tmpdir(), 'op-window-'));

beforeAll(async () => {
  influx = await startInfluxDB();
  await influx.query('CREATE DATABASE win');
  broker = createBroker({ port: 0, insecure: true, rateLimit: false, log: () => {} });
  const { url } = await broker.start();
  collector = createCollector({
    mqttUrl: url,
    clientId: 'collector-window',
    sink: { kind: 'influx-v1', url: influx.url, database: 'win' },
    spoolDir,
    logEveryMs: 0,
    log: () => {},
    timeWindowMs: DAY_MS,
  });
  await collector.start();
  pub = await mqtt.connectAsync(url, { clientId: 'window-publisher', reconnectPeriod: 0 });
}, 60_000);

afterAll(async () => {
  await pub?.endAsync();
  await collector?.close();
  await broker?.close();
  await influx?.stop();
  rmSync(spoolDir, { recursive: true, force: true });
});

const counts = (seq: number, fromMs: number) =>
  JSON.stringify({
    v: 1,
    sensor: 's1',
    boot: 'b1',
    seq,
    from: fromMs,
    to: fromMs + 1000,
    detectors: [{ id: 'N-through-stop', count: 3 }],
  });

describe('timestamps outside the window', () => {
  it('are rejected with their reason and create no shard', async () => {
    const now = Math.floor(Date.now() / 1000) * 1000;
    const topic = 'traffic/v1/a/counts/s1';
    const shardsBefore = await shardStarts();
    await pub.publishAsync(topic, counts(0, now - 60_000), { qos: 1 }); // fine
    await pub.publishAsync(topic, counts(1, now / 1000), { qos: 1 }); // seconds
    await pub.publishAsync(topic, counts(2, 5_000), { qos: 1 }); // 1970
    await pub.publishAsync(topic, counts(3, Date.UTC(2200, 0, 1)), { qos: 1 }); // far future
    await pub.publishAsync(
      'traffic/v1/a/signal',
      JSON.stringify({ v: 1, t: 8.64e15, phase: 'ns' }), // schema-invalid anyway: a control
      { qos: 1 },
    );
    await waitFor('five messages', () => collector.stats().received >= 5);
    await collector.drained();
    const s = collector.stats();
    expect(s.rejectedByReason['implausible-time']).toBe(3);
    expect(s.written).toBeGreaterThan(0);

    const rows = await influx.query(
      `SELECT "detail" FROM "rejected" WHERE "reason" = 'implausible-time'`,
      'win',
    );
    const details = (rows.results[0]?.series?.[0]?.values ?? []).map((v) => String(v[1]));
    expect(details).toHaveLength(3);
    expect(details.filter((d) => d.includes('seconds, not milliseconds?'))).toHaveLength(1);
    // only the valid interval was stored as counts
    const stored = await influx.query('SELECT count("count") FROM "counts"', 'win');
    expect(stored.results[0]?.series?.[0]?.values[0]?.[1]).toBe(1);
    // and no shard outside a week of now (InfluxDB's shard groups are a week long)
    const created = (await shardStarts()).filter((t) => !shardsBefore.includes(t));
    expect(created.every((t) => Math.abs(t - now) <= 8 * DAY_MS)).toBe(true);
  }, 60_000);
});

/** Start times (epoch ms) of every shard of database `win`. */
async function shardStarts(): Promise<number[]> {
  const r = await influx.query('SHOW SHARDS');
  const win = (r.results[0]?.series ?? []).find((s) => s.name === 'win');
  if (!win) return [];
  const col = win.columns.indexOf('start_time');
  return (win.values ?? []).map((v) => Date.parse(String(v[col])));
}
