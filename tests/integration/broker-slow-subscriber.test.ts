/**
 * A subscriber that stops reading, over real TCP: the broker keeps what it cannot send it in
 * memory for a while and up to a size, then cuts it with the reason (broker/write-batch.ts),
 * and meanwhile every other subscriber gets every message in order, without waiting for it.
 * (aedes alone waits for a full socket to drain before it delivers further messages to anyone:
 * measured, the other subscriber got nothing for 9.5 s, until aedes' 10 s drain timeout cut the
 * stalled one.)
 */
import type { Socket } from 'node:net';
import { expect, it } from 'vitest';
import { createBroker } from '../../broker/index.ts';
import { connectAs, fixtureRegistry, record, until } from './broker-fixtures.ts';

const N = 300;
const body = 'x'.repeat(60_000); // 18 MB in all: more than the socket buffers hold

/**
 * `paced`: publish in steps of 10 messages, each once the healthy subscriber has the last, so
 * that only the stalled one's backlog grows (with a 1 MiB limit, the healthy one's would pass it
 * too when the shared process is slow to read an 18 MB burst, and it would rightly be cut).
 */
async function stalledBench(
  limits: { maxBacklogBytes: number; drainTimeoutMs: number },
  paced = false,
) {
  const logs: string[] = [];
  const broker = createBroker({
    port: 0,
    devices: fixtureRegistry(),
    log: (l) => logs.push(l),
    rateLimit: false,
    ...limits,
  });
  const { url } = await broker.start();
  const stalled = await connectAs(url, 'obs');
  const healthy = await connectAs(url, 'adm');
  const publisher = await connectAs(url, 'ops');
  await stalled.subscribeAsync('traffic/#');
  await healthy.subscribeAsync('traffic/bulk/#');
  const got = record(healthy);
  const cut: string[] = [];
  broker.aedes.on('clientDisconnect', (c) => cut.push(c.id));
  // the observer's socket stops reading: the kernel's buffers fill, then the broker's memory
  (stalled.stream as Socket).pause();
  const sent = (async () => {
    for (let i = 0; i < N; i++) {
      publisher.publish(`traffic/bulk/${i}`, `${i} ${body}`, { qos: 0 });
      if (paced && i % 10 === 9)
        await until(() => got.length === i + 1 || cut.includes('adm'), 'a step', 30_000);
    }
  })();
  return {
    sent,
    broker,
    logs,
    got,
    cut,
    async close() {
      stalled.end(true);
      await Promise.all([healthy.endAsync(), publisher.endAsync()]);
      await broker.close();
    },
  };
}

const inOrder = (got: { payload: string }[]) => got.map((m) => Number(m.payload.split(' ')[0]));

it('others get every message, in order, while a stalled subscriber is still connected', async () => {
  const t = await stalledBench({ maxBacklogBytes: 256 << 20, drainTimeoutMs: 60_000 });
  await until(() => t.got.length === N, 'every message at the healthy subscriber', 30_000);
  expect(t.cut).toEqual([]); // nobody waited for the stalled one to be cut
  expect(inOrder(t.got)).toEqual(Array.from({ length: N }, (_, i) => i));
  await t.close();
}, 60_000);

it('cuts a stalled subscriber once its unsent bytes pass the limit, and says why', async () => {
  const t = await stalledBench({ maxBacklogBytes: 1 << 20, drainTimeoutMs: 60_000 }, true);
  await until(() => t.cut.includes('obs'), 'the stalled subscriber cut', 30_000);
  await t.sent;
  expect(t.cut).toEqual(['obs']);
  await until(() => t.got.length === N, 'every message at the healthy subscriber', 30_000);
  expect(t.broker.stats().disconnected['stopped-reading']).toBe(1);
  expect(t.logs.join('\n')).toMatch(
    /broker: obs stopped reading \(\d+ bytes unsent, over 1048576\)/,
  );
  await t.close();
}, 60_000);

it('cuts a stalled subscriber whose socket does not drain in time, and says why', async () => {
  const t = await stalledBench({ maxBacklogBytes: 256 << 20, drainTimeoutMs: 1000 });
  await until(() => t.cut.includes('obs'), 'the stalled subscriber cut', 30_000);
  expect(t.logs.join('\n')).toMatch(
    /obs stopped reading \(\d+ bytes unsent, not drained in 1000 ms\)/,
  );
  // the broker still serves: the healthy subscriber got everything, and gets more
  await until(() => t.got.length === N, 'every message at the healthy subscriber', 30_000);
  expect(inOrder(t.got)).toEqual(Array.from({ length: N }, (_, i) => i));
  await t.close();
}, 60_000);
