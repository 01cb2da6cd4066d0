/**
 * The sink framework: batching, the spool, retry with back-off, dead letters and durable
 * acknowledgement. A sink implements `write` only (collector/sinks/types.ts).
 *
 * - Batches cut at `batchSize` points, `flushMs` after a batch's first message, or when input
 *   has been quiet for `idleFlushMs` (a broker sends only so many unacknowledged messages, so
 *   waiting for a full batch could stall it).
 * - Up to `maxInflightWrites` batches are written at once (started in order). A retryable
 *   failure spools the batch — after every earlier batch is durable, so the spool keeps arrival
 *   order — and starts the replay loop; while the spool holds anything, new batches go behind
 *   it. Replay, oldest first, retries with exponential back-off (`backoff`).
 * - A permanent failure (400) bisects the batch until the refused points are found; only those
 *   are dead-lettered. Rewriting the good halves is harmless: a point overwrites itself.
 * - A message's `done` runs once its points are written or spooled, in arrival order.
 * - Bound: at most `maxQueuedBatches` cut batches wait in memory besides the ones being
 *   written; `accepting()` turns false then, or when the spool is full, and the caller stops
 *   reading (backpressure to the broker).
 */
import type { Point } from './point.ts';
import { isPermanent, type Sink } from './sinks/types.ts';
import type { Spool } from './spool.ts';

export interface PipelineEvents {
  written?(points: number, seconds: number): void;
  spooled?(points: number): void;
  replayed?(points: number): void;
  deadLettered?(points: number): void;
  sinkError?(error: unknown): void;
  /** the spool could not take a batch (disk full?); the batch stays in memory, unacknowledged */
  spoolError?(error: unknown): void;
}

export interface PipelineOptions {
  sink: Sink;
  spool: Spool;
  /** points per batch (default 5000) */
  batchSize?: number;
  /** longest a point waits for its batch, ms (default 1000) */
  flushMs?: number;
  /** cut the batch when no message came for this long, ms (default 10; 0 = never) */
  idleFlushMs?: number;
  /** batches waiting in memory before `accepting()` turns false (default 4) */
  maxQueuedBatches?: number;
  /** batches written to the sink at the same time (default 2) */
  maxInflightWrites?: number;
  backoff?: { initialMs: number; maxMs: number };
  /** Keeps points the sink refused (the dead-letter file, a `rejected` point); may throw. */
  deadLetter(points: Point[], reason: string): Promise<void>;
  /**
   * A batch is done with (written, spooled or dead-lettered; its acknowledgements follow): the
   * pipeline holds none of its points any more, and has handed them to no one who keeps them.
   * Called once per batch pushed; not for batches abandoned at close, nor for replayed ones.
   */
  released?(points: readonly Point[]): void;
  events?: PipelineEvents;
}

interface Batch {
  points: Point[];
  acks: Array<() => void>;
}

export interface Pipeline {
  /**
   * Adds one message's points; `done` runs once they are durable (written or spooled). The
   * array is kept as it is until the batch is cut: the caller must not change it afterwards.
   */
  push(points: readonly Point[], done?: () => void): void;
  accepting(): boolean;
  /** Starts replaying batches a previous run left in the spool. */
  resume(): void;
  /** Runs `cb` (once) when `accepting()` is true again. */
  whenAccepting(cb: () => void): void;
  /** Cuts the current batch and waits until everything cut so far is durable. */
  flush(): Promise<void>;
  /** Resolves when the spool is empty and nothing is in memory (tests, bench). */
  drained(): Promise<void>;
  stats(): { queuedBatches: number; bufferedPoints: number; spoolBytes: number; sinkDown: boolean };
  close(): Promise<void>;
}

export function createPipeline(opts: PipelineOptions): Pipeline {
  const batchSize = opts.batchSize ?? 5000;
  const flushMs = opts.flushMs ?? 1000;
  const idleMs = opts.idleFlushMs ?? 10;
  const maxQueued = opts.maxQueuedBatches ?? 4;
  const maxInflight = Math.max(1, opts.maxInflightWrites ?? 2);
  const backoff = opts.backoff ?? { initialMs: 200, maxMs: 5000 };
  const ev = opts.events ?? {};
  const { sink, spool } = opts;

  /**
   * The batch being filled: the messages' own point arrays, joined into one when it is cut
   * (one copy into an array of the right size, not a push per point into a growing one).
   */
  let parts: (readonly Point[])[] = [];
  let partPoints = 0;
  let acks: Array<() => void> = [];
  let firstAt = 0;
  let lastAt = 0;
  let timer: NodeJS.Timeout | undefined;
  const queue: Batch[] = [];
  let inflight = 0;
  /** resolves once every batch started so far is durable (or abandoned at close) */
  let allDone: Promise<void> = Promise.resolve();
  let replaying: Promise<void> | undefined;
  let sinkDown = false;
  let closed = false;
  const sleepers = new Set<() => void>();
  let waiters: Array<() => void> = [];

  const accepting = () => !closed && !spool.full() && queue.length < maxQueued;
  function notify() {
    if (!accepting() || waiters.length === 0) return;
    const w = waiters;
    waiters = [];
    for (const cb of w) cb();
  }

  function cut() {
    if (partPoints === 0 && acks.length === 0) return;
    queue.push({ points: joined(), acks });
    parts = [];
    partPoints = 0;
    acks = [];
    if (timer) clearInterval(timer);
    timer = undefined;
    pump();
  }

  function joined(): Point[] {
    const points = new Array<Point>(partPoints);
    let k = 0;
    for (const part of parts) for (let i = 0; i < part.length; i++) points[k++] = part[i]!;
    return points;
  }

  function tick() {
    const now = performance.now();
    if (now - firstAt >= flushMs || (idleMs > 0 && now - lastAt >= idleMs)) cut();
  }

  async function writeAll(points: Point[]): Promise<void> {
    try {
      const t0 = performance.now();
      await sink.write(points);
      ev.written?.(points.length, (performance.now() - t0) / 1000);
    } catch (e) {
      if (!isPermanent(e)) throw e;
      const msg = (e as Error).message;
      // InfluxDB 1.x says how many points a partial write dropped: all of them → no bisecting.
      if (points.length === 1 || new RegExp(`dropped=${points.length}\\b`).test(msg)) {
        await opts.deadLetter(points, msg);
        ev.deadLettered?.(points.length);
        return;
      }
      const mid = points.length >> 1;
      await writeAll(points.slice(0, mid));
      await writeAll(points.slice(mid));
    }
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(t);
        sleepers.delete(wake);
        resolve();
      };
      const t = setTimeout(wake, ms);
      sleepers.add(wake);
    });

  async function handle(b: Batch, earlier: Promise<void>) {
    let delay = backoff.initialMs;
    while (b.points.length > 0) {
      const toSpool = sinkDown || spool.batches() > 0;
      try {
        if (toSpool) {
          await earlier; // the spool keeps arrival order
          await spool.append(b.points);
          ev.spooled?.(b.points.length);
          startReplay();
        } else {
          await writeAll(b.points);
        }
        break;
      } catch (e) {
        if (!toSpool) {
          ev.sinkError?.(e);
          sinkDown = true; // the sink failed: spool this batch now
          continue;
        }
        // The spool itself failed (disk full?): keep the batch in memory, unacknowledged (the
        // broker redelivers it if we die), and try again — the sink too, if nothing is spooled.
        ev.spoolError?.(e);
        if (closed) return;
        await sleep(delay);
        delay = Math.min(delay * 2, backoff.maxMs);
        if (spool.batches() === 0) sinkDown = false;
      }
    }
    opts.released?.(b.points);
    for (const ack of b.acks) ack();
  }

  function pump() {
    while (inflight < maxInflight && queue.length > 0) {
      const b = queue.shift()!;
      inflight++;
      const earlier = allDone;
      const done = handle(b, earlier).finally(() => {
        inflight--;
        pump();
        notify();
      });
      allDone = Promise.all([earlier, done]).then(() => undefined);
      notify();
    }
  }

  async function idle() {
    while (queue.length > 0 || inflight > 0) await allDone;
  }

  function startReplay() {
    replaying ??= replay().finally(() => {
      replaying = undefined;
      notify();
    });
  }

  async function replay() {
    let delay = backoff.initialMs;
    while (!closed) {
      const seg = spool.oldest();
      if (!seg) {
        sinkDown = false;
        return;
      }
      try {
        const points = await spool.read(seg);
        await writeAll(points);
        await spool.remove(seg);
        ev.replayed?.(points.length);
        delay = backoff.initialMs;
        notify();
      } catch (e) {
        ev.sinkError?.(e);
        await sleep(delay);
        delay = Math.min(delay * 2, backoff.maxMs);
      }
    }
  }

  return {
    push(points, done) {
      const now = performance.now();
      if (partPoints === 0 && acks.length === 0) firstAt = now;
      lastAt = now;
      if (points.length > 0) {
        parts.push(points);
        partPoints += points.length;
      }
      if (done) acks.push(done);
      if (partPoints >= batchSize) cut();
      else timer ??= setInterval(tick, Math.max(1, Math.min(idleMs || flushMs, flushMs)));
    },
    accepting,
    resume() {
      if (spool.batches() > 0) startReplay();
    },
    whenAccepting(cb) {
      if (accepting()) cb();
      else waiters.push(cb);
    },
    async flush() {
      cut();
      await idle();
    },
    async drained() {
      cut();
      if (spool.batches() > 0) startReplay();
      while (queue.length > 0 || inflight > 0 || replaying) {
        await idle();
        await replaying;
      }
    },
    stats: () => ({
      queuedBatches: queue.length,
      bufferedPoints: partPoints + queue.reduce((n, b) => n + b.points.length, 0),
      spoolBytes: spool.bytes(),
      sinkDown,
    }),
    async close() {
      if (closed) return;
      cut();
      // Give the last batches their chance to become durable, then stop retrying.
      await Promise.race([idle(), new Promise((r) => setTimeout(r, 5000).unref())]);
      closed = true;
      if (timer) clearInterval(timer);
      for (const wake of [...sleepers]) wake();
      await allDone;
      await replaying;
    },
  };
}
