/**
 * Writes gathered per turn of the event loop: every chunk added during one turn reaches the
 * socket as one write when the turn ends (setImmediate), like a corked stream. A chunk is
 * accepted at once (its callback called) unless the socket said it is full: then the callback
 * waits for the socket's 'drain', so a slow reader still holds its writer back.
 */
import type { Writable } from 'node:stream';

type Done = (err?: Error | null) => void;

export interface WriteBatch {
  /** queues a chunk; `done` is called once the batch may take more */
  add(chunk: Buffer, done?: Done): void;
  /** writes what is queued now (before an end or a close) */
  flush(): void;
}

export function createWriteBatch(socket: Writable): WriteBatch {
  let queued: Buffer[] = [];
  let scheduled: NodeJS.Immediate | undefined;
  let full = false;
  let held: Done | undefined;

  function flush(): void {
    if (scheduled) clearImmediate(scheduled);
    scheduled = undefined;
    if (queued.length === 0 || socket.destroyed) {
      queued = [];
      return;
    }
    const data = queued.length === 1 ? queued[0]! : Buffer.concat(queued);
    queued = [];
    if (!socket.write(data) && !full) {
      full = true;
      socket.once('drain', () => {
        full = false;
        const h = held;
        held = undefined;
        h?.();
      });
    }
  }

  return {
    add(chunk, done) {
      queued.push(chunk);
      scheduled ??= setImmediate(flush);
      if (!done) return;
      if (full) held = done;
      else done();
    },
    flush,
  };
}
