/**
 * The embedded broker's memory store (broker/memory-persistence.ts): aedes' own, with each
 * client's queue of outgoing messages indexed instead of scanned. It passes aedes-persistence's
 * own test suite (what every aedes store passes: run under node:test, which that suite is written
 * for), and a persistent subscriber back from an outage gets its backlog, and what arrives
 * meanwhile, once each. How fast against aedes' store: `npm run bench:broker-backlog`.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { expect, it } from 'vitest';
import { createBroker } from '../../broker/index.ts';
import { ROOT } from '../../rigs/openphase.ts';
import { connectAs, fixtureRegistry, leaveCollectorSession, until } from './broker-fixtures.ts';

it("passes aedes-persistence's own test suite", async () => {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', '--test', join(ROOT, 'tests', 'helpers', 'aedes-persistence-suite.mjs')],
    { cwd: ROOT, maxBuffer: 16 << 20 },
  );
  expect(stdout).toMatch(/^# pass [1-9]\d*$/m);
  expect(stdout).toMatch(/^# fail 0$/m);
}, 120_000);

it('a persistent subscriber back from an outage gets its backlog and what follows, once each', async () => {
  const broker = createBroker({ port: 0, devices: fixtureRegistry(), log: () => {} });
  const { url } = await broker.start();
  const session = await leaveCollectorSession(url);
  const sany = await connectAs(url, 'sany');
  const publish = (k: number) =>
    sany.publishAsync(`traffic/v1/i${k % 50}/counts/sany`, String(k), { qos: 1 });
  const N = 5_000;
  for (let k = 0; k < N; k += 500)
    await Promise.all(Array.from({ length: 500 }, (_, j) => publish(k + j)));
  // the handler before the connection: the backlog follows the CONNACK at once
  const back = mqtt.connect(url, session);
  const got: number[] = [];
  back.on('message', (_t, payload) => got.push(Number(payload)));
  for (let k = N; k < N + 500; k++) await publish(k); // the city goes on meanwhile
  await until(() => got.length >= N + 500, 'the backlog and the new messages', 30_000);
  // every message once, the backlog in order. (aedes hands the new ones over as they come while
  // it replays the backlog, and one published as the session comes back may join the replay:
  // with its own store as with this one, the new ones and the backlog interleave)
  expect([...got].sort((a, b) => a - b)).toEqual(Array.from({ length: N + 500 }, (_, k) => k));
  expect(got.filter((k) => k < N)).toEqual(Array.from({ length: N }, (_, k) => k));
  back.end(true);
  await sany.endAsync();
  await broker.close();
}, 60_000);
