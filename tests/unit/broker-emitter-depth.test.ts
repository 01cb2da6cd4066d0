/**
 * aedes' emitter starts each queued message from inside the completion of the one before: a
 * backlog whose deliveries finish at once overflowed the stack of a saturated broker. On the
 * emitter aedes really uses (concurrency 100), flattened: 200,000 queued messages all
 * complete, in order, with no overflow; what is emitted while one waits queues behind it.
 */
import { Aedes } from 'aedes';
import { expect, it } from 'vitest';
import { flattenReleases, type QueuedEmitter } from '../../broker/emitter-depth.ts';

type Cb = () => void;
type Mq = QueuedEmitter & {
  on(topic: string, fn: (m: { topic: string; n: number }, cb: Cb) => void): void;
  emit(m: { topic: string; n: number }, cb?: Cb): unknown;
};

/** A real aedes emitter with 100 deliveries held, so that what follows queues. */
function saturated() {
  const broker = new Aedes();
  const mq = flattenReleases((broker as unknown as { mq: Mq }).mq);
  expect(mq.concurrency).toBe(100);
  const held: Cb[] = [];
  mq.on('a/#', (m, cb) => {
    if (m.n < 0) held.push(cb);
    else cb(); // delivered at once: the chain that overflowed
  });
  for (let i = 0; i < 100; i++) mq.emit({ topic: 'a/x', n: -1 });
  return { broker, mq, held };
}

it('200,000 queued messages delivered at once complete in order, without overflowing the stack', async () => {
  const { broker, mq, held } = saturated();
  const order: number[] = [];
  const N = 200_000;
  for (let i = 0; i < N; i++) mq.emit({ topic: 'a/x', n: i }, () => order.push(i));
  expect(mq._messageQueue.length).toBe(N);
  for (const cb of held) cb();
  await new Promise<void>((resolve) => {
    const wait = () => (order.length === N ? resolve() : setImmediate(wait));
    wait();
  });
  expect(order.every((v, i) => v === i)).toBe(true);
  expect(mq.current).toBe(0);
  expect(mq._messageQueue.length).toBe(0);
  await new Promise<void>((r) => broker.close(() => r()));
});

it('a message emitted while a queued one waits for the next tick comes after it', async () => {
  const { broker, mq, held } = saturated();
  const order: number[] = [];
  for (let i = 0; i < 20_000; i++) mq.emit({ topic: 'a/x', n: i }, () => order.push(i));
  for (const cb of held) cb(); // starts the chain; past 64 deep the rest go to the next tick
  expect(order.length).toBeLessThan(20_000);
  mq.emit({ topic: 'a/x', n: 20_000 }, () => order.push(20_000));
  await new Promise<void>((resolve) => {
    const wait = () => (order.length === 20_001 ? resolve() : setImmediate(wait));
    wait();
  });
  expect(order.every((v, i) => v === i)).toBe(true);
  await new Promise<void>((r) => broker.close(() => r()));
});
