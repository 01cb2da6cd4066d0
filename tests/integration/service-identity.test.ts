/**
 * Client ids and refusals: `openphase collector` with only a username (as docs/influxdb.md's
 * first example) is accepted by OpenPhase's own broker (client id = username); a refused
 * client id is a named error in the log, and the service keeps trying.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBroker } from '../../broker/index.ts';
import { createControllerService } from '../../controller/service.ts';
import { spawnOpenphase } from '../../rigs/openphase.ts';
import { fixtureRegistry, passwordOf } from './broker-fixtures.ts';

let broker: ReturnType<typeof createBroker>;
let url: string;
let dir: string;

beforeAll(async () => {
  broker = createBroker({ port: 0, devices: fixtureRegistry(), log: () => {} });
  ({ url } = await broker.start());
  dir = mkdtempSync(join(tmpdir(), 'op-identity-'));
});

afterAll(async () => {
  await broker?.close();
  rmSync(dir, { recursive: true, force: true });
});

it('openphase collector with only --username connects (its client id is the username)', async () => {
  const p = spawnOpenphase(
    [
      'collector',
      '--mqtt',
      url,
      '--username',
      'col',
      '--data-dir',
      join(dir, 'points'),
      '--spool-dir',
      join(dir, 'spool'),
      '--metrics-port',
      '0',
      '--log-every',
      '0',
    ],
    { env: { OPENPHASE_MQTT_PASSWORD: passwordOf('col') } },
  );
  try {
    await p.printed(/"ready":true/, 40_000);
    const port = Number(/"metricsPort":(\d+)/.exec(p.output())![1]);
    const health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
    expect(health).toMatchObject({ connected: true, clientId: 'col' });
  } finally {
    p.child.kill('SIGTERM');
    await p.exited;
  }
}, 60_000);

it('a refused client id is a named error in the log, and the service keeps trying', async () => {
  const logs: string[] = [];
  const svc = createControllerService({
    mqttUrl: url,
    username: 'ctl-a',
    password: passwordOf('ctl-a'),
    clientId: 'controller-7',
    algorithm: 'fixed-time',
    intersections: ['a'],
    connectTimeoutMs: 4000,
    log: (l) => logs.push(l),
  });
  await expect(svc.start()).rejects.toThrow(/MQTT_IDENTIFIER_REJECTED/);
  expect(logs.join('\n')).toMatch(/MQTT_IDENTIFIER_REJECTED: .*'controller-7'.*use 'ctl-a'/);
  expect(svc.stats().refusals).toBeGreaterThan(1); // it tried again after the first refusal
  await svc.close();
});
