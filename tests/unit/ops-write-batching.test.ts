import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { batchWritesPerTurn } from '../../ops/write-batching.ts';

/** A duplex that records how many chunks reach the "socket" per write call. */
function recordingDuplex() {
  const calls: number[] = [];
  const d = new Duplex({
    read() {},
    write(_chunk, _enc, cb) {
      calls.push(1);
      cb();
    },
    writev(chunks, cb) {
      calls.push(chunks.length);
      cb();
    },
  });
  return { d, calls };
}

/**
 * Three packets in one chunk, handled as mqtt.js does: one packet per tick, each answer written
 * under its own cork that is released on the next tick, before the next packet is handled.
 */
async function answerThreePackets(batch: boolean) {
  const { d, calls } = recordingDuplex();
  if (batch) batchWritesPerTurn(d);
  const handle = (i: number) => {
    d.cork();
    d.write(Buffer.from([i]));
    process.nextTick(() => d.uncork());
    if (i < 2) process.nextTick(handle, i + 1);
  };
  d.on('data', () => handle(0));
  d.push(Buffer.from('x'));
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  return calls;
}

describe('batchWritesPerTurn', () => {
  it('sends the answers to one chunk of incoming data in one write', async () => {
    expect(await answerThreePackets(false)).toEqual([1, 1, 1]);
    expect(await answerThreePackets(true)).toEqual([3]);
  });

  it('is idempotent per stream and ignores what is not a stream', async () => {
    const { d, calls } = recordingDuplex();
    batchWritesPerTurn(d);
    batchWritesPerTurn(d);
    batchWritesPerTurn(undefined);
    d.on('data', () => {
      d.write('a');
      d.write('b');
    });
    d.push(Buffer.from('x'));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([2]);
    expect(d.writableCorked).toBe(0);
  });
});
