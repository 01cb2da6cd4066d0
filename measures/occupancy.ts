/**
 * Detector occupancy from on/off actuations (pure): the union of the on-times of a set of
 * detectors (a lane group's stop-bar loops act as one long detection zone), and the share of
 * a window it covers — the green and red occupancy ratios of the split failure measure.
 */
import type { DetectorActuation } from './types.ts';

export interface OnTimes {
  /** merged, sorted [on, off) intervals */
  from: Float64Array;
  to: Float64Array;
  /** prefix sums of the lengths: occupied time before interval k */
  before: Float64Array;
}

export function unionOnTimes(actuations: readonly DetectorActuation[]): OnTimes {
  const sorted = [...actuations].sort((a, b) => a.onMs - b.onMs);
  const from: number[] = [];
  const to: number[] = [];
  for (const a of sorted) {
    const off = Math.max(a.onMs, a.offMs);
    const k = to.length - 1;
    if (k >= 0 && a.onMs <= to[k]!) {
      if (off > to[k]!) to[k] = off;
    } else {
      from.push(a.onMs);
      to.push(off);
    }
  }
  const before = new Float64Array(from.length + 1);
  for (let k = 0; k < from.length; k++) before[k + 1] = before[k]! + (to[k]! - from[k]!);
  return { from: Float64Array.from(from), to: Float64Array.from(to), before };
}

/** First interval ending after t. */
function firstEndingAfter(o: OnTimes, t: number): number {
  let lo = 0;
  let hi = o.to.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (o.to[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Occupied time inside [a, b), ms. */
export function occupiedMs(o: OnTimes, a: number, b: number): number {
  if (b <= a) return 0;
  let k = firstEndingAfter(o, a);
  let sum = 0;
  // whole intervals inside are summed from the prefix sums; the two ends are clipped
  const n = o.from.length;
  if (k < n && o.from[k]! < a) {
    sum += Math.min(o.to[k]!, b) - a;
    k++;
  }
  let j = k;
  let lo = k;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (o.to[mid]! <= b) lo = mid + 1;
    else hi = mid;
  }
  j = lo; // intervals k..j-1 end inside the window
  if (j > k) sum += o.before[j]! - o.before[k]!;
  if (j < n && o.from[j]! < b && j >= k) sum += b - Math.max(o.from[j]!, a);
  return sum;
}

/** Occupied share of [a, b), 0..1. */
export const occupancyRatio = (o: OnTimes, a: number, b: number) =>
  b > a ? occupiedMs(o, a, b) / (b - a) : 0;
