/**
 * A growable ring buffer of (time, index) pairs in typed arrays: the vehicle queues of lane
 * groups and the vehicles in transit on links, without an object per vehicle. Kept sorted by
 * time on insert (arrivals of one step can come from several sources out of order; the
 * shift is bounded by the vehicles of that step). Bound: grows by doubling up to
 * MAX_FIFO entries, far above what the scenario schema's demand limits can produce.
 */
export const MAX_FIFO = 1 << 24;

export class Fifo {
  t: Float64Array;
  v: Int32Array;
  head = 0;
  size = 0;
  mask: number;

  constructor(capacity = 16) {
    let cap = 1;
    while (cap < capacity) cap <<= 1;
    this.t = new Float64Array(cap);
    this.v = new Int32Array(cap);
    this.mask = cap - 1;
  }

  private grow(): void {
    const cap = this.t.length;
    if (cap >= MAX_FIFO) throw new Error(`vehicle queue over ${MAX_FIFO} entries`);
    const t = new Float64Array(cap * 2);
    const v = new Int32Array(cap * 2);
    for (let i = 0; i < this.size; i++) {
      t[i] = this.t[(this.head + i) & this.mask]!;
      v[i] = this.v[(this.head + i) & this.mask]!;
    }
    this.t = t;
    this.v = v;
    this.head = 0;
    this.mask = cap * 2 - 1;
  }

  /** Inserts keeping times non-decreasing (stable: equal times keep arrival order). */
  push(time: number, value: number): void {
    if (this.size === this.t.length) this.grow();
    const mask = this.mask;
    let i = this.size;
    while (i > 0) {
      const prev = (this.head + i - 1) & mask;
      if (this.t[prev]! <= time) break;
      const at = (this.head + i) & mask;
      this.t[at] = this.t[prev]!;
      this.v[at] = this.v[prev]!;
      i--;
    }
    const at = (this.head + i) & mask;
    this.t[at] = time;
    this.v[at] = value;
    this.size++;
  }

  headTime(): number {
    return this.t[this.head]!;
  }

  headValue(): number {
    return this.v[this.head]!;
  }

  shift(): void {
    this.head = (this.head + 1) & this.mask;
    this.size--;
  }

  /** Time of the i-th entry from the head. */
  timeAt(i: number): number {
    return this.t[(this.head + i) & this.mask]!;
  }

  valueAt(i: number): number {
    return this.v[(this.head + i) & this.mask]!;
  }
}
