import { createServer, type Socket, connect as tcpConnect } from 'node:net';
import { Writable } from 'node:stream';
import { setImmediate as turn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createWriteBatch, type StallReason } from '../../broker/write-batch.ts';

/** A socket stand-in that records each write; a stuck one never completes a write. */
function recorder(highWaterMark = 1 << 20, stuck = false) {
  const writes: string[] = [];
  const pending: (() => void)[] = [];
  const w = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, cb) {
      writes.push(chunk.toString());
      if (stuck) pending.push(() => cb());
      else cb();
    },
  });
  // the reader comes back: what waited is written, the socket drains
  const unstick = () => {
    for (const cb of pending.splice(0)) cb();
  };
  return { w, writes, unstick };
}

function batch(w: Writable, maxBacklogBytes = 1 << 20, drainTimeoutMs = 10_000) {
  const stalls: [StallReason, number][] = [];
  const b = createWriteBatch(w, {
    maxBacklogBytes,
    drainTimeoutMs,
    onStall: (reason, bytes) => stalls.push([reason, bytes]),
  });
  return { b, stalls };
}

describe('write batch', () => {
  it('hands what is added in one turn to the socket as one write, in order', async () => {
    const { w, writes } = recorder();
    const { b } = batch(w);
    const done: number[] = [];
    b.add(Buffer.from('a'), () => done.push(1));
    b.add(Buffer.from('b'), () => done.push(2));
    b.add(Buffer.from('c'));
    expect(writes).toEqual([]); // nothing yet: the turn is not over
    expect(done).toEqual([1, 2]); // accepted at once
    await turn();
    expect(writes).toEqual(['abc']);
    b.add(Buffer.from('d'));
    await turn();
    expect(writes).toEqual(['abc', 'd']);
  });

  it('with turns: 3, gathers what is added over three turns into one write', async () => {
    const { w, writes } = recorder();
    const b = createWriteBatch(w, {
      maxBacklogBytes: 1 << 20,
      drainTimeoutMs: 10_000,
      onStall: () => {},
      turns: 3,
    });
    b.add(Buffer.from('a')); // e.g. the acknowledgements of a tick's decisions
    await turn();
    b.add(Buffer.from('b'));
    await turn();
    b.add(Buffer.from('c')); // the next tick, two turns later
    expect(writes).toEqual([]);
    await turn();
    expect(writes).toEqual(['abc']);
    b.add(Buffer.from('d'));
    b.flush(); // an end or a close does not wait
    expect(writes).toEqual(['abc', 'd']);
  });

  it('writes at once on flush (before an end or a close), and nothing twice', async () => {
    const { w, writes } = recorder();
    const { b } = batch(w);
    b.add(Buffer.from('x'));
    b.add(Buffer.from('y'));
    b.flush();
    expect(writes).toEqual(['xy']);
    await turn();
    expect(writes).toEqual(['xy']);
  });

  it('accepts at once from a socket that stopped reading, and cuts it past the backlog', async () => {
    const { w } = recorder(4, true);
    const { b, stalls } = batch(w, 100);
    let accepted = 0;
    for (let i = 0; i < 10; i++) {
      b.add(Buffer.alloc(30), () => accepted++);
      await turn();
    }
    expect(accepted).toBe(10); // nobody ever waits for it
    expect(w.destroyed).toBe(true);
    expect(stalls.length).toBe(1);
    expect(stalls[0]![0]).toBe('backlog');
    expect(stalls[0]![1]).toBeGreaterThan(100);
  });

  it('cuts a socket that does not drain in time, and not one that does', async () => {
    const slow = recorder(4, true);
    const cutOne = batch(slow.w, 1 << 20, 50);
    cutOne.b.add(Buffer.alloc(30));
    const fine = recorder(4, true);
    const keptOne = batch(fine.w, 1 << 20, 50);
    keptOne.b.add(Buffer.alloc(30));
    await turn();
    await new Promise((r) => setTimeout(r, 20));
    fine.unstick(); // this reader came back within the timeout
    await new Promise((r) => setTimeout(r, 100));
    expect(cutOne.stalls.map(([r]) => r)).toEqual(['drain-timeout']);
    expect(slow.w.destroyed).toBe(true);
    expect(keptOne.stalls).toEqual([]);
    expect(fine.w.destroyed).toBe(false);
  });

  it('writes nothing to a destroyed socket, and does not throw', async () => {
    const { w, writes } = recorder();
    const { b, stalls } = batch(w);
    b.add(Buffer.from('lost'));
    w.destroy();
    await turn();
    b.flush();
    expect(writes).toEqual([]);
    expect(stalls).toEqual([]);
  });
});

describe('write batch on a TCP socket', () => {
  let server: ReturnType<typeof createServer> | undefined;
  afterEach(() => server?.close());

  it('delivers every byte, in order, across many turns and one large burst', async () => {
    const received: Buffer[] = [];
    const ended = new Promise<void>((resolve) => {
      server = createServer((s) => {
        s.on('data', (d: Buffer) => received.push(d));
        s.on('end', () => resolve());
      });
    });
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    const port = (server!.address() as { port: number }).port;
    const sock: Socket = tcpConnect(port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const { b, stalls } = batch(sock, 64 << 20);
    const expected: string[] = [];
    for (let t = 0; t < 50; t++) {
      for (let k = 0; k < 20; k++) {
        const s = `${t}:${k};`;
        expected.push(s);
        b.add(Buffer.from(s));
      }
      await turn();
    }
    const big = 'z'.repeat(4 << 20); // more than a socket buffer: it waits in memory for a while
    expected.push(big);
    b.add(Buffer.from(big));
    b.flush();
    sock.end();
    await ended;
    expect(Buffer.concat(received).toString()).toBe(expected.join(''));
    expect(stalls).toEqual([]);
  });
});
