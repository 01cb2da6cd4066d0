/**
 * The collector end to end against a real InfluxDB 1.6.7 and the project's broker (aedes):
 * exact accounting of 100,000 messages, gap records, 10,000 malformed messages.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker } from '../../broker/index.ts';
import { type Collector, type CollectorOptions, createCollector } from '../../collector/index.ts';
import { type InfluxDBServer, startInfluxDB } from '../../rigs/influxdb.ts';
import { twoPhase } from '../fixtures/intersections.ts';
import {
  connect,
  makeTraffic,
  publishAll,
  T0,
  totalsBySensor,
  waitFor,
} from './collector-traffic.ts';

let influx: InfluxDBServer;
let broker: ReturnType<typeof createBroker>;
let url: string;
let pub: MqttClient;
const cleanup: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  influx = await startInfluxDB();
  broker = createBroker({
    host: '127.0.0.1',
    port: 0,
    insecure: true,
    rateLimit: false,
    maxPayloadBytes: 256 * 1024,
    log: () => {},
  });
  url = (await broker.start()).url;
  pub = await connect(url, 'test-publisher');
  for (let i = 0; i < 5; i++) {
    const config = JSON.stringify({ ...twoPhase, id: `i${i}` });
    await pub.publishAsync(`traffic/v1/i${i}/config`, config, { qos: 1, retain: true });
  }
});

afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
  await pub?.endAsync();
  await broker?.close();
  await influx?.stop();
});

async function collector(name: string, extra: Partial<CollectorOptions> = {}): Promise<Collector> {
  const spoolDir = extra.spoolDir ?? mkdtempSync(join(tmpdir(), 'op-spool-'));
  const c = createCollector({
    mqttUrl: url,
    clientId: `collector-${name}`,
    sink: { kind: 'influx-v1', url: influx.url, database: name, createDatabase: true },
    spoolDir,
    logEveryMs: 0,
    log: () => {},
    ...extra,
  });
  await c.start();
  // Enrichment needs the retained configs: wait for all five before publishing counts.
  await waitFor('retained configs', () => (c.stats().receivedByKind.config ?? 0) >= 5);
  cleanup.push(async () => {
    await c.close();
    rmSync(spoolDir, { recursive: true, force: true });
  });
  return c;
}

const count = async (db: string, q: string) =>
  Number((await influx.query(q, db)).results[0]?.series?.[0]?.values[0]?.[1] ?? 0);

describe('collector → InfluxDB 1.x', () => {
  it('exact accounting: 100,000 messages from 50 sensors → exactly the expected points and sums, no gaps', async () => {
    const c = await collector('accounting');
    const traffic = makeTraffic({ sensors: 50, perSensor: 2000 });
    expect(traffic.messages).toHaveLength(100_000);
    await publishAll(pub, traffic.messages, { window: 1000 });
    await waitFor('all points written', () => c.stats().written >= traffic.points, 60_000);
    await c.drained();
    expect(await totalsBySensor(influx.query, 'accounting')).toEqual(traffic.expected);
    const s = c.stats();
    expect(s.written).toBe(traffic.points);
    expect(s.receivedByKind.counts).toBe(100_000);
    expect(s.rejected).toBe(0);
    expect(s.unenriched).toBe(0); // every intersection's config was known
    expect(s.gapRecords).toBe(0);
    expect(s.duplicates).toBe(0);
    expect(await count('accounting', 'SELECT count("missing") FROM "ingest_gaps"')).toBe(0);
    // Enrichment: every point carries its approach and movement.
    expect(
      await count('accounting', `SELECT count("count") FROM "counts" WHERE "approach" = 'N'`),
    ).toBe(traffic.points / 2);
  }, 90_000);

  it('gaps: seqs 10–19 skipped → one ingest_gaps record of 10; a new boot → none', async () => {
    const c = await collector('gaps', { loss: { windowMs: 300 } });
    const msg = (sensor: string, boot: string, seq: number) =>
      [
        `traffic/v1/i0/counts/${sensor}`,
        JSON.stringify({
          v: 1,
          sensor,
          boot,
          seq,
          from: T0 + seq * 1000,
          to: T0 + seq * 1000 + 1000,
          detectors: [{ id: 'N-through-stop', count: 1 }],
        }),
      ] as [string, string];
    const messages: Array<[string, string]> = [];
    for (let seq = 0; seq < 40; seq++)
      if (seq < 10 || seq > 19) messages.push(msg('gA', 'b1', seq));
    for (let seq = 0; seq < 30; seq++) messages.push(msg('gB', 'b1', seq));
    for (let seq = 0; seq < 30; seq++) messages.push(msg('gB', 'b2', seq)); // restarted
    await publishAll(pub, messages, { window: 10 });
    await waitFor('the gap record', () => c.stats().gapRecords >= 1);
    await new Promise((r) => setTimeout(r, 800)); // past the window: nothing else may come
    await c.drained();
    const r = await influx.query('SELECT * FROM "ingest_gaps"', 'gaps');
    const series = r.results[0]?.series ?? [];
    expect(series).toHaveLength(1);
    const cols = series[0]!.columns;
    const rows = series[0]!.values.map((v) => Object.fromEntries(cols.map((k, i) => [k, v[i]])));
    expect(rows).toEqual([
      {
        time: T0 + 20_000,
        intersection: 'i0',
        sensor: 'gA',
        boot: 'b1',
        fromSeq: 10,
        toSeq: 19,
        missing: 10,
      },
    ]);
    expect(c.stats()).toMatchObject({ gapRecords: 1, gaps: 10, duplicates: 0 });
  });

  it('readers: InfluxDB 1.x and the embedded store answer the same counts query', async () => {
    const store = mkdtempSync(join(tmpdir(), 'op-store-'));
    cleanup.push(() => rmSync(store, { recursive: true, force: true }));
    const viaInflux = await collector('readers');
    const viaStore = await collector('readers-embedded', {
      sink: { kind: 'embedded', dir: store },
    });
    const traffic = makeTraffic({ sensors: 10, perSensor: 120, prefix: 'q' });
    await publishAll(pub, traffic.messages, { window: 500 });
    await waitFor('both written', () =>
      [viaInflux, viaStore].every((c) => c.stats().written >= traffic.points),
    );
    await viaInflux.drained();
    await viaStore.drained();
    const q = { intersection: 'i1', fromMs: T0 + 7_000, toMs: T0 + 100_000, everyMs: 30_000 };
    const a = await viaInflux.reader.queryCounts(q);
    const b = await viaStore.reader.queryCounts(q);
    expect(a.length).toBeGreaterThan(4);
    expect(b).toEqual(a);
    expect(new Set(a.map((r) => r.approach))).toEqual(new Set(['N', 'E']));
    // the expected sum, computed from the messages themselves
    let want = 0;
    for (const [topic, body] of traffic.messages) {
      const m = JSON.parse(body);
      if (!topic.includes('/i1/') || m.from < q.fromMs || m.from >= q.toMs) continue;
      for (const d of m.detectors) want += d.count;
    }
    expect(a.reduce((n, r) => n + r.count, 0)).toBe(want);
  });

  it('a point InfluxDB refuses (400) is dead-lettered alone, not its batch', async () => {
    // `role` already exists as an integer in the same shard (same week): InfluxDB 1.x refuses a
    // string `role` there (field type conflict, "400 partial write").
    await influx.query('CREATE DATABASE "refused"');
    const pre = await fetch(`${influx.url}/write?db=refused&precision=ms`, {
      method: 'POST',
      body: `sensor_status,device=x,intersection=i0 role=1i ${T0 - 1000}`,
    });
    expect(pre.status).toBe(204);
    const spoolDir = mkdtempSync(join(tmpdir(), 'op-spool-'));
    const c = await collector('refused', {
      spoolDir,
      batchSize: 5000,
      flushMs: 2000,
      idleFlushMs: 0,
    });
    const traffic = makeTraffic({ sensors: 5, perSensor: 40, prefix: 'r' });
    const messages: Array<[string, string]> = [...traffic.messages];
    messages.splice(77, 0, [
      'traffic/v1/i0/status/r1',
      JSON.stringify({ v: 1, online: true, device: 'r1', role: 'sensor', atMs: T0 }),
    ]);
    await publishAll(pub, messages, { window: 1000 });
    await waitFor('the refused point', () => c.stats().deadLettered >= 1);
    await c.drained();
    expect(await totalsBySensor(influx.query, 'refused')).toEqual(traffic.expected);
    expect(c.stats()).toMatchObject({
      deadLettered: 1,
      rejected: 1,
      rejectedByReason: { 'sink-refused': 1 },
    });
    const file = readFileSync(join(spoolDir, 'dead-letter', 'dead-letter.lp'), 'utf8');
    expect(file).toMatch(/^sensor_status,device=r1,intersection=i0 online=true,role="sensor" /m);
    const r = await influx.query(
      `SELECT "payload" FROM "rejected" WHERE "reason" = 'sink-refused'`,
      'refused',
    );
    expect(String(r.results[0]?.series?.[0]?.values[0]?.[1])).toContain('role="sensor"');
  });

  it('bad input: 10,000 malformed messages of many kinds → every valid point written, every one rejected by reason, alive, bounded', async () => {
    const c = await collector('badinput');
    const traffic = makeTraffic({ sensors: 20, perSensor: 1000, prefix: 'v' });
    const good = JSON.parse(traffic.messages[0]![1]);
    const kinds: Array<{ reason: string; make: (i: number) => [string, string | Buffer] }> = [
      { reason: 'not-json', make: (i) => ['traffic/v1/i0/counts/v0', `{"v":1,"seq":${i},`] },
      { reason: 'empty', make: () => ['traffic/v1/i0/counts/v0', ''] },
      { reason: 'not-object', make: (i) => ['traffic/v1/i0/counts/v0', `[${i}]`] },
      {
        reason: 'not-utf8',
        make: () => ['traffic/v1/i0/counts/v0', Buffer.from([0x7b, 0xff, 0x7d])],
      },
      {
        reason: 'too-deep',
        make: () => ['traffic/v1/i0/counts/v0', `${'['.repeat(20)}${']'.repeat(20)}`],
      },
      { reason: 'bad-topic', make: (i) => [`traffic/v1/i0/nonsense/${i}`, JSON.stringify(good)] },
      { reason: 'bad-topic', make: () => ['traffic/v1/bad.id/counts/v0', JSON.stringify(good)] },
      {
        reason: 'sensor-mismatch',
        make: () => ['traffic/v1/i0/counts/other', JSON.stringify(good)],
      },
      {
        reason: 'schema',
        make: (i) => ['traffic/v1/i0/counts/v0', JSON.stringify({ ...good, seq: -i })],
      },
      {
        reason: 'schema',
        make: () => ['traffic/v1/i0/counts/v0', JSON.stringify({ ...good, v: 2 })],
      },
      {
        reason: 'schema',
        make: () => ['traffic/v1/i0/counts/v0', JSON.stringify({ ...good, extra: 1 })],
      },
      {
        reason: 'schema',
        make: () => [
          'traffic/v1/i0/counts/v0',
          JSON.stringify({ ...good, detectors: [{ id: 'x', count: 'many' }] }),
        ],
      },
      {
        reason: 'schema',
        make: () => ['traffic/v1/i0/counts/v0', JSON.stringify({ ...good, to: good.from })],
      },
      { reason: 'schema', make: () => ['traffic/v1/i0/decision', '{"v":1,"phase":"ns"}'] },
      {
        reason: 'schema',
        make: () => ['traffic/v1/i0/signal', JSON.stringify({ v: 1, t: 'now' })],
      },
      {
        reason: 'device-mismatch',
        make: () => [
          'traffic/v1/i0/status/v0',
          JSON.stringify({ v: 1, online: true, device: 'zz' }),
        ],
      },
      // refused by the broker at the door (it validates config publishes): never reaches the
      // collector, counted by the broker as invalid-config
      {
        reason: 'broker:invalid-config',
        make: () => ['traffic/v1/i0/config', '{"v":1,"id":"i0"}'],
      },
    ];
    const bad: Array<[string, string | Buffer]> = [];
    const expected: Record<string, number> = {};
    for (let i = 0; i < 10_000; i++) {
      // a few oversized ones (over the protocol's 64 KiB, under this broker's 256 KiB)
      const k =
        i % 100 === 99
          ? {
              reason: 'too-large',
              make: () => ['traffic/v1/i0/counts/v0', Buffer.alloc(70_000, 32)] as [string, Buffer],
            }
          : kinds[i % kinds.length]!;
      bad.push(k.make(i));
      expected[k.reason] = (expected[k.reason] ?? 0) + 1;
    }
    const atBroker = expected['broker:invalid-config'] ?? 0;
    delete expected['broker:invalid-config'];
    const refusedBefore = broker.stats().refused['test-publisher']?.['invalid-config'] ?? 0;
    const mixed: Array<[string, string | Buffer]> = [];
    for (let i = 0; i < traffic.messages.length; i++) {
      mixed.push(traffic.messages[i]!);
      if (i % 2 === 1) mixed.push(bad[(i - 1) / 2]!);
    }
    expect(mixed).toHaveLength(30_000);
    const heap0 = process.memoryUsage().heapUsed;
    await publishAll(pub, mixed, { window: 1000 });
    await waitFor(
      'all valid points and dead letters',
      () => {
        const s = c.stats();
        return s.written >= traffic.points + 10_000 - atBroker;
      },
      60_000,
    );
    await c.drained();
    const s = c.stats();
    expect(atBroker).toBeGreaterThan(0);
    expect(s.rejected).toBe(10_000 - atBroker);
    expect(
      (broker.stats().refused['test-publisher']?.['invalid-config'] ?? 0) - refusedBefore,
    ).toBe(atBroker);
    expect(s.rejectedByReason).toEqual(expected);
    expect(await totalsBySensor(influx.query, 'badinput')).toEqual(traffic.expected);
    // every dead letter is in InfluxDB too, by reason
    const r = await influx.query(
      'SELECT count("bytes") FROM "rejected" GROUP BY "reason"',
      'badinput',
    );
    const stored = Object.fromEntries(
      (r.results[0]?.series ?? []).map((x) => [x.tags!.reason, Number(x.values[0]![1])]),
    );
    expect(stored).toEqual(expected);
    // alive, and nothing piles up
    expect(s).toMatchObject({ heldAcks: 0, paused: false, spoolBytes: 0 });
    const heapGrowthMb = (process.memoryUsage().heapUsed - heap0) / 1e6;
    expect(heapGrowthMb).toBeLessThan(300);
    await pub.publishAsync(
      'traffic/v1/i0/counts/late',
      JSON.stringify({ ...good, sensor: 'late', seq: 0 }),
      { qos: 1 },
    );
    await waitFor('a valid message after the storm', () => c.stats().written >= s.written + 2);
  }, 90_000);
});
