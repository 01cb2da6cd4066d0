/**
 * aedes hands every message to an mqemitter with a concurrency limit (100): past it, messages
 * wait in a queue, and each finished message starts the next one from inside its own
 * completion. When deliveries finish at once (no subscriber left, a write batch that accepts at
 * once), a queue of 100,000 messages becomes one synchronous chain 100,000 deep, and the broker
 * process dies with "Maximum call stack size exceeded" (seen when a saturated broker drained
 * its backlog as the subscribers left). Here the emitter starts a message on the next tick
 * instead, once starts nest `maxDepth` deep: the message goes back to the head of the queue
 * with its slot kept, and what is emitted meanwhile queues behind it: the order stays, and
 * nothing is dropped.
 */

/** The parts of mqemitter 7 this relies on (instance fields of `mqemitter.js`). */
export interface QueuedEmitter {
  concurrency: number;
  current: number;
  _messageQueue: Queue;
  _messageCallbacks: Queue;
  _released: () => void;
  _do(message: unknown, callback: unknown): unknown;
  emit(message: unknown, callback?: unknown): unknown;
  closed: boolean;
}

/** Starts nested deeper than this go on the next tick. */
export const MAX_EMIT_DEPTH = 64;

/**
 * Makes `mq` start queued messages without unbounded nesting; returns `mq`. Needs a concurrency
 * limit (without one nothing queues, and nothing chains this way).
 * @example flattenReleases(aedes.mq)
 */
export function flattenReleases<T extends QueuedEmitter>(mq: T, maxDepth = MAX_EMIT_DEPTH): T {
  if (!(mq.concurrency > 0)) return mq;
  // a put-back message goes to the head: a queue with a cheap unshift (an array's moves all)
  mq._messageQueue = Deque.from(mq._messageQueue);
  mq._messageCallbacks = Deque.from(mq._messageCallbacks);
  const start = mq._do;
  const emit = mq.emit;
  let depth = 0;
  // A message put back waits at the head with fewer than `concurrency` running: a new one
  // must queue behind it (the same publisher's next message among them), not start first.
  mq.emit = function queuedEmit(this: T, message: unknown, callback?: unknown) {
    if (this._messageQueue.length === 0 || this.closed) return emit.call(this, message, callback);
    this._messageQueue.push(message);
    this._messageCallbacks.push(callback ?? noop);
    return this;
  };
  mq._do = function flatDo(this: T, message: unknown, callback: unknown) {
    if (depth >= maxDepth) {
      // keep the slot the release freed, so a new emit queues behind this message
      this.current++;
      this._messageQueue.unshift(message);
      this._messageCallbacks.unshift(callback);
      // the release gives the slot back and starts the head of the queue (this message,
      // unless another release has started it meanwhile), at depth 0
      process.nextTick(this._released);
      return this;
    }
    depth++;
    try {
      return start.call(this, message, callback);
    } finally {
      depth--;
    }
  };
  return mq;
}

function noop(): void {}

/** What mqemitter does with its queues. */
export interface Queue {
  readonly length: number;
  push(x: unknown): unknown;
  shift(): unknown;
  unshift(x: unknown): unknown;
}

/** A FIFO whose shift and unshift after a shift cost O(1). */
class Deque implements Queue {
  private items: unknown[] = [];
  private head = 0;

  static from(q: Queue): Deque {
    const d = new Deque();
    while (q.length > 0) d.push(q.shift());
    return d;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  push(x: unknown): number {
    this.items.push(x);
    return this.length;
  }

  shift(): unknown {
    if (this.head === this.items.length) return undefined;
    const x = this.items[this.head];
    this.items[this.head++] = undefined;
    // drop the taken part once it is half the array: amortised O(1)
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }

  unshift(x: unknown): number {
    if (this.head > 0) this.items[--this.head] = x;
    else this.items.unshift(x);
    return this.length;
  }
}
