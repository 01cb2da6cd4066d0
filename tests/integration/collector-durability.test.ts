/**
 * Durable acknowledgement, with the broker (a real Mosquitto 2) and each collector in its own
 * process (`openphase collector`) and a real InfluxDB 1.6.7:
 * - `kill -9` of the collector mid-stream, then a restart → every point present;
 * - two collectors in one shared-subscription group, 100,000 messages, one killed mid-run
 *   (and restarted with its persistent session) → exactly 100,000 points.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type InfluxDBServer, startInfluxDB } from '../../rigs/influxdb.ts';
import { type MosquittoServer, startMosquitto } from '../../rigs/mosquitto.ts';
import {
  type CollectorProcess,
  connect,
  makeTraffic,
  publishAll,
  sleep,
  totalPoints,
  totalsBySensor,
  waitFor,
} from './collector-traffic.ts';

let influx: InfluxDBServer;
let mosquitto: MosquittoServer;
const procs: CollectorProcess[] = [];
const dirs: string[] = [];
const timings: string[] = [];

beforeAll(async () => {
  [influx, mosquitto] = await Promise.all([startInfluxDB(), startMosquitto()]);
});

afterAll(async () => {
  if (timings.length > 0) console.log(timings.join('\n'));
  await Promise.all(procs.map((p) => p.stop()));
  await mosquitto?.stop();
  await influx?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function collectorArgs(clientId: string, db: string, extra: string[] = []) {
  const spool = mkdtempSync(join(tmpdir(), `op-spool-${clientId}-`));
  dirs.push(spool);
  return [
    '--mqtt',
    mosquitto.url,
    '--client-id',
    clientId,
    '--influx-url',
    influx.url,
    '--influx-db',
    db,
    '--create-db',
    '--spool-dir',
    spool,
    '--log-every',
    '0',
    ...extra,
  ];
}

async function start(args: string[]) {
  const { spawnCollector } = await import('./collector-traffic.ts');
  const p = spawnCollector(args);
  procs.push(p);
  await p.ready;
  return p;
}

it('kill -9 of the collector mid-stream, then restart: every point present', async () => {
  const args = collectorArgs('crash-collector', 'crash');
  let collector = await start(args);
  const pub = await connect(mosquitto.url, 'crash-publisher');
  const traffic = makeTraffic({ sensors: 50, perSensor: 300 });
  let killed = false;
  let restarted: Promise<void> | undefined;
  await publishAll(pub, traffic.messages, {
    window: 100,
    ratePerS: 4000,
    onProgress: async (sent) => {
      if (!killed && sent >= 5000) {
        killed = true;
        await collector.kill9(); // mid-stream: batches in memory, PUBACKs held back
        restarted = (async () => {
          await sleep(500);
          collector = await start(args); // same client id: the broker redelivers its session
        })();
      }
    },
  });
  await restarted;
  await waitFor(
    'every point in InfluxDB',
    async () => totalPoints(await totalsBySensor(influx.query, 'crash')) >= traffic.points,
    30_000,
  );
  expect(await totalsBySensor(influx.query, 'crash')).toEqual(traffic.expected);
  await pub.endAsync();
}, 60_000);

it('shared subscription: two collectors, 100,000 messages, one killed mid-run → exactly 100,000', async () => {
  const a = collectorArgs('shared-a', 'shared', ['--shared-group', 'g1']);
  const b = collectorArgs('shared-b', 'shared', ['--shared-group', 'g1']);
  let ca = await start(a);
  await start(b);
  const t0 = Date.now();
  const pub = await connect(mosquitto.url, 'shared-publisher');
  const traffic = makeTraffic({ sensors: 50, perSensor: 2000, detectors: 1 });
  expect(traffic.points).toBe(100_000);
  let killed = false;
  let restarted: Promise<void> | undefined;
  await publishAll(pub, traffic.messages, {
    window: 1000,
    onProgress: (sent) => {
      if (!killed && sent >= 40_000) {
        killed = true;
        // Killed while the next publishes are in flight: it has unacknowledged batches in memory.
        restarted = (async () => {
          await sleep(5);
          await ca.kill9();
          await sleep(500);
          ca = await start(a); // its persistent session still holds what it had not acknowledged
        })();
      }
    },
  });
  const published = Date.now();
  await restarted;
  await waitFor(
    '100,000 points in InfluxDB',
    async () => totalPoints(await totalsBySensor(influx.query, 'shared')) >= 100_000,
    45_000,
  );
  timings.push(`shared: published ${published - t0} ms, all in InfluxDB ${Date.now() - t0} ms`);
  await sleep(500); // nothing more may arrive
  const totals = await totalsBySensor(influx.query, 'shared');
  expect(totalPoints(totals)).toBe(100_000);
  expect(totals).toEqual(traffic.expected);
  await pub.endAsync();
}, 90_000);
