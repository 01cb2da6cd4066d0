/**
 * A subscriber that stops reading, over real TCP: the broker holds back what it writes to it
 * (its writes are gathered per turn of the event loop, broker/write-batch.ts, and wait for the
 * socket to drain), cuts it after the drain timeout (10 s), and meanwhile every other
 * subscriber gets every message in order.
 */
import type { Socket } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBroker } from '../../broker/index.ts';
import { connectAs, fixtureRegistry, record, until } from './broker-fixtures.ts';

const broker = createBroker({
  port: 0,
  devices: fixtureRegistry(),
  log: () => {},
  rateLimit: false,
});
let url = '';
beforeAll(async () => {
  ({ url } = await broker.start());
});
afterAll(() => broker.close());

it('cuts a subscriber that stops reading, and the others get every message in order', async () => {
  const stalled = await connectAs(url, 'obs');
  const healthy = await connectAs(url, 'adm');
  const publisher = await connectAs(url, 'ops');
  await stalled.subscribeAsync('traffic/#');
  await healthy.subscribeAsync('traffic/bulk/#');
  const got = record(healthy);
  const cut: string[] = [];
  broker.aedes.on('clientDisconnect', (c) => cut.push(c.id));
  // the observer's socket stops reading: the kernel's buffers fill, then the broker's writes wait
  (stalled.stream as Socket).pause();
  const N = 600;
  const body = 'x'.repeat(60_000); // 36 MB in all: far more than the socket buffers hold
  for (let i = 0; i < N; i++) publisher.publish(`traffic/bulk/${i}`, `${i} ${body}`, { qos: 0 });
  await until(() => got.length === N, 'every message at the healthy subscriber', 20_000);
  expect(got.map((m) => Number(m.payload.split(' ')[0]))).toEqual(
    Array.from({ length: N }, (_, i) => i),
  );
  // the stalled one is cut by the broker after its drain timeout (its own socket, paused, cannot
  // tell: the broker's client list says)
  await until(() => cut.includes('obs'), 'the stalled subscriber cut', 20_000);
  expect(cut).toEqual(['obs']);
  // the broker still serves: a new publish reaches the healthy subscriber
  publisher.publish('traffic/bulk/after', 'after 1');
  await until(() => got.some((m) => m.topic === 'traffic/bulk/after'), 'a message after the cut');
  stalled.end(true);
  await Promise.all([healthy.endAsync(), publisher.endAsync()]);
}, 60_000);
