/**
 * Running sums of the 5 and 15 min windows (window-block.ts), what the fast controllers read:
 * per detector, the counts, covered ms and occupied buckets of the buckets in each window, a
 * bucket added as its readings come and taken off as it leaves the window. Counts and
 * durations are integers (protocol v1), so the sums are exact, equal to a fresh sum in any
 * order; a block fed anything else falls back to fresh sums. One window end for the block:
 * its detectors read the same seconds.
 */
import {
  BUCKET_MS,
  busyOf,
  COUNT,
  COVERED,
  cellOf,
  INDEX,
  OCC,
  RUNNING,
  RUNS,
  runsOf,
  STRIDE,
  slotOf,
  type WindowBlock,
} from './window-block.ts';

/** What the fast controllers read of a window: exact counts and covered ms, and occupancy. */
export interface CountSum {
  count: number;
  coveredMs: number;
  /** some bucket of the window has occupied time */
  occupied: boolean;
  /** elapsed ms of the window up to atMs, as windows.ts `WindowSum` */
  spanMs: number;
}

/** Moves the windows on to end at bucket `cur` (> runCur): older buckets leave the sums. */
export function advanceRunning(block: WindowBlock, cur: number): void {
  const data = block.data;
  const prev = block.runCur;
  block.runCur = cur;
  const n = block.detectors;
  const runs0 = runsOf(block, 0);
  for (let k = 0; k < RUNNING.length; k++) {
    const len = RUNNING[k]!;
    if (cur - prev >= len) {
      // every bucket has left (exact: integer sums of what has left are the sums themselves)
      for (let p = 0; p < n; p++) {
        const at = runs0 + p * RUNS + k * 3;
        data[at] = 0;
        data[at + 1] = 0;
        data[at + 2] = 0;
      }
      continue;
    }
    for (let b = prev - len + 1; b <= cur - len; b++) {
      // the leaving bucket's cells of every detector are side by side (slot-major)
      const slot0 = slotOf(b) * n * STRIDE;
      for (let p = 0; p < n; p++) {
        const cell = slot0 + p * STRIDE;
        if (data[cell + INDEX] !== b) continue;
        const at = runs0 + p * RUNS + k * 3;
        data[at]! -= data[cell + COUNT]!;
        data[at + 1]! -= data[cell + COVERED]!;
        if (data[cell + OCC]! > 0) data[at + 2]!--;
      }
    }
  }
}

/**
 * Adds one reading (already in bucket `b` of the ring, b ≤ runCur) to the windows that hold
 * it; `newlyOccupied` is 1 when it made the bucket occupied.
 */
export function addRunning(
  block: WindowBlock,
  position: number,
  b: number,
  count: number,
  durationMs: number,
  occupancy: number,
  newlyOccupied: number,
): void {
  // (an integer duration is checked once per interval: windows.ts openInterval)
  if (!(Number.isInteger(count) && count >= 0 && occupancy >= 0)) block.runExact = false;
  const data = block.data;
  const run = runsOf(block, position);
  for (let k = 0; k < RUNNING.length; k++) {
    if (b <= block.runCur - RUNNING[k]!) continue;
    data[run + k * 3]! += count;
    data[run + k * 3 + 1]! += durationMs;
    data[run + k * 3 + 2]! += newlyOccupied;
  }
}

/**
 * The count, covered ms and occupancy of the last `buckets` (30 or 90) buckets ending with the
 * one that holds `atMs - 1`, of the detector at `position`, into `out`: the same count and
 * covered ms as windows.ts `sumWindowInto`, and `occupied` exactly when its occMs > 0. From the
 * running sums when the window ends at or after the newest reading (every decision), else
 * summed afresh.
 */
export function sumCountsAt(
  block: WindowBlock,
  position: number,
  atMs: number,
  buckets: 30 | 90,
  out: CountSum,
): CountSum {
  const data = block.data;
  const cur = Math.floor((atMs - 1) / BUCKET_MS);
  const first = cur - buckets + 1;
  out.spanMs = Math.max(1, atMs - first * BUCKET_MS);
  if (data.length === 0) {
    out.count = 0;
    out.coveredMs = 0;
    out.occupied = false;
    return out;
  }
  if (block.runExact && cur >= block.runCur) {
    if (cur > block.runCur) advanceRunning(block, cur);
    const at = runsOf(block, position) + (buckets === RUNNING[0] ? 0 : 3);
    out.count = data[at]!;
    out.coveredMs = data[at + 1]!;
    out.occupied = data[at + 2]! > 0;
    return out;
  }
  let count = 0;
  let occMs = 0;
  let coveredMs = 0;
  for (let b = first; b <= cur; b++) {
    const at = cellOf(block, position, b);
    if (data[at + INDEX] !== b) continue;
    count += data[at + COUNT]!;
    occMs += data[at + OCC]!;
    coveredMs += data[at + COVERED]!;
  }
  out.count = count;
  out.coveredMs = coveredMs;
  out.occupied = occMs > 0;
  return out;
}

/**
 * Whether the detector at `position` counted or was occupied in one of the last `buckets`
 * buckets up to `cur` — then its count or occupancy over them is > 0 without a sum. Only when
 * the running sums are exact and end at `cur` (`block.runExact && block.runCur === cur`): no
 * reading of a later bucket can then have overwritten that bucket's cell, and no count or
 * occupancy is negative. False does not mean silent: then sum.
 */
export function busyWithin(block: WindowBlock, position: number, cur: number, buckets: number) {
  return block.data[busyOf(block, position)]! > cur - buckets;
}
