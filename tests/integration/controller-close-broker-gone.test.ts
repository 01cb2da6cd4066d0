/**
 * SIGTERM to a controller service whose broker stops answering at that moment (a site shut
 * down at once): its farewell ({online:false} on each intersection, QoS 1) is never
 * acknowledged. close() used to wait for those acknowledgements for ever, so the process outlived
 * any number of SIGTERMs; the farewell is now bounded (ops/farewell.ts) and close() returns.
 */
import mqtt from 'mqtt';
import { afterAll, expect, it } from 'vitest';
import { createControllerService } from '../../controller/service.ts';
import { topics } from '../../protocol/index.ts';
import { spawnOpenphase } from '../../rigs/openphase.ts';
import { twoPhase } from '../fixtures/intersections.ts';
import { until } from './broker-fixtures.ts';

const broker = spawnOpenphase(['broker', '--insecure', '--port', '0']);
afterAll(async () => {
  broker.child.kill('SIGCONT');
  broker.child.kill('SIGKILL');
  await broker.exited;
});

it('close() returns when the broker stops answering as it closes', async () => {
  await broker.printed(/"ready":true/);
  const url = /"url":"([^"]+)"/.exec(broker.output())![1]!;
  const admin = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
  await admin.publishAsync(
    topics('traffic').config('a'),
    JSON.stringify({ v: 1, ...twoPhase, id: 'a' }),
    {
      qos: 1,
      retain: true,
    },
  );
  await admin.endAsync();
  const svc = createControllerService({
    mqttUrl: url,
    algorithm: 'actuated',
    intersections: ['a'],
    log: () => {},
  });
  await svc.start();
  await until(() => svc.stats().intersections === 1, 'the config of a');
  broker.child.kill('SIGSTOP'); // the broker still holds the connection, and answers nothing
  let done = false;
  const closing = svc.close().then(() => {
    done = true;
  });
  await until(() => done, 'close() to return', 15_000);
  await closing;
  expect(svc.stats().connected).toBe(false);
}, 30_000);
