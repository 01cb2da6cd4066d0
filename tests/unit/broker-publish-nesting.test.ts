/**
 * aedes takes a client's next packet from inside the publish callback, so a socket holding
 * thousands of packets makes one synchronous chain of them. The gatekeeper defers a callback
 * once the chain nests MAX_NESTED deep: 100,000 packets in a row then neither overflow the stack
 * nor change their order.
 */
import { expect, it } from 'vitest';
import { createGatekeeper } from '../../broker/gatekeeper.ts';

it('100,000 publishes answered in a chain do not overflow the stack, and keep their order', async () => {
  const gk = createGatekeeper({
    root: 'traffic',
    insecure: true,
    maxPayload: 65_536,
    rate: false,
    maxRefusals: 100,
    maxRetainedBytes: undefined,
    log: () => {},
    now: () => 0,
  });
  const client = { id: 'c1', closed: false } as never;
  await new Promise((r) => gk.hooks.authenticate!(client, undefined, undefined, r));
  const order: number[] = [];
  const N = 100_000;
  await new Promise<void>((resolve, reject) => {
    const take = (i: number) => {
      if (i === N) return resolve();
      const packet = {
        cmd: 'publish',
        topic: 'traffic/v1/a/counts/s1',
        payload: Buffer.from('{}'),
        qos: 1,
        retain: false,
      } as never;
      try {
        gk.hooks.authorizePublish!(client, packet, (err) => {
          if (err) return reject(err);
          order.push(i);
          // as aedes does: the next packet from inside this callback
          take(i + 1);
        });
      } catch (e) {
        reject(e);
      }
    };
    take(0);
  });
  expect(order.length).toBe(N);
  expect(order.every((v, i) => v === i)).toBe(true);
});
