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
  type DetectorReading,
  detectorsOf,
  type IntersectionConfig,
  laneGroups,
  type MovementState,
  type Signal,
  servedMovements,
} from '../protocol/index.ts';
import { noteReading } from './aggregation-health.ts';
import { orUndefined, orZero, updateQueue } from './aggregation-queue.ts';
import { acceptSeq } from './aggregation-sequence.ts';
import type {
  AggregationOptions,
  AggregationState,
  DetectorState,
  GroupLinks,
  MovementStateX,
  QueueGroup,
  SensorState,
} from './aggregation-types.ts';
import { addReadingIn, createWindowBlock, createWindows, openInterval } from './windows.ts';

export type {
  AggregationOptions,
  AggregationState,
  AggregationStats,
  DetectorState,
  MovementStateX,
  QueueGroup,
  ViewScratch,
} from './aggregation-types.ts';
export { orUndefined, orZero };

const GREEN_STATES: ReadonlySet<MovementState> = new Set([
  'protected-Movement-Allowed',
  'permissive-Movement-Allowed',
]);
const VEHICLE_SPACING_M = 7.5;

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
  // by id (a repeated id: the last one, in the first one's place), as positions
  const configured = [...new Map(detectorsOf(config).map((d) => [d.id, d])).values()];
  // One buffer for the intersection's windows: a message fills adjacent cells (windows.ts).
  // A detector's windows are at its position in `detectorList` (addCounts relies on it).
  const block = createWindowBlock(configured.length);
  for (const det of configured) {
    detectors.set(det.id, {
      det,
      index: detectors.size,
      windows: createWindows(block, detectors.size),
      lastCount: 0,
      lastOccupancy: Number.NaN,
      lastToMs: Number.NaN,
      intervalMs: 1000,
      lastActiveMs: Number.NaN,
      stuckGreenMs: 0,
      stuckMs: 0,
      movements: [],
      queueGroup: undefined,
      sensor: det.sensor,
      advance: det.kind === 'advance',
      groups: [],
    });
  }
  const detectorList = [...detectors.values()];
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
          green: false,
          index: groupsByKey.size,
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
    for (const mv of d.movements)
      if (mv.group && !d.groups.includes(mv.group)) d.groups.push(mv.group);
  }
  const groups = [...groupsByKey.values()];
  return {
    config,
    opts,
    detectors,
    detectorList,
    movements,
    movementList: [...movements.values()],
    groups,
    goodFlowVph: new Float64Array(groups.length).fill(Number.NaN),
    windowBlock: block,
    sensors: new Map(),
    lastSensorId: undefined,
    lastSensor: undefined,
    startMs: undefined,
    healthDirty: true,
    signal: undefined,
    stats: { accepted: 0, duplicates: 0, lost: 0, ignoredReadings: 0, badMessages: 0 },
    links: linksOf(detectorList, groups),
    viewScratch: {
      failed: new Uint8Array(detectorList.length),
      m15: new Float64Array(detectorList.length),
      sum: { count: 0, occMs: 0, coveredMs: 0, spanMs: 0 },
    },
  };
}

/** No vehicle and no occupancy, both sent as +0 (what noteReading would keep as they are). */
const idle = (count: number, occupancy: number | undefined) =>
  Object.is(count, 0) && Object.is(occupancy, 0);

/** Detector `d` is stuck on now (aggregation-view.ts `detectorFailed`'s second test). */
const stuckNow = (s: AggregationState, d: DetectorState) =>
  d.stuckGreenMs >= s.opts.stuckOnS * 1000 || d.stuckMs >= s.opts.maxPresenceS * 1000;

/** Adds one (already validated) counts message. Never throws on odd content. */
export function addCounts(s: AggregationState, c: Counts): void {
  const duration = c.to - c.from;
  if (!(duration > 0 && duration <= 3_600_000)) {
    s.stats.badMessages++;
    return;
  }
  // one sensor per intersection is the rule: its state is at hand without a map lookup
  const known = c.sensor === s.lastSensorId ? s.lastSensor : s.sensors.get(c.sensor);
  const sensor = acceptSeq(s.sensors, s.stats, c, known);
  if (!sensor) {
    s.stats.duplicates++;
    return;
  }
  s.lastSensorId = c.sensor;
  s.lastSensor = sensor;
  s.stats.accepted++;
  if (s.startMs === undefined) {
    s.startMs = c.from;
    s.healthDirty = true;
  }
  const links = s.links;
  const topo = links.topo;
  const work = links.work;
  const nGroups = s.groups.length;
  const readings = c.detectors;
  let bucket = Number.NaN; // the windows' bucket of the interval, once a reading is accepted
  for (let i = 0; i < readings.length; i++) {
    const r = readings[i]!;
    const d = detectorAt(s, sensor, i, r);
    const count = r.count;
    const occupancy = r.occupancy;
    if (!d || (d.sensor !== undefined && d.sensor !== c.sensor)) {
      s.stats.ignoredReadings++;
      continue;
    }
    const occ = occupancy ?? 0;
    if (Number.isNaN(bucket)) bucket = openInterval(s.windowBlock, c.from, duration);
    addReadingIn(s.windowBlock, d.index, bucket, duration, count, occ);
    const latest = Number.isNaN(d.lastToMs) || c.to >= d.lastToMs;
    if (!latest) continue; // a late message fills its window but does not rewrite "now"
    if (idle(count, occupancy) && idle(d.lastCount, d.lastOccupancy)) {
      // idle after idle (most readings): only the time moves (noteReading changes nothing else)
      if (duration < d.intervalMs) s.healthDirty = true; // an earlier no-data deadline
      d.lastToMs = c.to;
      d.intervalMs = duration;
    } else {
      const first = Number.isNaN(d.lastToMs);
      const intervalMs = d.intervalMs;
      noteReading(d, c, count, occupancy, duration);
      if (first || d.intervalMs < intervalMs || stuckNow(s, d)) s.healthDirty = true;
      // NEMA locking memory: a vehicle seen during red keeps its call until served.
      if (count > 0 || occ > 0) for (const mv of d.movements) if (!mv.green) mv.lockedCall = true;
    }
    // every group of the detector's movements is updated (its queueGroup among them)
    const di = d.index;
    const at = links.groupsAt + di;
    for (let k = topo[at]!; k < topo[at + 1]!; k++) work[nGroups + topo[k]!] = 1;
    const qg = topo[links.queueGroup + di]!;
    if (qg >= 0) work[qg]! += d.advance ? count : -count;
  }
  // Each group's update reads only its own queue and detectors: the order does not matter.
  for (let gi = 0; gi < nGroups; gi++) {
    if (!work[nGroups + gi]) continue;
    updateQueue(s.groups[gi]!, gi, links, s.detectorList, work[gi]!, c.to, s.opts.clearGapS);
    work[nGroups + gi] = 0;
    work[gi] = 0;
  }
}

/**
 * The detector of reading `r` at position `i` of a message of `sensor` (looked up by id unless
 * the last reading there had the same id).
 */
function detectorAt(
  s: AggregationState,
  sensor: SensorState,
  i: number,
  r: DetectorReading,
): DetectorState | undefined {
  let d = sensor.byPosition[i];
  if (d === undefined || sensor.idByPosition[i] !== r.id) {
    d = s.detectors.get(r.id);
    sensor.byPosition[i] = d;
    sensor.idByPosition[i] = r.id;
  }
  return d;
}

/** The detector ↔ group relations of {@link GroupLinks}, in one array. */
function linksOf(dets: DetectorState[], groups: QueueGroup[]): GroupLinks {
  const detGroups = dets.map((d) => d.groups.map((g) => groups.indexOf(g)));
  const stop = groups.map((g) => g.stop.map((d) => d.index));
  const advance = groups.map((g) => g.advance.map((d) => d.index));
  // the three start tables, the queue groups, then the lists themselves
  const groupsAt = 0;
  const stopAt = groupsAt + dets.length + 1;
  const advanceAt = stopAt + groups.length + 1;
  const queueGroup = advanceAt + groups.length + 1;
  const topo: number[] = new Array(queueGroup + dets.length).fill(0);
  dets.forEach((d, i) => {
    topo[queueGroup + i] = d.queueGroup ? groups.indexOf(d.queueGroup) : -1;
  });
  for (const [at, lists] of [
    [groupsAt, detGroups],
    [stopAt, stop],
    [advanceAt, advance],
  ] as const) {
    lists.forEach((l, i) => {
      topo[at + i] = topo.length;
      topo.push(...l);
    });
    topo[at + lists.length] = topo.length;
  }
  return {
    topo: Int32Array.from(topo),
    groupsAt,
    queueGroup,
    stopAt,
    advanceAt,
    work: new Float64Array(groups.length * 2),
  };
}

/** Adds a signal message; older ones (by `t`) are ignored. */
export function addSignal(s: AggregationState, sig: Signal): void {
  if (s.signal && sig.t < s.signal.t) return;
  if (s.startMs === undefined) {
    s.startMs = sig.t;
    s.healthDirty = true;
  }
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
  for (const g of s.groups) {
    let green = false;
    for (const mv of g.movementStates) if (mv.green) green = true;
    g.green = green;
  }
}
