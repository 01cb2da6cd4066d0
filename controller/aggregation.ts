/**
 * Aggregation (pure core with explicit state): counts and signal messages in, a
 * {@link ControllerView} out. No clock: time enters only as message times and `atMs`.
 *
 * - Windows per detector: last interval, 1, 5 and 15 min (10 s buckets, see windows.ts).
 * - Duplicates (same sensor, boot, seq) are dropped; a seq gap is a loss and leaves a hole in
 *   the window's coverage, which is what `completeness` reports.
 * - Queue per movement (lane group): input-output from advance minus stop-bar counts, bounded
 *   to [0, 4 × storage], reset when the stop bar shows the queue has discharged during green, raised
 *   to the storage between the detectors when a standing queue sits on the advance detector.
 * - A detector is failed when it sends nothing for `failAfterIntervals` intervals, stays
 *   occupied with no count for `stuckOnS` of green (or `maxPresenceS` at all), or stays silent
 *   for 5 min while a sibling detector of the same movement counts ≥ 10 vehicles (stuck-off).
 *   A movement with a failed detector calls (recall) and gets a time-based queue guess.
 * The view algorithms decide on is built in aggregation-view.ts (`buildView`).
 */
import {
  type Counts,
  type Detector,
  detectorsOf,
  type IntersectionConfig,
  laneGroups,
  type MovementState,
  type Signal,
  servedMovements,
} from '../protocol/index.ts';
import type { SignalView } from './types.ts';
import { addToWindows, createWindows, type WindowSum, type Windows } from './windows.ts';

export interface AggregationOptions {
  /** intervals without data before a detector is failed (default 5) */
  failAfterIntervals?: number;
  /** seconds of green with the detector occupied and counting nothing → stuck-on (default 20) */
  stuckOnS?: number;
  /** seconds continuously occupied with no count, whatever the signal → stuck-on (default 600) */
  maxPresenceS?: number;
  /** stop-bar gap during green after which the queue counts as discharged (default 3) */
  clearGapS?: number;
  /** least arrival rate assumed for a failed movement, veh/h/lane (default 300) */
  defaultFlowVphpl?: number;
}

const GREEN_STATES: ReadonlySet<MovementState> = new Set([
  'protected-Movement-Allowed',
  'permissive-Movement-Allowed',
]);
const VEHICLE_SPACING_M = 7.5;
/** Recent seqs remembered per sensor for de-duplication. */
const SEEN_SEQS = 256;

export interface DetectorState {
  det: Detector;
  /** position in `AggregationState.detectorList` */
  index: number;
  windows: Windows;
  lastCount: number;
  /** NaN (rather than undefined, so the field stays an unboxed number): not sent */
  lastOccupancy: number;
  /** NaN: nothing received yet */
  lastToMs: number;
  intervalMs: number;
  /** NaN: never active */
  lastActiveMs: number;
  stuckGreenMs: number;
  stuckMs: number;
  /** the served movements of `det.movements`, in its order (filled once) */
  movements: MovementStateX[];
  /** the queue group of the detector's first movement (its counts move that queue) */
  queueGroup: QueueGroup | undefined;
}

export interface QueueGroup {
  key: string;
  movements: string[];
  /** the states of `movements` */
  movementStates: MovementStateX[];
  advance: DetectorState[];
  stop: DetectorState[];
  lanes: number;
  storageVeh: number;
  queue: number;
  /** scratch of addCounts: the queue change of the message being added */
  delta: number;
  touched: boolean;
}

export interface MovementStateX {
  movement: string;
  detectors: DetectorState[];
  group: QueueGroup | undefined;
  lanes: number;
  green: boolean;
  lockedCall: boolean;
  lastGreenEndMs: number | undefined;
  greenSinceMs: number | undefined;
  /** m15 arrival flow when last seen healthy, for the failed-movement queue guess (NaN: none) */
  lastGoodFlowVph: number;
}

interface SensorState {
  boot: string;
  maxSeq: number;
  /** seq → slot seq % SEEN_SEQS: the seqs seen in (maxSeq − SEEN_SEQS, maxSeq] */
  seen: Float64Array;
  /** the detectors of this sensor's last message, by reading position (a lookup cache) */
  byPosition: (DetectorState | undefined)[];
}

export interface AggregationStats {
  accepted: number;
  duplicates: number;
  lost: number;
  ignoredReadings: number;
  badMessages: number;
}

export interface AggregationState {
  readonly config: IntersectionConfig;
  readonly opts: Required<AggregationOptions>;
  readonly detectors: Map<string, DetectorState>;
  /** `detectors` in order, for loops */
  readonly detectorList: DetectorState[];
  readonly movements: Map<string, MovementStateX>;
  /** `movements` in order, for loops */
  readonly movementList: MovementStateX[];
  readonly groups: QueueGroup[];
  readonly sensors: Map<string, SensorState>;
  startMs: number | undefined;
  signal: (SignalView & { t: number }) | undefined;
  stats: AggregationStats;
  /** scratch of addCounts: the groups touched by the message being added */
  readonly touched: QueueGroup[];
  /** scratch of aggregation-view.ts */
  readonly viewScratch: ViewScratch;
}

/** Per-detector scratch of the view computations (no allocation per decision). */
export interface ViewScratch {
  /** failed, by position in detectorList */
  failed: Uint8Array;
  /** m15 flow, veh/h, by position in detectorList */
  m15: Float64Array;
  sum: WindowSum;
}

/** Builds the empty aggregation of one intersection. No I/O. */
export function createAggregation(
  config: IntersectionConfig,
  options: AggregationOptions = {},
): AggregationState {
  const opts: Required<AggregationOptions> = {
    failAfterIntervals: options.failAfterIntervals ?? 5,
    stuckOnS: options.stuckOnS ?? 20,
    maxPresenceS: options.maxPresenceS ?? 600,
    clearGapS: options.clearGapS ?? 3,
    defaultFlowVphpl: options.defaultFlowVphpl ?? 300,
  };
  const detectors = new Map<string, DetectorState>();
  for (const det of detectorsOf(config)) {
    detectors.set(det.id, {
      det,
      index: 0,
      windows: createWindows(),
      lastCount: 0,
      lastOccupancy: Number.NaN,
      lastToMs: Number.NaN,
      intervalMs: 1000,
      lastActiveMs: Number.NaN,
      stuckGreenMs: 0,
      stuckMs: 0,
      movements: [],
      queueGroup: undefined,
    });
  }
  const detectorList = [...detectors.values()];
  detectorList.forEach((d, i) => {
    d.index = i;
  });
  const lanesOf = new Map<string, number>();
  for (const g of laneGroups(config)) for (const m of g.movements) lanesOf.set(m, g.lanes);
  const movements = new Map<string, MovementStateX>();
  const groupsByKey = new Map<string, QueueGroup>();
  for (const m of servedMovements(config)) {
    const dets = detectorList.filter((d) => d.det.movements.includes(m));
    const lanes = lanesOf.get(m) ?? 1;
    let group: QueueGroup | undefined;
    if (dets.length > 0) {
      // Movements measured by the same detectors share one queue (one lane group).
      const key = dets
        .map((d) => d.det.id)
        .sort()
        .join(',');
      group = groupsByKey.get(key);
      if (!group) {
        const advance = dets.filter((d) => d.det.kind === 'advance');
        const dist = Math.max(0, ...advance.map((d) => d.det.distanceM ?? 60));
        group = {
          key,
          movements: [],
          movementStates: [],
          advance,
          stop: dets.filter((d) => d.det.kind === 'stop-bar'),
          lanes,
          // Vehicles that fit between the advance detector and the stop bar (at least 1).
          storageVeh: Math.max(1, Math.floor(dist / VEHICLE_SPACING_M)) * lanes,
          queue: 0,
          delta: 0,
          touched: false,
        };
        groupsByKey.set(key, group);
      }
      group.movements.push(m);
    }
    const mv: MovementStateX = {
      movement: m,
      detectors: dets,
      group,
      lanes,
      green: false,
      lockedCall: false,
      lastGreenEndMs: undefined,
      greenSinceMs: undefined,
      lastGoodFlowVph: Number.NaN,
    };
    group?.movementStates.push(mv);
    movements.set(m, mv);
  }
  for (const d of detectorList) {
    for (const m of d.det.movements) {
      const mv = movements.get(m);
      if (mv) d.movements.push(mv);
    }
    d.queueGroup = movements.get(d.det.movements[0]!)?.group;
  }
  return {
    config,
    opts,
    detectors,
    detectorList,
    movements,
    movementList: [...movements.values()],
    groups: [...groupsByKey.values()],
    sensors: new Map(),
    startMs: undefined,
    signal: undefined,
    stats: { accepted: 0, duplicates: 0, lost: 0, ignoredReadings: 0, badMessages: 0 },
    touched: [],
    viewScratch: {
      failed: new Uint8Array(detectorList.length),
      m15: new Float64Array(detectorList.length),
      sum: { count: 0, occMs: 0, coveredMs: 0, spanMs: 0 },
    },
  };
}

const seenSlot = (seq: number) => seq % SEEN_SEQS;

/** [protocol v1: seq] the sensor's state when the message is new (else undefined); counts losses. */
function acceptSeq(s: AggregationState, c: Counts): SensorState | undefined {
  let sensor = s.sensors.get(c.sensor);
  if (!sensor || sensor.boot !== c.boot) {
    // A new boot restarts seq: not a loss.
    const seen = new Float64Array(SEEN_SEQS).fill(Number.NaN);
    seen[seenSlot(c.seq)] = c.seq;
    sensor = { boot: c.boot, maxSeq: c.seq, seen, byPosition: sensor?.byPosition ?? [] };
    s.sensors.set(c.sensor, sensor);
    return sensor;
  }
  // Every seq in (maxSeq − SEEN_SEQS, maxSeq] has its own slot, so a slot holding c.seq means
  // c.seq was seen; seqs above maxSeq were never seen.
  if (c.seq <= sensor.maxSeq - SEEN_SEQS) return undefined;
  const slot = seenSlot(c.seq);
  if (c.seq <= sensor.maxSeq && sensor.seen[slot] === c.seq) return undefined;
  if (c.seq > sensor.maxSeq) {
    s.stats.lost += c.seq - sensor.maxSeq - 1;
    sensor.maxSeq = c.seq;
  } else {
    s.stats.lost = Math.max(0, s.stats.lost - 1); // a late arrival fills a gap counted as lost
  }
  sensor.seen[slot] = c.seq;
  return sensor;
}

function isGreen(d: DetectorState): boolean {
  for (const mv of d.movements) if (mv.green) return true;
  return false;
}

/** Adds one (already validated) counts message. Never throws on odd content. */
export function addCounts(s: AggregationState, c: Counts): void {
  const duration = c.to - c.from;
  if (!(duration > 0 && duration <= 3_600_000)) {
    s.stats.badMessages++;
    return;
  }
  const sensor = acceptSeq(s, c);
  if (!sensor) {
    s.stats.duplicates++;
    return;
  }
  s.stats.accepted++;
  s.startMs ??= c.from;
  const touched = s.touched;
  const byPosition = sensor.byPosition;
  const readings = c.detectors;
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i]!;
    let d = byPosition[i];
    if (d === undefined || d.det.id !== r.id) {
      d = s.detectors.get(r.id);
      byPosition[i] = d;
    }
    if (!d || (d.det.sensor !== undefined && d.det.sensor !== c.sensor)) {
      s.stats.ignoredReadings++;
      continue;
    }
    const occ = r.occupancy ?? 0;
    addToWindows(d.windows, c.from, duration, r.count, occ);
    const latest = Number.isNaN(d.lastToMs) || c.to >= d.lastToMs;
    if (!latest) continue; // a late message fills its window but does not rewrite "now"
    d.lastCount = r.count;
    d.lastOccupancy = r.occupancy ?? Number.NaN;
    d.lastToMs = c.to;
    d.intervalMs = duration;
    if (occ >= 0.95)
      d.lastActiveMs = c.to; // presence up to the end of the interval
    else if (r.count > 0 || occ > 0) {
      // Raw actuations, when sent, date the last vehicle precisely.
      let off = -1;
      if (c.actuations)
        for (const a of c.actuations) if (a.id === r.id && a.offMs > off) off = a.offMs;
      d.lastActiveMs = off >= c.from ? Math.min(off, c.to) : c.to;
    }
    // Stuck-on: occupied with no vehicle counted, for long, especially while green.
    if (occ >= 0.95 && r.count === 0) {
      d.stuckMs += duration;
      if (isGreen(d)) d.stuckGreenMs += duration;
    } else {
      d.stuckMs = 0;
      d.stuckGreenMs = 0;
    }
    const called = r.count > 0 || occ > 0;
    for (const mv of d.movements) {
      // NEMA locking memory: a vehicle seen during red keeps its call until served.
      if (!mv.green && called) mv.lockedCall = true;
      const g = mv.group;
      if (g && !g.touched) {
        g.touched = true;
        g.delta = 0;
        touched.push(g);
      }
    }
    const g = d.queueGroup;
    if (g) {
      if (!g.touched) {
        g.touched = true;
        g.delta = 0;
        touched.push(g);
      }
      g.delta += d.det.kind === 'advance' ? r.count : -r.count;
    }
  }
  // Each group's update reads only its own queue and detectors: the order does not matter.
  for (let i = 0; i < touched.length; i++) {
    const g = touched[i]!;
    g.touched = false;
    updateQueue(s, g, g.delta, c.to);
  }
  touched.length = 0;
}

/** A NaN-for-absent number, as `?? 0` would read it. */
export const orZero = (x: number) => (Number.isNaN(x) ? 0 : x);

/** A NaN-for-absent number as the optional field of a view. */
export const orUndefined = (x: number) => (Number.isNaN(x) ? undefined : x);

function updateQueue(s: AggregationState, g: QueueGroup, dq: number, atMs: number): void {
  const max = g.storageVeh * 4; // beyond what a detector pair can tell apart: bounded
  g.queue = Math.min(max, Math.max(0, g.queue + dq));
  let green = false;
  for (const mv of g.movementStates) if (mv.green) green = true;
  if (green) {
    // Discharged: no stop-bar vehicle for clearGapS and nothing standing on it.
    let clear = g.stop.length > 0;
    for (const d of g.stop) {
      if (
        !(
          orZero(d.lastOccupancy) < 0.05 &&
          !Number.isNaN(d.lastActiveMs) &&
          atMs - d.lastActiveMs >= s.opts.clearGapS * 1000
        )
      ) {
        clear = false;
        break;
      }
    }
    if (clear) g.queue = 0;
  } else {
    // A standing queue over the advance detector: at least the storage behind the stop bar.
    for (const d of g.advance) {
      if (orZero(d.lastOccupancy) >= 0.9) {
        g.queue = Math.max(g.queue, g.storageVeh);
        break;
      }
    }
    for (const d of g.stop) {
      if (orZero(d.lastOccupancy) > 0) {
        g.queue = Math.max(g.queue, 1);
        break;
      }
    }
  }
}

/** Adds a signal message; older ones (by `t`) are ignored. */
export function addSignal(s: AggregationState, sig: Signal): void {
  if (s.signal && sig.t < s.signal.t) return;
  s.startMs ??= sig.t;
  if (s.signal) {
    const v = s.signal;
    v.t = sig.t;
    v.phase = sig.phase;
    v.interval = sig.interval;
    v.sinceMs = sig.sinceMs;
    v.minEndMs = sig.minEndMs;
    v.maxEndMs = sig.maxEndMs;
  } else {
    s.signal = {
      t: sig.t,
      phase: sig.phase,
      interval: sig.interval,
      sinceMs: sig.sinceMs,
      minEndMs: sig.minEndMs,
      maxEndMs: sig.maxEndMs,
    };
  }
  // Applying the same movement states again changes nothing (idempotent): no shortcut needed.
  for (const mv of s.movementList) {
    const state = sig.movements[mv.movement];
    const green = state !== undefined && GREEN_STATES.has(state);
    if (mv.green && !green) mv.lastGreenEndMs = sig.t;
    if (!mv.green && green) mv.greenSinceMs = sig.t;
    mv.green = green;
    if (green) mv.lockedCall = false;
  }
}
