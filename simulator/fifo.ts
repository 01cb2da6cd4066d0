/**
 * Many growable ring buffers of (time, index) pairs in two shared typed arrays: the vehicle
 * queues of lane groups and the vehicles in transit on links, without an object per vehicle or
 * per queue. Queue q's ring is the slab slice [base[q], base[q] + mask[q] + 1): a thousand
 * queues then sit side by side in memory instead of behind four pointers each (object, typed
 * array, buffer, backing store), which is what the per-vehicle code paid for in cache misses.
 *
 * Kept sorted by time on insert (arrivals of one step can come from several sources out of
 * order; the shift is bounded by the vehicles of that step). A full ring moves to a slice twice
 * its size at the end of the slab (the old slice is left unused). Bound: MAX_FIFO entries per
 * queue, far above what the scenario schema's demand limits can produce.
 */
export const MAX_FIFO = 1 << 24;

export class FifoBank {
  /** times and values of every queue; replaced when the slab grows */
  t: Float64Array;
  v: Int32Array;
  readonly base: Int32Array;
  readonly head: Int32Array;
  readonly size: Int32Array;
  /** ring capacity − 1 (a power of two − 1) */
  readonly mask: Int32Array;
  /** slab entries in use */
  private end: number;

  constructor(queues: number, capacity = 16) {
    let cap = 1;
    while (cap < capacity) cap <<= 1;
    this.t = new Float64Array(Math.max(1, queues * cap));
    this.v = new Int32Array(Math.max(1, queues * cap));
    this.base = new Int32Array(queues);
    this.head = new Int32Array(queues);
    this.size = new Int32Array(queues);
    this.mask = new Int32Array(queues).fill(cap - 1);
    for (let q = 0; q < queues; q++) this.base[q] = q * cap;
    this.end = queues * cap;
  }

  private grow(q: number): void {
    const cap = this.mask[q]! + 1;
    if (cap >= MAX_FIFO) throw new Error(`vehicle queue over ${MAX_FIFO} entries`);
    const want = this.end + cap * 2;
    if (want > this.t.length) {
      let len = this.t.length;
      while (len < want) len *= 2;
      const t = new Float64Array(len);
      const v = new Int32Array(len);
      t.set(this.t.subarray(0, this.end));
      v.set(this.v.subarray(0, this.end));
      this.t = t;
      this.v = v;
    }
    const b = this.base[q]!;
    const h = this.head[q]!;
    const m = this.mask[q]!;
    for (let i = 0; i < this.size[q]!; i++) {
      this.t[this.end + i] = this.t[b + ((h + i) & m)]!;
      this.v[this.end + i] = this.v[b + ((h + i) & m)]!;
    }
    this.base[q] = this.end;
    this.head[q] = 0;
    this.mask[q] = cap * 2 - 1;
    this.end += cap * 2;
  }

  /** Inserts into queue q keeping times non-decreasing (stable: equal times keep arrival order). */
  push(q: number, time: number, value: number): void {
    if (this.size[q]! > this.mask[q]!) this.grow(q);
    const t = this.t;
    const v = this.v;
    const b = this.base[q]!;
    const h = this.head[q]!;
    const mask = this.mask[q]!;
    let i = this.size[q]!;
    while (i > 0) {
      const prev = b + ((h + i - 1) & mask);
      if (t[prev]! <= time) break;
      const at = b + ((h + i) & mask);
      t[at] = t[prev]!;
      v[at] = v[prev]!;
      i--;
    }
    const at = b + ((h + i) & mask);
    t[at] = time;
    v[at] = value;
    this.size[q]!++;
  }

  headTime(q: number): number {
    return this.t[this.base[q]! + this.head[q]!]!;
  }

  headValue(q: number): number {
    return this.v[this.base[q]! + this.head[q]!]!;
  }

  /** Drops the head of queue q (which must not be empty). */
  shift(q: number): void {
    this.head[q] = (this.head[q]! + 1) & this.mask[q]!;
    this.size[q]!--;
  }

  /** Time of the i-th entry from the head of queue q. */
  timeAt(q: number, i: number): number {
    return this.t[this.base[q]! + ((this.head[q]! + i) & this.mask[q]!)]!;
  }

  valueAt(q: number, i: number): number {
    return this.v[this.base[q]! + ((this.head[q]! + i) & this.mask[q]!)]!;
  }
}
