/**
 * What the broker writes to one connection (shell). Writes are gathered per turn of the event
 * loop: every chunk added during one turn reaches the socket as one write when the turn ends
 * (setImmediate), like a corked stream — aedes writes each packet on its own, and a socket
 * write is a system call that wakes the peer.
 *
 * A chunk is always accepted at once: aedes waits for a connection that says it is full before
 * it delivers the next message to anyone (its emitter holds up to 100 messages in flight), so
 * one subscriber that stops reading would stall every other one until it is cut. Instead the
 * connection itself is cut, with the reason, when its unsent bytes pass `maxBacklogBytes` or
 * the socket has not drained for `drainTimeoutMs`: what one connection makes the broker hold is
 * bounded, and nobody else waits.
 */
import type { Writable } from 'node:stream';

type Done = (err?: Error | null) => void;

export type StallReason = 'backlog' | 'drain-timeout';

export interface WriteBatchOptions {
  /** unsent bytes (beyond what the kernel took) past which the connection is cut */
  maxBacklogBytes: number;
  /** how long unsent bytes may wait for the reader before the connection is cut */
  drainTimeoutMs: number;
  /** told once, before the socket is destroyed */
  onStall(reason: StallReason, backlogBytes: number): void;
  /**
   * Turns of the event loop a batch stays open (default 1: what is added in one turn). More
   * gathers what follows a turn later too — see `writeTurns` in broker.ts.
   */
  turns?: number;
}

export interface WriteBatch {
  /** queues a chunk; `done` is called at once */
  add(chunk: Buffer, done?: Done): void;
  /** writes what is queued now (before an end or a close) */
  flush(): void;
  /**
   * undefined when at most `limitBytes` are unsent, else a promise that resolves once they are
   * (or the socket is gone): for a writer that can wait, such as a replayed backlog
   */
  whenRoom(limitBytes: number): Promise<void> | undefined;
}

/** 16 MiB and 10 s: room for every retained message of a large city on a new subscription. */
export const DEFAULT_WRITE_LIMITS = { maxBacklogBytes: 16 << 20, drainTimeoutMs: 10_000 };

export function createWriteBatch(socket: Writable, o: WriteBatchOptions): WriteBatch {
  let queued: Buffer[] = [];
  let queuedBytes = 0;
  let scheduled: NodeJS.Immediate | undefined;
  let turnsLeft = 0;
  const turnEnded = () => {
    scheduled = undefined;
    if (--turnsLeft > 0) scheduled = setImmediate(turnEnded);
    else flush();
  };
  let stall: NodeJS.Timeout | undefined;

  const drained = () => {
    clearTimeout(stall);
    stall = undefined;
  };
  function cut(reason: StallReason): void {
    drained();
    const backlog = socket.writableLength + queuedBytes;
    queued = [];
    queuedBytes = 0;
    if (socket.destroyed) return;
    o.onStall(reason, backlog);
    socket.destroy();
  }

  function flush(): void {
    if (scheduled) clearImmediate(scheduled);
    scheduled = undefined;
    if (queued.length === 0 || socket.destroyed) {
      queued = [];
      queuedBytes = 0;
      return;
    }
    const data = queued.length === 1 ? queued[0]! : Buffer.concat(queued);
    queued = [];
    queuedBytes = 0;
    if (socket.write(data)) return;
    // the kernel's buffer is full: the rest waits in memory, for a while and up to a size
    if (socket.writableLength > o.maxBacklogBytes) cut('backlog');
    else if (!stall) {
      stall = setTimeout(() => cut('drain-timeout'), o.drainTimeoutMs);
      stall.unref();
      socket.once('drain', drained);
    }
  }

  return {
    add(chunk, done) {
      queued.push(chunk);
      queuedBytes += chunk.length;
      // a burst in one turn to a socket already backed up: no need to wait for the turn's end
      if (queuedBytes + socket.writableLength > o.maxBacklogBytes) flush();
      else if (!scheduled) {
        turnsLeft = o.turns ?? 1;
        scheduled = setImmediate(turnEnded);
      }
      done?.();
    },
    flush,
    whenRoom(limitBytes) {
      const room = () => socket.destroyed || queuedBytes + socket.writableLength <= limitBytes;
      if (room()) return undefined;
      return new Promise<void>((resolve) => {
        const check = () => {
          if (room()) {
            socket.off('close', check);
            return resolve();
          }
          // the kernel takes the rest as the reader reads: wait for it, or for the turn's write
          if (socket.writableLength > 0) socket.once('drain', check);
          else setImmediate(check);
        };
        socket.once('close', check);
        flush();
        check();
      });
    },
  };
}
