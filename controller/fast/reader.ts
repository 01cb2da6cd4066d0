/**
 * What a fast controller reads at a decision, straight from the aggregation state (pure, no
 * view objects): the signal, each detector's failure flag and gap, each movement's call,
 * queue and red time. The same numbers as the view of aggregation-view.ts, computed the same
 * way in the same order (so equal to the bit), but only for what the algorithm asks, in typed
 * arrays reused decision after decision. `begin(atMs)` applies the view's one effect on the
 * state (a healthy movement remembers its arrival rate), as building the view does.
 */
import type { IntersectionConfig, Interval } from '../../protocol/index.ts';
import { type AggregationState, orZero } from '../aggregation.ts';
import { M15_BUCKETS, RECALL_DISCHARGE_VPHPL } from '../aggregation-view.ts';
import { BUCKET_MS, RUNS, runsOf } from '../window-block.ts';
import { type CountSum, flowOf, sumCountsAt } from '../windows.ts';
import { createFailureCheck } from './failures.ts';

/** As windows.ts `flowOf`, on a count and covered ms. */
const flowOfSums = (count: number, coveredMs: number) =>
  coveredMs > 0 ? (count * 3_600_000) / coveredMs : 0;

/** The signal as a decision reads it (what createTarget and the algorithms need). */
export interface ReaderSignal {
  phase: string;
  interval: Interval;
  sinceMs: number;
}

export interface StateReader {
  readonly state: AggregationState;
  readonly config: IntersectionConfig;
  /** `{ signal, config }` of the decision under way (one object, updated by `begin`) */
  readonly current: { signal: ReaderSignal; config: IntersectionConfig };
  /** movement name → position in `state.movementList` (served movements only) */
  readonly movementIndex: ReadonlyMap<string, number>;
  /** downstream queue estimates per movement (max-pressure on a network) */
  downstream: Record<string, number> | undefined;
  /** the decision's time and the aggregation's start (`startMs ?? atMs`) */
  atMs: number;
  startMs: number;
  /** per detector (position in `state.detectorList`), valid after `begin` */
  readonly failed: Uint8Array;
  /** per movement (position in `state.movementList`): one of its detectors failed, after `begin` */
  readonly movementFailed: Uint8Array;
  /** the detectors of movement m: `movementDetectors[movementDetectorsAt[m] …[m + 1])` */
  readonly movementDetectorsAt: Int32Array;
  readonly movementDetectors: Int32Array;
  /** Starts a decision at `atMs`: failure flags, the arrival-rate memory, the signal. */
  begin(atMs: number): void;
  gapMs(d: number): number;
  call(m: number): boolean;
  queueVeh(m: number): number;
  redMs(m: number): number;
}

export function createStateReader(s: AggregationState): StateReader {
  const config = s.config;
  const dets = s.detectorList;
  const movs = s.movementList;
  const block = s.windowBlock;
  const movementIndex = new Map(movs.map((m, i) => [m.movement, i]));
  // Small per-movement and per-group lists as flat arrays (one object each, not one per entry):
  // at city scale a decision's cost is mostly the memory it first touches.
  const movDetsAt = offsets(movs.map((m) => m.detectors.length));
  const movDets = Int32Array.from(movs.flatMap((m) => m.detectors.map((d) => d.index)));
  const movFailed = new Uint8Array(movs.length);
  // 1: the movement's lane group has advance and stop-bar detectors (an input-output queue)
  const movPaired = Uint8Array.from(movs, (m) =>
    m.group && m.group.advance.length > 0 && m.group.stop.length > 0 ? 1 : 0,
  );
  const clearGapMs = s.opts.clearGapS * 1000;
  // Groups whose arrival rate can be remembered (advance and stop-bar detectors both), in one
  // array: per group its index, a movement of its (they share its detectors), then its
  // advance and its stop-bar detectors, each list after its length.
  const remember = Int32Array.from(
    s.groups
      .filter((g) => g.advance.length > 0 && g.stop.length > 0)
      .flatMap((g) => [
        g.index,
        movs.indexOf(g.movementStates[0]!),
        g.advance.length,
        ...g.advance.map((d) => d.index),
        g.stop.length,
        ...g.stop.map((d) => d.index),
      ]),
  );
  const goodFlow = s.goodFlowVph;
  // Per movement, the decision (generation) its queue and call were last computed for, and
  // their values: [qGen, qVal, cGen, cVal] side by side.
  const memo = new Float64Array(movs.length * 4).fill(-1);
  let gen = 0;
  const sum: CountSum = { count: 0, coveredMs: 0, occupied: false, spanMs: 0 };
  const signal: ReaderSignal = { phase: '', interval: 'green', sinceMs: 0 };
  const failedNow = createFailureCheck(s);
  const runs0 = runsOf(block, 0) + 3; // the 15 min running sums of the detector at position 0
  const r: StateReader = {
    state: s,
    config,
    current: { signal, config },
    movementIndex,
    downstream: undefined,
    atMs: 0,
    startMs: 0,
    failed: s.viewScratch.failed,
    movementFailed: movFailed,
    movementDetectorsAt: movDetsAt,
    movementDetectors: movDets,
    begin(atMs) {
      gen++;
      r.atMs = atMs;
      const start = s.startMs ?? atMs;
      r.startMs = start;
      const failed = r.failed;
      // no failed detector (the rule): no movement has one
      if (failedNow(atMs, start) === 0) movFailed.fill(0);
      else {
        for (let m = 0; m < movs.length; m++) {
          let f = 0;
          for (let j = movDetsAt[m]!; j < movDetsAt[m + 1]!; j++) f |= failed[movDets[j]!]!;
          movFailed[m] = f;
        }
      }
      // The view's effect: a lane group whose detectors all work and agree (within 2×)
      // remembers the advance flow (aggregation-view.ts rememberGoodFlow; same sums).
      // the running sums, read in place when they end at this decision's bucket (the same
      // numbers as sumCountsAt; failedNow has moved them on)
      const data = block.data;
      const exact =
        data.length > 0 && block.runExact && block.runCur === Math.floor((atMs - 1) / BUCKET_MS);
      for (let p = 0; p < remember.length; ) {
        const gi = remember[p]!;
        const healthy = !movFailed[remember[p + 1]!];
        let a = 0;
        let b = 0;
        p += 2;
        for (let list = 0; list < 2; list++) {
          const end = p + 1 + remember[p]!;
          for (p++; p < end; p++) {
            if (!healthy) continue;
            const d = remember[p]!;
            const flow = exact
              ? flowOfSums(data[runs0 + d * RUNS]!, data[runs0 + d * RUNS + 1]!)
              : flowOf(sumCountsAt(block, d, atMs, M15_BUCKETS, sum));
            if (list === 0) a += flow;
            else b += flow;
          }
        }
        if (healthy && a > 0 && b > 0 && Math.max(a, b) <= 2 * Math.min(a, b)) goodFlow[gi] = a;
      }
      const sig = s.signal;
      if (sig) {
        signal.phase = sig.phase;
        signal.interval = sig.interval;
        signal.sinceMs = sig.sinceMs;
      } else {
        signal.phase = config.phases[0]!.id;
        signal.interval = 'green';
        signal.sinceMs = start;
      }
    },
    gapMs(d) {
      const last = dets[d]!.lastActiveMs;
      return Math.max(0, r.atMs - (Number.isNaN(last) ? r.startMs : last));
    },
    queueVeh(m) {
      if (memo[m * 4] === gen) return memo[m * 4 + 1]!;
      const mv = movs[m]!;
      const g = mv.group;
      let queueVeh: number;
      if (movPaired[m] && !movFailed[m]) queueVeh = g!.queue;
      else {
        // as movementView (aggregation-view.ts): the time-based guess, term for term
        const atMs = r.atMs;
        const redSince = mv.lastGreenEndMs ?? s.startMs ?? atMs;
        const remembered = g === undefined ? 0 : orZero(s.goodFlowVph[g.index]!);
        const rate = Math.max(remembered, s.opts.defaultFlowVphpl * mv.lanes);
        const greenStart = mv.greenSinceMs ?? atMs;
        const redEnd = mv.green ? greenStart : atMs;
        queueVeh = (rate * Math.max(0, redEnd - redSince)) / 3_600_000;
        if (mv.green) {
          const greenMs = Math.max(0, atMs - greenStart);
          const served =
            (RECALL_DISCHARGE_VPHPL * mv.lanes * Math.max(0, greenMs - 2000)) / 3_600_000;
          queueVeh = Math.max(0, queueVeh + (rate * greenMs) / 3_600_000 - served);
        } else if (g) queueVeh = Math.max(queueVeh, Math.min(g.queue, g.storageVeh));
      }
      memo[m * 4] = gen;
      memo[m * 4 + 1] = queueVeh;
      return queueVeh;
    },
    call(m) {
      if (memo[m * 4 + 2] === gen) return memo[m * 4 + 3] === 1;
      const mv = movs[m]!;
      let c = movFailed[m] === 1 || mv.lockedCall || r.queueVeh(m) >= 0.5;
      if (!c && mv.green) {
        // a working detector still occupied, counting, or within the clearance gap
        const failed = r.failed;
        for (let j = movDetsAt[m]!; j < movDetsAt[m + 1]! && !c; j++) {
          const d = movDets[j]!;
          if (failed[d]) continue;
          const x = dets[d]!;
          if (x.lastOccupancy > 0 || x.lastCount > 0 || r.gapMs(d) < clearGapMs) c = true;
        }
      }
      memo[m * 4 + 2] = gen;
      memo[m * 4 + 3] = c ? 1 : 0;
      return c;
    },
    redMs(m) {
      const mv = movs[m]!;
      if (mv.green) return 0;
      const atMs = r.atMs;
      return Math.max(0, atMs - (mv.lastGreenEndMs ?? s.startMs ?? atMs));
    },
  };
  return r;
}

/** Start positions of consecutive runs of the given lengths, and the end: [0, a, a + b, …]. */
function offsets(lengths: number[]): Int32Array {
  const at = new Int32Array(lengths.length + 1);
  for (let i = 0; i < lengths.length; i++) at[i + 1] = at[i]! + lengths[i]!;
  return at;
}
