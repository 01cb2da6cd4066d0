/**
 * What the exported Mosquitto configuration guarantees, on a real Mosquitto 2 configured only
 * from `devices export` (Mosquitto's own queue defaults left in place): a persistent QoS 1
 * subscriber that is offline through a burst and a broker restart loses nothing, and an
 * oversize payload is acknowledged and dropped while an oversize packet disconnects.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportMosquitto, type Registry } from '../../broker/index.ts';
import { type MosquittoServer, startMosquitto } from '../../rigs/mosquitto.ts';
import { freePort, waitForPort } from '../../rigs/ports.ts';
import {
  closedWithin,
  connectAs,
  fixtureRegistry,
  passwordOf,
  record,
  until,
} from './broker-fixtures.ts';

const BURST = 2000;

describe('Mosquitto from `devices export`: queues, persistence, payload limits', () => {
  let dir: string;
  let port: number;
  let mosquitto: MosquittoServer;
  let registry: Registry;
  const url = () => `mqtt://127.0.0.1:${port}`;
  const start = async () => {
    mosquitto = await startMosquitto({
      mosquittoQueueDefaults: true,
      extraConfig: [`include_dir ${join(dir, 'conf')}`],
    });
    await waitForPort(port, 10_000);
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'op-export-delivery-'));
    port = await freePort();
    registry = fixtureRegistry();
    exportMosquitto(registry, join(dir, 'conf'), 'traffic', {
      listeners: [{ port, host: '127.0.0.1' }],
      limits: { persistenceDir: join(dir, 'db'), maxPayloadBytes: 64 * 1024 },
    });
    await start();
  });
  afterAll(async () => {
    await mosquitto?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an offline persistent QoS 1 subscriber gets every message of a 2,000 burst, across a restart', {
    timeout: 120_000,
  }, async () => {
    const col = await connectAs(url(), 'col', { clean: false });
    await col.subscribeAsync('traffic/v1/+/counts/+', { qos: 1 });
    await col.endAsync();

    const sensor = await connectAs(url(), 's1');
    for (let i = 0; i < BURST; i++) {
      await sensor.publishAsync('traffic/v1/a/counts/s1', `m${i}`, { qos: 1 });
    }
    await sensor.endAsync();
    await mosquitto.stop(); // graceful: Mosquitto saves its store
    await start();

    const seen = new Set<string>();
    // handler attached before CONNECT goes out: the queued messages follow the CONNACK at once
    const back = mqtt.connect(url(), {
      clientId: 'col',
      username: 'col',
      password: passwordOf('col'),
      clean: false,
      reconnectPeriod: 0,
    });
    back.on('message', (_t, payload) => seen.add(payload.toString()));
    try {
      await until(() => seen.size === BURST, `${BURST} messages (have ${seen.size})`, 60_000);
    } finally {
      await back.endAsync();
    }
    expect(seen.size).toBe(BURST);
  });

  it('acknowledges and drops an oversize payload (the sender stays); disconnects an oversize packet', async () => {
    const adm = await connectAs(url(), 'adm');
    const got = record(adm);
    await adm.subscribeAsync('traffic/v1/a/counts/+', { qos: 1 });
    const sensor = await connectAs(url(), 's1', { protocolVersion: 4 });
    await sensor.publishAsync('traffic/v1/a/counts/s1', Buffer.alloc(100 * 1024, 1), { qos: 1 });
    await sensor.publishAsync('traffic/v1/a/counts/s1', 'marker', { qos: 1 });
    await until(() => got.some((m) => m.payload === 'marker'), 'the marker');
    expect(got.filter((m) => m.payload !== 'marker')).toEqual([]);
    expect(sensor.connected).toBe(true);

    const closed = closedWithin(sensor, 5000);
    sensor.publish('traffic/v1/a/counts/s1', Buffer.alloc(300 * 1024, 1), { qos: 0 });
    expect(await closed).toBe(true);
    await adm.endAsync();
    await sensor.endAsync(true);
  });
});
