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
import { addToWindows, createWindows, type Windows } from './windows.ts';

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
  windows: Windows;
  lastCount: number;
  lastOccupancy: number | undefined;
  lastToMs: number | undefined;
  intervalMs: number;
  lastActiveMs: number | undefined;
  stuckGreenMs: number;
  stuckMs: number;
}

export interface QueueGroup {
  key: string;
  movements: string[];
  advance: DetectorState[];
  stop: DetectorState[];
  lanes: number;
  storageVeh: number;
  queue: number;
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
  /** m15 arrival flow when last seen healthy, for the failed-movement queue guess */
  lastGoodFlowVph: number | undefined;
}

interface SensorState {
  boot: string;
  maxSeq: number;
  seen: Set<number>;
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
  readonly movements: Map<string, MovementStateX>;
  readonly groups: QueueGroup[];
  readonly sensors: Map<string, SensorState>;
  startMs: number | undefined;
  signal: (SignalView & { t: number }) | undefined;
  stats: AggregationStats;
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
      windows: createWindows(),
      lastCount: 0,
      lastOccupancy: undefined,
      lastToMs: undefined,
      intervalMs: 1000,
      lastActiveMs: undefined,
      stuckGreenMs: 0,
      stuckMs: 0,
    });
  }
  const lanesOf = new Map<string, number>();
  for (const g of laneGroups(config)) for (const m of g.movements) lanesOf.set(m, g.lanes);
  const movements = new Map<string, MovementStateX>();
  const groupsByKey = new Map<string, QueueGroup>();
  for (const m of servedMovements(config)) {
    const dets = [...detectors.values()].filter((d) => d.det.movements.includes(m));
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
          advance,
          stop: dets.filter((d) => d.det.kind === 'stop-bar'),
          lanes,
          // Vehicles that fit between the advance detector and the stop bar (at least 1).
          storageVeh: Math.max(1, Math.floor(dist / VEHICLE_SPACING_M)) * lanes,
          queue: 0,
        };
        groupsByKey.set(key, group);
      }
      group.movements.push(m);
    }
    movements.set(m, {
      movement: m,
      detectors: dets,
      group,
      lanes,
      green: false,
      lockedCall: false,
      lastGreenEndMs: undefined,
      greenSinceMs: undefined,
      lastGoodFlowVph: undefined,
    });
  }
  return {
    config,
    opts,
    detectors,
    movements,
    groups: [...groupsByKey.values()],
    sensors: new Map(),
    startMs: undefined,
    signal: undefined,
    stats: { accepted: 0, duplicates: 0, lost: 0, ignoredReadings: 0, badMessages: 0 },
  };
}

/** [protocol v1: seq] true when the message is new; counts losses from seq gaps. */
function acceptSeq(s: AggregationState, c: Counts): boolean {
  let sensor = s.sensors.get(c.sensor);
  if (!sensor || sensor.boot !== c.boot) {
    // A new boot restarts seq: not a loss.
    sensor = { boot: c.boot, maxSeq: c.seq, seen: new Set([c.seq]) };
    s.sensors.set(c.sensor, sensor);
    return true;
  }
  if (sensor.seen.has(c.seq) || c.seq <= sensor.maxSeq - SEEN_SEQS) return false;
  if (c.seq > sensor.maxSeq) {
    s.stats.lost += c.seq - sensor.maxSeq - 1;
    sensor.maxSeq = c.seq;
  } else {
    s.stats.lost = Math.max(0, s.stats.lost - 1); // a late arrival fills a gap counted as lost
  }
  sensor.seen.add(c.seq);
  if (sensor.seen.size > SEEN_SEQS) {
    for (const q of sensor.seen) if (q <= sensor.maxSeq - SEEN_SEQS) sensor.seen.delete(q);
  }
  return true;
}

const isGreen = (s: AggregationState, d: DetectorState) =>
  d.det.movements.some((m) => s.movements.get(m)?.green === true);

/** Adds one (already validated) counts message. Never throws on odd content. */
export function addCounts(s: AggregationState, c: Counts): void {
  const duration = c.to - c.from;
  if (!(duration > 0 && duration <= 3_600_000)) {
    s.stats.badMessages++;
    return;
  }
  if (!acceptSeq(s, c)) {
    s.stats.duplicates++;
    return;
  }
  s.stats.accepted++;
  s.startMs ??= c.from;
  const delta = new Map<QueueGroup, number>();
  for (const r of c.detectors) {
    const d = s.detectors.get(r.id);
    if (!d || (d.det.sensor !== undefined && d.det.sensor !== c.sensor)) {
      s.stats.ignoredReadings++;
      continue;
    }
    const occ = r.occupancy ?? 0;
    addToWindows(d.windows, c.from, duration, r.count, occ);
    const latest = d.lastToMs === undefined || c.to >= d.lastToMs;
    if (!latest) continue; // a late message fills its window but does not rewrite "now"
    d.lastCount = r.count;
    d.lastOccupancy = r.occupancy;
    d.lastToMs = c.to;
    d.intervalMs = duration;
    if (occ >= 0.95)
      d.lastActiveMs = c.to; // presence up to the end of the interval
    else if (r.count > 0 || occ > 0) {
      // Raw actuations, when sent, date the last vehicle precisely.
      let off = -1;
      for (const a of c.actuations ?? []) if (a.id === r.id && a.offMs > off) off = a.offMs;
      d.lastActiveMs = off >= c.from ? Math.min(off, c.to) : c.to;
    }
    // Stuck-on: occupied with no vehicle counted, for long, especially while green.
    if (occ >= 0.95 && r.count === 0) {
      d.stuckMs += duration;
      if (isGreen(s, d)) d.stuckGreenMs += duration;
    } else {
      d.stuckMs = 0;
      d.stuckGreenMs = 0;
    }
    for (const m of d.det.movements) {
      const mv = s.movements.get(m);
      if (!mv) continue;
      // NEMA locking memory: a vehicle seen during red keeps its call until served.
      if (!mv.green && (r.count > 0 || occ > 0)) mv.lockedCall = true;
      const g = mv.group;
      if (g && !delta.has(g)) delta.set(g, 0);
    }
    const g = s.movements.get(d.det.movements[0]!)?.group;
    if (g) delta.set(g, (delta.get(g) ?? 0) + (d.det.kind === 'advance' ? r.count : -r.count));
  }
  for (const [g, dq] of delta) updateQueue(s, g, dq, c.to);
}

function updateQueue(s: AggregationState, g: QueueGroup, dq: number, atMs: number): void {
  const max = g.storageVeh * 4; // beyond what a detector pair can tell apart: bounded
  g.queue = Math.min(max, Math.max(0, g.queue + dq));
  const green = g.movements.some((m) => s.movements.get(m)?.green === true);
  if (green) {
    // Discharged: no stop-bar vehicle for clearGapS and nothing standing on it.
    const clear =
      g.stop.length > 0 &&
      g.stop.every(
        (d) =>
          (d.lastOccupancy ?? 0) < 0.05 &&
          d.lastActiveMs !== undefined &&
          atMs - d.lastActiveMs >= s.opts.clearGapS * 1000,
      );
    if (clear) g.queue = 0;
  } else {
    // A standing queue over the advance detector: at least the storage behind the stop bar.
    if (g.advance.some((d) => (d.lastOccupancy ?? 0) >= 0.9))
      g.queue = Math.max(g.queue, g.storageVeh);
    if (g.stop.some((d) => (d.lastOccupancy ?? 0) > 0)) g.queue = Math.max(g.queue, 1);
  }
}

/** Adds a signal message; older ones (by `t`) are ignored. */
export function addSignal(s: AggregationState, sig: Signal): void {
  if (s.signal && sig.t < s.signal.t) return;
  s.startMs ??= sig.t;
  s.signal = {
    t: sig.t,
    phase: sig.phase,
    interval: sig.interval,
    sinceMs: sig.sinceMs,
    minEndMs: sig.minEndMs,
    maxEndMs: sig.maxEndMs,
  };
  for (const mv of s.movements.values()) {
    const state = sig.movements[mv.movement];
    const green = state !== undefined && GREEN_STATES.has(state);
    if (mv.green && !green) mv.lastGreenEndMs = sig.t;
    if (!mv.green && green) mv.greenSinceMs = sig.t;
    mv.green = green;
    if (green) mv.lockedCall = false;
  }
}
