/**
 * The buffer of the window rings of several detectors (one intersection's; windows.ts): its
 * layout and allocation. Slot-major: per slot, each detector's 4 numbers (bucket index, count,
 * occupied ms, covered ms) side by side, then per detector the kept sums (windows.ts), then
 * per detector the running sums (window-running.ts). A counts message fills one slot of each
 * of its detectors, so it touches a few adjacent cache lines instead of one line in each
 * detector's own buffer (with a thousand intersections the rings do not fit in the cache: that
 * miss per reading was the cost). The arithmetic is the same whatever the layout.
 */

export const BUCKET_MS = 10_000;
/** 15 minutes of 10 s buckets. */
export const BUCKETS = 90;

export const INDEX = 0;
export const COUNT = 1;
export const OCC = 2;
export const COVERED = 3;
export const STRIDE = 4;
/** Window lengths (buckets) whose older buckets' sums are kept (windows.ts): 1, 5, 15 min. */
export const CACHED = [6, 30, 90] as const;
export const SUMS = CACHED.length * 3;
/** Window lengths (buckets) with running sums (window-running.ts): 5 and 15 min. */
export const RUNNING = [30, 90] as const;
export const RUNS = RUNNING.length * 3;
/** Per detector after the running sums: the newest bucket it counted or was occupied in. */
export const BUSY = 1;

export interface WindowBlock {
  /** empty until the first reading of one of its detectors (a controller fed no counts) */
  data: Float64Array;
  readonly detectors: number;
  /** bumped whenever a bucket some detector's kept sums may cover changes (windows.ts) */
  version: number;
  /** the newest bucket any detector's kept sums end before (-Infinity: none kept) */
  cacheCurMax: number;
  /** the newest bucket of the running sums' windows (-Infinity: none yet) */
  runCur: number;
  /**
   * every reading so far had a non-negative integer count, an integer duration and no negative
   * occupancy
   */
  runExact: boolean;
}

/** Empty windows own no buffer until their first reading (a controller fed no counts). */
const NO_DATA = new Float64Array(0);

/** The shared buffer of `detectors` detectors' windows (see windows.ts `createWindows`). */
export function createWindowBlock(detectors: number): WindowBlock {
  return {
    data: NO_DATA,
    detectors: Math.max(1, detectors),
    version: 0,
    cacheCurMax: Number.NEGATIVE_INFINITY,
    runCur: Number.NEGATIVE_INFINITY,
    runExact: true,
  };
}

/** The block's buffer, allocated on first use: every bucket empty (index -1). */
export function dataOf(block: WindowBlock): Float64Array {
  if (block.data.length > 0) return block.data;
  const cells = BUCKETS * block.detectors;
  const data = new Float64Array(cells * STRIDE + block.detectors * (SUMS + RUNS + BUSY));
  for (let cell = 0; cell < cells; cell++) data[cell * STRIDE + INDEX] = -1;
  data.fill(Number.NEGATIVE_INFINITY, busyOf(block, 0));
  block.data = data;
  return data;
}

export const slotOf = (b: number) => (b >= 0 ? b % BUCKETS : ((b % BUCKETS) + BUCKETS) % BUCKETS);

/** Offset of the cell of the detector at `position` for bucket `b`. */
export const cellOf = (block: WindowBlock, position: number, b: number) =>
  (slotOf(b) * block.detectors + position) * STRIDE;

/** Offset of the kept sums of the detector at `position`. */
export const sumsOf = (block: WindowBlock, position: number) =>
  BUCKETS * block.detectors * STRIDE + position * SUMS;

/** Offset of the running sums of the detector at `position` (all detectors' side by side). */
export const runsOf = (block: WindowBlock, position: number) =>
  BUCKETS * block.detectors * STRIDE + block.detectors * SUMS + position * RUNS;

/**
 * Offset of the newest bucket the detector at `position` counted or was occupied in (-Infinity:
 * none): it stays in the windows, intact, while no reading of a later bucket has overwritten
 * its cell (window-running.ts `busyWithin`).
 */
export const busyOf = (block: WindowBlock, position: number) =>
  BUCKETS * block.detectors * STRIDE + block.detectors * (SUMS + RUNS) + position;
