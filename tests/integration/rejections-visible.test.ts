/**
 * A mistyped topic or a schema-invalid message is acknowledged like any other (MQTT 3.1.1 has
 * no way to refuse a publish), so it must show where an operator looks: a log line with the
 * reason, at a bounded rate per device (one noisy device neither floods the log nor hides the
 * others), and a count per device and reason on `/metrics` — the broker's refusals and the
 * collector's rejections alike.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { brokerMetricsText, createBroker } from '../../broker/index.ts';
import { type Collector, createCollector } from '../../collector/index.ts';
import { connectAs, fixtureRegistry, passwordOf, until } from './broker-fixtures.ts';

let broker: ReturnType<typeof createBroker>;
let url: string;
let collector: Collector;
const brokerLog: string[] = [];
const collectorLog: string[] = [];
let dir: string;

beforeAll(async () => {
  broker = createBroker({
    port: 0,
    devices: fixtureRegistry(),
    log: (l) => brokerLog.push(l),
  });
  ({ url } = await broker.start());
  dir = mkdtempSync(join(tmpdir(), 'op-rejections-'));
  collector = createCollector({
    mqttUrl: url,
    username: 'col',
    password: passwordOf('col'),
    sink: { kind: 'embedded', dir: join(dir, 'points') },
    spoolDir: join(dir, 'spool'),
    metricsPort: 0,
    logEveryMs: 0,
    log: (l) => collectorLog.push(l),
  });
  await collector.start();
});

afterAll(async () => {
  await collector?.close();
  await broker?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('broker: a sensor publishing to a mistyped topic is logged with the reason, per device at a bounded rate, and counted per device', async () => {
  const s1 = await connectAs(url, 's1');
  const s2 = await connectAs(url, 's2');
  const body = JSON.stringify({ v: 1 });
  for (let i = 0; i < 20; i++) await s1.publishAsync('traffic/v1/a/count/s1', body, { qos: 1 });
  await s2.publishAsync('traffic/v1/a/cnts/s2', body, { qos: 1 });
  await Promise.all([s1.endAsync(), s2.endAsync()]);

  const fromS1 = brokerLog.filter((l) =>
    /refused publish from s1 to "traffic\/v1\/a\/count\/s1"/.test(l),
  );
  expect(fromS1.length).toBeGreaterThan(0);
  expect(fromS1.length).toBeLessThan(20); // held back, per device
  // the other device is still heard, despite s1's burst
  expect(
    brokerLog.some((l) => /refused publish from s2 to "traffic\/v1\/a\/cnts\/s2"/.test(l)),
  ).toBe(true);
  const text = brokerMetricsText(broker.stats());
  expect(text).toMatch(/openphase_broker_refused_total\{device="s1",reason="[^"]+"\} 20\n/);
  expect(text).toMatch(/openphase_broker_refused_total\{device="s2",reason="[^"]+"\} 1\n/);
});

it('collector: schema-invalid and mistyped messages are logged with the reason, per device at a bounded rate, and counted per device', async () => {
  const adm = await connectAs(url, 'adm'); // may publish anything: the collector must judge
  const bad = JSON.stringify({ v: 1, sensor: 's1', boot: 'b', seq: 'x', detectors: [] });
  for (let i = 0; i < 5; i++) await adm.publishAsync('traffic/v1/a/counts/s1', bad, { qos: 1 });
  await adm.publishAsync('traffic/v1/b/cnts/s3', bad, { qos: 1 });
  await adm.endAsync();
  await until(() => collector.stats().rejected >= 6, 'six rejections', 10_000);

  const schema = collectorLog.filter((l) =>
    /rejected a message from a\/counts\/s1 \(schema\)/.test(l),
  );
  expect(schema).toHaveLength(1); // then held back: once a minute per device
  expect(
    collectorLog.some((l) => /rejected a message from b\/cnts\/s3 \(bad-topic\)/.test(l)),
  ).toBe(true);
  const text = await collector.metricsText();
  expect(text).toMatch(
    /openphase_collector_messages_rejected_by_source_total\{source="a\/counts\/s1",reason="schema"\} 5\n/,
  );
  expect(text).toMatch(
    /openphase_collector_messages_rejected_by_source_total\{source="b\/cnts\/s3",reason="bad-topic"\} 1\n/,
  );
});
