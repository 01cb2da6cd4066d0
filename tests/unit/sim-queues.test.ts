/**
 * The engine's flat stores behave as the plain structures they replace: the queue bank as one
 * time-sorted list per queue (stable for equal times), the random-stream bank as one mulberry32
 * closure per stream.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FifoBank } from '../../simulator/fifo.ts';
import { RngBank, STREAM, stream } from '../../simulator/rng.ts';

type Op = { kind: 'push'; q: number; time: number; value: number } | { kind: 'shift'; q: number };

const QUEUES = 5;
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('push' as const),
    q: fc.integer({ min: 0, max: QUEUES - 1 }),
    // few distinct times, so equal times (stability) come up often
    time: fc.integer({ min: 0, max: 40 }),
    value: fc.integer({ min: 0, max: 1_000_000 }),
  }),
  fc.record({ kind: fc.constant('shift' as const), q: fc.integer({ min: 0, max: QUEUES - 1 }) }),
);

describe('FifoBank', () => {
  it('keeps each queue as a stable time-sorted list, through growth', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 400 }), fc.integer({ min: 1, max: 4 }), (ops, cap) => {
        const bank = new FifoBank(QUEUES, cap);
        const model: { t: number; v: number }[][] = Array.from({ length: QUEUES }, () => []);
        for (const o of ops) {
          const list = model[o.q]!;
          if (o.kind === 'push') {
            let i = list.length;
            while (i > 0 && list[i - 1]!.t > o.time) i--;
            list.splice(i, 0, { t: o.time, v: o.value });
            bank.push(o.q, o.time, o.value);
          } else if (list.length > 0) {
            list.shift();
            bank.shift(o.q);
          }
          for (let q = 0; q < QUEUES; q++) {
            const want = model[q]!;
            expect(bank.size[q]).toBe(want.length);
            if (want.length > 0) {
              expect(bank.headTime(q)).toBe(want[0]!.t);
              expect(bank.headValue(q)).toBe(want[0]!.v);
            }
            for (let i = 0; i < want.length; i++) {
              expect(bank.timeAt(q, i)).toBe(want[i]!.t);
              expect(bank.valueAt(q, i)).toBe(want[i]!.v);
            }
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('RngBank', () => {
  it('draws what stream(seed, purpose, k) draws, interleaved in any order', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 32 - 1 }),
        fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 300 }),
        (seed, order) => {
          const bank = new RngBank(seed, STREAM.turning, 8);
          const streams = Array.from({ length: 8 }, (_, k) => stream(seed, STREAM.turning, k));
          for (const k of order) expect(bank.next(k)).toBe(streams[k]!());
        },
      ),
      { numRuns: 100 },
    );
  });
});
