/**
 * The collector creates an InfluxDB 1.x database only when told to (`--create-db`): a missing
 * (e.g. mistyped) database stops the start with an error naming it and the flag, and nothing
 * is created.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBroker } from '../../broker/index.ts';
import { chooseSink, createCollector } from '../../collector/index.ts';
import { topics } from '../../protocol/index.ts';
import { type InfluxDBServer, startInfluxDB } from '../../rigs/influxdb.ts';
import { connectAs, fixtureRegistry, passwordOf, until } from './broker-fixtures.ts';

let influx: InfluxDBServer;
let broker: ReturnType<typeof createBroker>;
let url: string;
const dirs: string[] = [];

beforeAll(async () => {
  influx = await startInfluxDB();
  await influx.query('CREATE DATABASE "openphase"');
  broker = createBroker({ port: 0, devices: fixtureRegistry(), log: () => {} });
  ({ url } = await broker.start());
}, 60_000);

afterAll(async () => {
  await broker?.close();
  await influx?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function databases(): Promise<string[]> {
  const r = await influx.query('SHOW DATABASES');
  return (r.results[0]?.series?.[0]?.values ?? []).map((v) => String(v[0]));
}

function collectorFor(database: string, createDb: boolean) {
  const spoolDir = mkdtempSync(join(tmpdir(), 'op-createdb-'));
  dirs.push(spoolDir);
  // the options as the command line gives them (--influx-url, --influx-db, --create-db)
  const sink = chooseSink({
    'influx-url': influx.url,
    'influx-db': database,
    ...(createDb ? { 'create-db': true } : {}),
  });
  expect(sink.kind).toBe('influx-v1');
  return createCollector({
    mqttUrl: url,
    username: 'col',
    password: passwordOf('col'),
    clientId: 'col',
    sink,
    spoolDir,
    logEveryMs: 0,
    log: () => {},
  });
}

it('a mistyped database stops the start, names the database and --create-db, creates nothing', async () => {
  const c = collectorFor('openphse', false);
  await expect(c.start()).rejects.toThrow(/no database 'openphse'.*--create-db/);
  await c.close();
  expect(await databases()).not.toContain('openphse');
});

it('an existing database is used as is', async () => {
  const c = collectorFor('openphase', false);
  await c.start();
  expect(c.stats().connected).toBe(true);
  await c.close();
});

it('with --create-db a missing database is created at the first write', async () => {
  const c = collectorFor('made_here', true);
  await c.start();
  const sensor = await connectAs(url, 's1');
  await sensor.publishAsync(
    topics().status('a', 's1'),
    JSON.stringify({ v: 1, online: true, device: 's1', role: 'sensor', atMs: Date.now() }),
    { qos: 1 },
  );
  await sensor.endAsync();
  await until(() => c.stats().written >= 1, 'the status point written', 20_000);
  await c.close();
  expect(await databases()).toContain('made_here');
});
