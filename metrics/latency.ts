/**
 * Latency samples in a bounded ring (the newest `capacity` are kept) and their summary by the
 * one quantile definition (quantile.ts): p50 and p99 in ms, 2 decimals.
 */
import { quantile } from './quantile.ts';

export interface LatencySummary {
  p50: number;
  p99: number;
}

export interface LatencySamples {
  add(ms: number): void;
  /** samples added in all (the ring keeps at most `capacity`) */
  readonly count: number;
  summary(): LatencySummary;
  /** the samples kept, oldest first once the ring has wrapped */
  values(): number[];
  clear(): void;
}

/** @example const l = createLatencySamples(1000); l.add(3.2); l.summary().p99 */
export function createLatencySamples(capacity: number): LatencySamples {
  const ring = new Float64Array(capacity);
  let n = 0;
  return {
    add(ms) {
      ring[n++ % capacity] = ms;
    },
    get count() {
      return n;
    },
    summary() {
      const kept = ring.subarray(0, Math.min(n, capacity));
      return { p50: quantile(kept, 0.5), p99: quantile(kept, 0.99) };
    },
    values() {
      if (n <= capacity) return Array.from(ring.subarray(0, n));
      const at = n % capacity;
      return [...ring.subarray(at), ...ring.subarray(0, at)];
    },
    clear() {
      n = 0;
    },
  };
}
