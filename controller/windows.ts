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
 * The fast controllers read only the counts and covered ms of the 5 and 15 min windows and
 * whether any of their buckets was occupied: those are kept as running sums (a bucket added as
 * its readings come, taken off as it leaves the window; see {@link sumCountsInto}). Counts and
 * durations are integers (protocol v1), so the running sums are exact, equal to a fresh sum in
 * any order; a detector fed anything else falls back to fresh sums.
 */

export const BUCKET_MS = 10_000;
/** 15 minutes of 10 s buckets. */
export const BUCKETS = 90;
/** Window lengths (buckets) whose older buckets' sums are kept: 1, 5 and 15 min. */
const CACHED = [6, 30, 90] as const;

/**
 * The buffer of the rings of several detectors (one intersection's), slot-major: per slot, each
 * detector's 4 numbers (bucket index, count, occupied ms, covered ms) side by side, then the
 * kept sums. A counts message fills one slot of each of its detectors, so it touches a few
 * adjacent cache lines instead of one line in each detector's own buffer (with a thousand
 * intersections the rings do not fit in the cache: that miss per reading was the cost).
 * The arithmetic is the same whatever the layout, so the sums are the same to the bit.
 */
export interface WindowBlock {
  /** empty until the first reading of one of its detectors (a controller fed no counts) */
  data: Float64Array;
  readonly detectors: number;
}

/** One detector's ring: its cells in a {@link WindowBlock}. */
export interface Windows {
  readonly block: WindowBlock;
  /** offset of this detector's cell in slot 0 */
  readonly cellAt: number;
  /** distance from a slot's cell to the next slot's: STRIDE × the block's detectors */
  readonly slotStride: number;
  /**
   * offset of the kept sums: per CACHED length, count, occMs and coveredMs of the buckets
   * cur − L + 1 … cur − 1
   */
  readonly sumsAt: number;
  /** bumped whenever a bucket the kept sums may cover changes */
  version: number;
  /** the bucket the kept sums end before (NaN: none kept), and the version they were taken at */
  cacheCur: number;
  cacheVersion: number;
  /** offset of the running sums: per RUNNING length, count, covered ms, occupied buckets */
  readonly runAt: number;
  /** the newest bucket of the running sums' windows (-Infinity: none yet) */
  runCur: number;
  /** every reading so far had an integer count and duration and no negative occupancy */
  runExact: boolean;
}

const INDEX = 0;
const COUNT = 1;
const OCC = 2;
const COVERED = 3;
const STRIDE = 4;
const SUMS = CACHED.length * 3;
/** Window lengths (buckets) with running sums: 5 and 15 min. */
const RUNNING = [30, 90] as const;
const RUNS = RUNNING.length * 3;

export interface WindowSum {
  count: number;
  occMs: number;
  coveredMs: number;
  /** elapsed ms of the window up to atMs (the current bucket counts as partly elapsed) */
  spanMs: number;
}

/** Empty windows own no buffer until their first reading (a controller fed no counts). */
const NO_DATA = new Float64Array(0);

function allocate(block: WindowBlock): Float64Array {
  const cells = BUCKETS * block.detectors;
  const data = new Float64Array(cells * STRIDE + block.detectors * (SUMS + RUNS));
  for (let cell = 0; cell < cells; cell++) data[cell * STRIDE + INDEX] = -1;
  return data;
}

/** The shared buffer of `detectors` detectors' windows (see {@link createWindows}). */
export function createWindowBlock(detectors: number): WindowBlock {
  return { data: NO_DATA, detectors: Math.max(1, detectors) };
}

/** The windows of the detector at `position` in `block` (default: a block of its own). */
export function createWindows(block: WindowBlock = createWindowBlock(1), position = 0): Windows {
  if (!(position >= 0 && position < block.detectors))
    throw new Error(`window position ${position} outside a block of ${block.detectors}`);
  return {
    block,
    cellAt: position * STRIDE,
    slotStride: block.detectors * STRIDE,
    sumsAt: BUCKETS * block.detectors * STRIDE + position * SUMS,
    version: 0,
    cacheCur: Number.NaN,
    cacheVersion: -1,
    // all detectors' running sums side by side: a decision reads them together
    runAt: BUCKETS * block.detectors * STRIDE + block.detectors * SUMS + position * RUNS,
    runCur: Number.NEGATIVE_INFINITY,
    runExact: true,
  };
}

const slotOf = (b: number) => (b >= 0 ? b % BUCKETS : ((b % BUCKETS) + BUCKETS) % BUCKETS);

/** Adds one interval's reading; the interval belongs to the bucket of its `from`. */
export function addToWindows(
  w: Windows,
  fromMs: number,
  durationMs: number,
  count: number,
  occupancy: number,
): void {
  const b = Math.floor(fromMs / BUCKET_MS);
  const block = w.block;
  if (block.data.length === 0) block.data = allocate(block);
  const data = block.data;
  const at = w.cellAt + slotOf(b) * w.slotStride;
  // the running sums leave the buckets this one may overwrite before it does
  if (b > w.runCur) advanceRunning(w, b);
  if (data[at + INDEX] !== b) {
    if (data[at + INDEX]! > b) return; // older than the ring: too late to matter
    data[at + INDEX] = b;
    data[at + COUNT] = 0;
    data[at + OCC] = 0;
    data[at + COVERED] = 0;
  }
  // Only the kept sums' own newest bucket may change without invalidating them.
  if (b !== w.cacheCur) w.version++;
  const occMs = occupancy * durationMs;
  const newlyOccupied = data[at + OCC] === 0 && occMs > 0 ? 1 : 0;
  data[at + COUNT]! += count;
  data[at + OCC]! += occMs;
  data[at + COVERED]! += durationMs;
  if (!(Number.isInteger(count) && Number.isInteger(durationMs) && occupancy >= 0))
    w.runExact = false;
  // b ≤ runCur here: into the running sums of every window that holds it
  const run = w.runAt;
  for (let k = 0; k < RUNNING.length; k++) {
    if (b <= w.runCur - RUNNING[k]!) continue;
    data[run + k * 3]! += count;
    data[run + k * 3 + 1]! += durationMs;
    data[run + k * 3 + 2]! += newlyOccupied;
  }
}

/** Moves the running sums' windows on to end at bucket `cur` (> runCur): older buckets leave. */
function advanceRunning(w: Windows, cur: number): void {
  const data = w.block.data;
  const run = w.runAt;
  const prev = w.runCur;
  w.runCur = cur;
  for (let k = 0; k < RUNNING.length; k++) {
    const len = RUNNING[k]!;
    const at = run + k * 3;
    if (cur - prev >= len) {
      // every bucket has left (exact: integer sums of what has left are the sums themselves)
      data[at] = 0;
      data[at + 1] = 0;
      data[at + 2] = 0;
      continue;
    }
    for (let b = prev - len + 1; b <= cur - len; b++) {
      const cell = w.cellAt + slotOf(b) * w.slotStride;
      if (data[cell + INDEX] !== b) continue;
      data[at]! -= data[cell + COUNT]!;
      data[at + 1]! -= data[cell + COVERED]!;
      if (data[cell + OCC]! > 0) data[at + 2]!--;
    }
  }
}

/** What the fast controllers read of a window: exact counts and covered ms, and occupancy. */
export interface CountSum {
  count: number;
  coveredMs: number;
  /** some bucket of the window has occupied time */
  occupied: boolean;
  /** elapsed ms of the window up to atMs, as {@link WindowSum} */
  spanMs: number;
}

/**
 * The count, covered ms and occupancy of the last `buckets` (30 or 90) buckets ending with the
 * one that holds `atMs - 1`, into `out`: the same count and covered ms as
 * {@link sumWindowInto}, and `occupied` exactly when its occMs > 0. From the running sums when
 * the window ends at or after the newest reading (every decision), else summed afresh.
 */
export function sumCountsInto(w: Windows, atMs: number, buckets: 30 | 90, out: CountSum): CountSum {
  const data = w.block.data;
  const cur = Math.floor((atMs - 1) / BUCKET_MS);
  const first = cur - buckets + 1;
  out.spanMs = Math.max(1, atMs - first * BUCKET_MS);
  if (data.length === 0) {
    out.count = 0;
    out.coveredMs = 0;
    out.occupied = false;
    return out;
  }
  if (w.runExact && cur >= w.runCur) {
    if (cur > w.runCur) advanceRunning(w, cur);
    const at = w.runAt + (buckets === 30 ? 0 : 3);
    out.count = data[at]!;
    out.coveredMs = data[at + 1]!;
    out.occupied = data[at + 2]! > 0;
    return out;
  }
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
  out.coveredMs = coveredMs;
  out.occupied = occMs > 0;
  return out;
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
  w.cacheVersion = w.version;
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
  if (w.cacheCur !== cur || w.cacheVersion !== w.version) takeBase(w, cur);
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

/**
 * True when one of the newest `look` buckets up to the one holding `atMs - 1` has a vehicle or
 * occupied time: then every window ending there, `look` buckets long or more, has some (counts
 * and occupancy are never negative). False says nothing. A cheap test before a full sum.
 */
export function recentlyActive(w: Windows, atMs: number, look: number): boolean {
  const data = w.block.data;
  if (data.length === 0) return false;
  const cur = Math.floor((atMs - 1) / BUCKET_MS);
  for (let b = cur; b > cur - look; b--) {
    const at = w.cellAt + slotOf(b) * w.slotStride;
    if (data[at + INDEX] === b && (data[at + COUNT]! > 0 || data[at + OCC]! > 0)) return true;
  }
  return false;
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
