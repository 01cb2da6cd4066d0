/**
 * Issue 18.4, end-of-stream loss. (1) A loss at the tail of a stream is recorded: a sensor's
 * status carrying `lastSeq` makes the collector declare the seqs that never came as a tail gap
 * (`ingest_gaps` with tail=true). (2) The scenario that lost 100–525 acknowledged messages at
 * the tail — 50 sensors at QoS 1 through the embedded broker into InfluxDB 1.x, one malformed
 * message in 20, influxd killed at a third of the stream and started again 40 rounds later —
 * shortened, under CPU load: every acknowledged count stored once, no gap, no tail gap.
 * The full scenario, repeated: tests/soak/tail-loss.ts.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBroker } from '../../broker/index.ts';
import { createCollector } from '../../collector/index.ts';
import { type InfluxDBServer, startInfluxDB } from '../../rigs/influxdb.ts';
import { countsAt } from '../helpers/counts.ts';
import { T0, waitFor } from './collector-traffic.ts';
import { cpuLoad, runTailScenario } from './tail-scenario.ts';

let influx: InfluxDBServer;

beforeAll(async () => {
  influx = await startInfluxDB();
}, 60_000);
afterAll(() => influx?.stop());

it("records a missing tail from the sensor's status lastSeq", async () => {
  const spoolDir = mkdtempSync(join(tmpdir(), 'op-tail-'));
  const broker = createBroker({ host: '127.0.0.1', port: 0, insecure: true, log: () => {} });
  const { url } = await broker.start();
  const collector = createCollector({
    mqttUrl: url,
    clientId: 'collector-tail-gap',
    sink: {
      kind: 'influx-v1',
      url: influx.url,
      database: 'tailgap',
      timeoutMs: 2000,
      createDatabase: true,
    },
    spoolDir,
    logEveryMs: 0,
    loss: { windowMs: 500 },
    log: () => {},
  });
  await collector.start();
  const sensor = await mqtt.connectAsync(url, { clientId: 'tail-sensor', reconnectPeriod: 0 });
  try {
    const counts = (seq: number) =>
      countsAt(T0, 'tail-sensor', seq, [{ id: 'N-through-stop', count: 1 }], 'b7');
    // seqs 0..6 arrive; 7..9 were published into a void (lost at the tail)
    for (let s = 0; s < 7; s++)
      await sensor.publishAsync('traffic/v1/a/counts/tail-sensor', JSON.stringify(counts(s)), {
        qos: 1,
      });
    await sensor.publishAsync(
      'traffic/v1/a/status/tail-sensor',
      JSON.stringify({
        v: 1,
        online: false,
        device: 'tail-sensor',
        role: 'sensor',
        boot: 'b7',
        lastSeq: 9,
        atMs: T0 + 10_000,
      }),
      { qos: 1, retain: true },
    );
    await waitFor('the tail gap', () => collector.stats().tailGaps === 1, 20_000);
    await collector.drained();
    const s = collector.stats();
    expect(s.gapRecords).toBe(1);
    expect(s.gaps).toBe(3);
    const r = await influx.query(
      'SELECT "fromSeq", "toSeq", "missing", "tail", "boot" FROM "ingest_gaps"',
      'tailgap',
    );
    expect(r.results[0]?.series?.[0]?.values.map((v) => v.slice(1))).toEqual([
      [7, 9, 3, true, 'b7'],
    ]);
    expect(await collector.metricsText()).toMatch(/openphase_collector_seq_tail_gaps_total 1\b/);
  } finally {
    await sensor.endAsync();
    await collector.close();
    await broker.close();
    rmSync(spoolDir, { recursive: true, force: true });
  }
}, 60_000);

it('the end-of-stream scenario under CPU load: every acknowledged count stored, no gap', async () => {
  const load = cpuLoad(1);
  try {
    const r = await runTailScenario(influx, 'tailscenario', {
      sensors: 20,
      rounds: 90,
      outageRounds: 40,
      ratePerS: 400,
    });
    expect(r.stored).toEqual(r.expected);
    expect(r.gapRecords).toBe(0);
    expect(r.tailGaps).toBe(0);
  } finally {
    load.stop();
  }
}, 240_000);
