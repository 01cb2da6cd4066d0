import { createServer, type Socket, connect as tcpConnect } from 'node:net';
import { Writable } from 'node:stream';
import { setImmediate as turn } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createWriteBatch } from '../../broker/write-batch.ts';

/** A socket stand-in that records each write it gets and can say it is full. */
function recorder(highWaterMark = 1 << 20, slow = false) {
  const writes: string[] = [];
  const w = new Writable({
    highWaterMark,
    write(chunk: Buffer, _enc, cb) {
      writes.push(chunk.toString());
      // a slow one completes later, so a full buffer stays full for a while
      if (slow) setTimeout(cb, 5);
      else cb();
    },
  });
  return { w, writes };
}

describe('write batch', () => {
  it('hands what is added in one turn to the socket as one write, in order', async () => {
    const { w, writes } = recorder();
    const b = createWriteBatch(w);
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

  it('writes at once on flush (before an end or a close), and nothing twice', async () => {
    const { w, writes } = recorder();
    const b = createWriteBatch(w);
    b.add(Buffer.from('x'));
    b.add(Buffer.from('y'));
    b.flush();
    expect(writes).toEqual(['xy']);
    await turn();
    expect(writes).toEqual(['xy']);
  });

  it('holds the writer back while the socket is full, and lets it go on drain', async () => {
    const { w, writes } = recorder(4, true);
    const b = createWriteBatch(w);
    b.add(Buffer.from('12345678')); // over the socket's high-water mark
    await turn();
    expect(writes).toEqual(['12345678']);
    let released = false;
    b.add(Buffer.from('9'), () => {
      released = true;
    });
    expect(released).toBe(false); // the socket said it is full
    await new Promise((r) => w.once('drain', r));
    await turn();
    expect(released).toBe(true);
    await turn();
    expect(writes).toEqual(['12345678', '9']);
  });

  it('writes nothing to a destroyed socket, and does not throw', async () => {
    const { w, writes } = recorder();
    const b = createWriteBatch(w);
    b.add(Buffer.from('lost'));
    w.destroy();
    await turn();
    b.flush();
    expect(writes).toEqual([]);
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
    const b = createWriteBatch(sock);
    const expected: string[] = [];
    for (let t = 0; t < 50; t++) {
      for (let k = 0; k < 20; k++) {
        const s = `${t}:${k};`;
        expected.push(s);
        b.add(Buffer.from(s));
      }
      await turn();
    }
    const big = 'z'.repeat(4 << 20); // more than a socket buffer: the writer is held back
    expected.push(big);
    await new Promise<void>((resolve) => b.add(Buffer.from(big), () => resolve()));
    b.flush();
    sock.end();
    await ended;
    expect(Buffer.concat(received).toString()).toBe(expected.join(''));
  });
});
