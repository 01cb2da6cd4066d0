/**
 * Rolling windows of one detector (pure data structure): a ring of 10-second buckets covering
 * 15 minutes. Each bucket holds the vehicles counted, the occupied milliseconds and the
 * milliseconds of interval actually received ("covered"), so a window's flow is corrected for
 * missing data instead of being biased low, and its completeness is covered / elapsed.
 * Bounded: 90 buckets per detector, whatever the message rate.
 *
 * The sums of the 1, 5 and 15 min windows are asked for at every decision (every second), but
 * their buckets other than the newest change only every 10 s: the sums of those older buckets
 * are kept, taken again only when the window moves on or an older bucket changes, and the
 * newest bucket is added to them. Added in the same order as a fresh sum, so the results are
 * the same to the last bit.
 *
 * The rings of one intersection's detectors share one buffer (window-block.ts). The fast
 * controllers read only the counts and covered ms of the 5 and 15 min windows and whether they
 * were occupied: those are running sums (window-running.ts), kept up as readings are added.
 */

import {
  BUCKET_MS,
  BUCKETS,
  busyOf,
  COUNT,
  COVERED,
  cellOf,
  createWindowBlock,
  dataOf,
  INDEX,
  OCC,
  STRIDE,
  slotOf,
  sumsOf,
  type WindowBlock,
} from './window-block.ts';
import { addRunning, advanceRunning, type CountSum, sumCountsAt } from './window-running.ts';

export { BUCKET_MS, BUCKETS, createWindowBlock, type WindowBlock } from './window-block.ts';
export { type CountSum, sumCountsAt } from './window-running.ts';

/** One detector's ring: its cells in a {@link WindowBlock} (window-block.ts). */
export interface Windows {
  readonly block: WindowBlock;
  /** its position among the block's detectors */
  readonly position: number;
  /** offset of this detector's cell in slot 0 */
  readonly cellAt: number;
  /** distance from a slot's cell to the next slot's: STRIDE × the block's detectors */
  readonly slotStride: number;
  /**
   * offset of the kept sums: per CACHED length, count, occMs and coveredMs of the buckets
   * cur − L + 1 … cur − 1
   */
  readonly sumsAt: number;
  /** the bucket the kept sums end before (NaN: none kept), and the block version they were taken at */
  cacheCur: number;
  cacheVersion: number;
}

export interface WindowSum {
  count: number;
  occMs: number;
  coveredMs: number;
  /** elapsed ms of the window up to atMs (the current bucket counts as partly elapsed) */
  spanMs: number;
}

/** The windows of the detector at `position` in `block` (default: a block of its own). */
export function createWindows(block: WindowBlock = createWindowBlock(1), position = 0): Windows {
  if (!(position >= 0 && position < block.detectors))
    throw new Error(`window position ${position} outside a block of ${block.detectors}`);
  return {
    block,
    position,
    cellAt: position * STRIDE,
    slotStride: block.detectors * STRIDE,
    sumsAt: sumsOf(block, position),
    cacheCur: Number.NaN,
    cacheVersion: -1,
  };
}

/**
 * Adds one interval's reading to the detector at `position` of `block`; the interval belongs
 * to the bucket of its `from`. (A message's readings: {@link openInterval} once, then
 * {@link addReadingIn} for each, which is the same.)
 */
export function addReadingAt(
  block: WindowBlock,
  position: number,
  fromMs: number,
  durationMs: number,
  count: number,
  occupancy: number,
): void {
  addReadingIn(
    block,
    position,
    openInterval(block, fromMs, durationMs),
    durationMs,
    count,
    occupancy,
  );
}

/**
 * Readies `block` for readings of the interval from `fromMs`, `durationMs` long: returns the
 * bucket they belong to (the running sums have moved on to it).
 */
export function openInterval(block: WindowBlock, fromMs: number, durationMs: number): number {
  const b = Math.floor(fromMs / BUCKET_MS);
  dataOf(block);
  // the running sums leave the buckets this one may overwrite before it does
  if (b > block.runCur) advanceRunning(block, b);
  if (!Number.isInteger(durationMs)) block.runExact = false;
  return b;
}

/** Adds one reading of the interval opened as bucket `b` (openInterval) to detector `position`. */
export function addReadingIn(
  block: WindowBlock,
  position: number,
  b: number,
  durationMs: number,
  count: number,
  occupancy: number,
): void {
  const data = block.data;
  const at = cellOf(block, position, b);
  if (data[at + INDEX] !== b) {
    if (data[at + INDEX]! > b) return; // older than the ring: too late to matter
    data[at + INDEX] = b;
    data[at + COUNT] = 0;
    data[at + OCC] = 0;
    data[at + COVERED] = 0;
    block.version++; // the bucket it replaces may be in kept sums
  } else if (b < block.cacheCurMax) block.version++; // kept sums cover the buckets before theirs
  const occMs = occupancy * durationMs;
  const newlyOccupied = data[at + OCC] === 0 && occMs > 0 ? 1 : 0;
  if (count > 0 || occMs > 0) {
    const busy = busyOf(block, position);
    if (b > data[busy]!) data[busy] = b;
  }
  data[at + COUNT]! += count;
  data[at + OCC]! += occMs;
  data[at + COVERED]! += durationMs;
  addRunning(block, position, b, count, durationMs, occupancy, newlyOccupied);
}

/** Adds one interval's reading; the interval belongs to the bucket of its `from`. */
export function addToWindows(
  w: Windows,
  fromMs: number,
  durationMs: number,
  count: number,
  occupancy: number,
): void {
  addReadingAt(w.block, w.position, fromMs, durationMs, count, occupancy);
}

/** As window-running.ts {@link sumCountsAt}, for the detector of `w`. */
export function sumCountsInto(w: Windows, atMs: number, buckets: 30 | 90, out: CountSum): CountSum {
  return sumCountsAt(w.block, w.position, atMs, buckets, out);
}

/** Takes the sums of the buckets before `cur` for every CACHED length, in one pass. */
function takeBase(w: Windows, cur: number): void {
  const data = w.block.data;
  const step = w.slotStride;
  const wrapAt = w.cellAt + BUCKETS * step;
  // Three accumulators per sum, one per length, each fed its buckets oldest first.
  let c6 = 0;
  let o6 = 0;
  let v6 = 0;
  let c30 = 0;
  let o30 = 0;
  let v30 = 0;
  let c90 = 0;
  let o90 = 0;
  let v90 = 0;
  let b = cur - (BUCKETS - 1);
  let at = w.cellAt + slotOf(b) * step;
  for (; b < cur; b++, at = at + step === wrapAt ? w.cellAt : at + step) {
    if (data[at + INDEX] !== b) continue;
    const c = data[at + COUNT]!;
    const o = data[at + OCC]!;
    const v = data[at + COVERED]!;
    c90 += c;
    o90 += o;
    v90 += v;
    if (b < cur - 29) continue;
    c30 += c;
    o30 += o;
    v30 += v;
    if (b < cur - 5) continue;
    c6 += c;
    o6 += o;
    v6 += v;
  }
  const sums = w.sumsAt;
  data[sums] = c6;
  data[sums + 1] = o6;
  data[sums + 2] = v6;
  data[sums + 3] = c30;
  data[sums + 4] = o30;
  data[sums + 5] = v30;
  data[sums + 6] = c90;
  data[sums + 7] = o90;
  data[sums + 8] = v90;
  w.cacheCur = cur;
  w.cacheVersion = w.block.version;
  if (cur > w.block.cacheCurMax) w.block.cacheCurMax = cur;
}

/**
 * Sums the last `buckets` buckets ending with the bucket that holds `atMs - 1`, into `out`
 * (no allocation).
 */
export function sumWindowInto(
  w: Windows,
  atMs: number,
  buckets: number,
  out: WindowSum,
): WindowSum {
  const data = w.block.data;
  const cur = Math.floor((atMs - 1) / BUCKET_MS);
  const first = cur - buckets + 1;
  out.spanMs = Math.max(1, atMs - first * BUCKET_MS);
  if (data.length === 0) {
    out.count = 0;
    out.occMs = 0;
    out.coveredMs = 0;
    return out;
  }
  const k = buckets === 6 ? 0 : buckets === 30 ? 1 : buckets === BUCKETS ? 2 : -1;
  if (k < 0) {
    let count = 0;
    let occMs = 0;
    let coveredMs = 0;
    for (let b = first; b <= cur; b++) {
      const at = w.cellAt + slotOf(b) * w.slotStride;
      if (data[at + INDEX] !== b) continue;
      count += data[at + COUNT]!;
      occMs += data[at + OCC]!;
      coveredMs += data[at + COVERED]!;
    }
    out.count = count;
    out.occMs = occMs;
    out.coveredMs = coveredMs;
    return out;
  }
  if (w.cacheCur !== cur || w.cacheVersion !== w.block.version) takeBase(w, cur);
  const sums = w.sumsAt + k * 3;
  let count = data[sums]!;
  let occMs = data[sums + 1]!;
  let coveredMs = data[sums + 2]!;
  const at = w.cellAt + slotOf(cur) * w.slotStride;
  if (data[at + INDEX] === cur) {
    count += data[at + COUNT]!;
    occMs += data[at + OCC]!;
    coveredMs += data[at + COVERED]!;
  }
  out.count = count;
  out.occMs = occMs;
  out.coveredMs = coveredMs;
  return out;
}

/** Sums the last `buckets` buckets ending with the bucket that holds `atMs - 1`. */
export function sumWindow(w: Windows, atMs: number, buckets: number): WindowSum {
  return sumWindowInto(w, atMs, buckets, { count: 0, occMs: 0, coveredMs: 0, spanMs: 0 });
}

/** Flow in veh/h over the covered part of a window (0 when nothing was received). */
export function flowOf(s: Pick<WindowSum, 'count' | 'coveredMs'>): number {
  return s.coveredMs > 0 ? (s.count * 3_600_000) / s.coveredMs : 0;
}

export function occupancyOf(s: WindowSum): number {
  return s.coveredMs > 0 ? Math.min(1, s.occMs / s.coveredMs) : 0;
}

export function completenessOf(s: Pick<WindowSum, 'coveredMs' | 'spanMs'>): number {
  return Math.min(1, s.coveredMs / s.spanMs);
}
