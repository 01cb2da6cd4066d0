/**
 * Rolling windows of one detector (pure data structure): a ring of 10-second buckets covering
 * 15 minutes. Each bucket holds the vehicles counted, the occupied milliseconds and the
 * milliseconds of interval actually received ("covered"), so a window's flow is corrected for
 * missing data instead of being biased low, and its completeness is covered / elapsed.
 * Bounded: 90 buckets per detector, whatever the message rate.
 */

export const BUCKET_MS = 10_000;
/** 15 minutes of 10 s buckets. */
export const BUCKETS = 90;

export interface Windows {
  index: Float64Array;
  count: Float64Array;
  occMs: Float64Array;
  coveredMs: Float64Array;
}

export interface WindowSum {
  count: number;
  occMs: number;
  coveredMs: number;
  /** elapsed ms of the window up to atMs (the current bucket counts as partly elapsed) */
  spanMs: number;
}

export function createWindows(): Windows {
  const index = new Float64Array(BUCKETS).fill(-1);
  return {
    index,
    count: new Float64Array(BUCKETS),
    occMs: new Float64Array(BUCKETS),
    coveredMs: new Float64Array(BUCKETS),
  };
}

/** Adds one interval's reading; the interval belongs to the bucket of its `from`. */
export function addToWindows(
  w: Windows,
  fromMs: number,
  durationMs: number,
  count: number,
  occupancy: number,
): void {
  const b = Math.floor(fromMs / BUCKET_MS);
  const slot = ((b % BUCKETS) + BUCKETS) % BUCKETS;
  if (w.index[slot] !== b) {
    if (w.index[slot]! > b) return; // older than the ring: too late to matter
    w.index[slot] = b;
    w.count[slot] = 0;
    w.occMs[slot] = 0;
    w.coveredMs[slot] = 0;
  }
  w.count[slot]! += count;
  w.occMs[slot]! += occupancy * durationMs;
  w.coveredMs[slot]! += durationMs;
}

/** Sums the last `buckets` buckets ending with the bucket that holds `atMs - 1`. */
export function sumWindow(w: Windows, atMs: number, buckets: number): WindowSum {
  const cur = Math.floor((atMs - 1) / BUCKET_MS);
  const first = cur - buckets + 1;
  let count = 0;
  let occMs = 0;
  let coveredMs = 0;
  for (let b = first; b <= cur; b++) {
    const slot = ((b % BUCKETS) + BUCKETS) % BUCKETS;
    if (w.index[slot] !== b) continue;
    count += w.count[slot]!;
    occMs += w.occMs[slot]!;
    coveredMs += w.coveredMs[slot]!;
  }
  return { count, occMs, coveredMs, spanMs: Math.max(1, atMs - first * BUCKET_MS) };
}

/** Flow in veh/h over the covered part of a window (0 when nothing was received). */
export function flowOf(s: WindowSum): number {
  return s.coveredMs > 0 ? (s.count * 3_600_000) / s.coveredMs : 0;
}

export function occupancyOf(s: WindowSum): number {
  return s.coveredMs > 0 ? Math.min(1, s.occMs / s.coveredMs) : 0;
}

export function completenessOf(s: WindowSum): number {
  return Math.min(1, s.coveredMs / s.spanMs);
}
