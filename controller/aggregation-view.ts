/**
 * The view half of the aggregation (pure): detector failure checks and the
 * {@link ControllerView} an algorithm decides on, built from the aggregation state.
 *
 * Building the view has one effect on the state: a movement whose detectors are all healthy
 * and agree remembers its arrival rate (`goodFlowVph`, for the queue guess once they
 * fail). `decisionView` applies that effect at once and builds the rest of the view only if
 * the algorithm reads it (fixed-time with a plan reads only the signal), so a decision costs
 * what it reads; what it reads is what `buildView` would have built.
 */

import {
  type AggregationState,
  type DetectorState,
  type MovementStateX,
  orUndefined,
  orZero,
  type ViewScratch,
} from './aggregation.ts';
import type { ControllerView, DetectorView, MovementView, SignalView } from './types.ts';
import {
  completenessOf,
  flowOf,
  occupancyOf,
  sumWindow,
  sumWindowInto,
  type WindowSum,
} from './windows.ts';

/**
 * Discharge rate assumed for a failed movement's guessed queue, veh/h/lane: 60 % of a typical
 * saturation flow, so the blind recall errs toward longer greens (degree of saturation ≈ 0.6)
 * rather than stranding vehicles it cannot see.
 */
export const RECALL_DISCHARGE_VPHPL = 1080;
export const SILENT_BUCKETS = 30; // 5 min
export const M15_BUCKETS = 90;

function scratchOf(s: AggregationState): ViewScratch {
  return s.viewScratch;
}

export function detectorFailed(s: AggregationState, d: DetectorState, atMs: number, start: number) {
  const since = Number.isNaN(d.lastToMs) ? start : d.lastToMs;
  if (atMs - since > s.opts.failAfterIntervals * d.intervalMs) return true;
  if (d.stuckGreenMs >= s.opts.stuckOnS * 1000 || d.stuckMs >= s.opts.maxPresenceS * 1000)
    return true;
  return false;
}

/** Stuck-off: silent for 5 min while a sibling of the same movement counted ≥ 10. */
export function silentWhileSiblingCounts(
  d: DetectorState,
  atMs: number,
  failed: Uint8Array,
  sum: WindowSum,
): boolean {
  const own = sumWindowInto(d.windows, atMs, SILENT_BUCKETS, sum);
  if (own.count > 0 || own.occMs > 0 || completenessOf(own) < 0.8) return false;
  for (const mv of d.movements) {
    for (const o of mv.detectors) {
      if (o === d || failed[o.index]) continue;
      if (sumWindowInto(o.windows, atMs, SILENT_BUCKETS, sum).count >= 10) return true;
    }
  }
  return false;
}

/** Fills the scratch's `failed` flags for `atMs` (in order: a stuck-off sees earlier ones). */
export function failedAt(
  s: AggregationState,
  atMs: number,
  start: number,
  x: ViewScratch,
): Uint8Array {
  const dets = s.detectorList;
  const failed = x.failed;
  for (let i = 0; i < dets.length; i++)
    failed[i] = detectorFailed(s, dets[i]!, atMs, start) ? 1 : 0;
  for (let i = 0; i < dets.length; i++) {
    if (!failed[i] && silentWhileSiblingCounts(dets[i]!, atMs, failed, x.sum)) failed[i] = 1;
  }
  return failed;
}

/**
 * Remembers the arrival rate of a movement while its lane group's advance and stop-bar
 * detectors all work and agree (within 2×), so a detector failing in a way not yet detected
 * (stuck-off) cannot talk the rate down. `failed` and `m15` are per detector.
 */
function rememberGoodFlow(
  s: AggregationState,
  mv: MovementStateX,
  failed: ArrayLike<number | boolean>,
  m15: ArrayLike<number>,
): boolean {
  const g = mv.group;
  if (g === undefined || g.advance.length === 0 || g.stop.length === 0) return false;
  for (const d of mv.detectors) if (failed[d.index]) return false;
  let a = 0;
  let b = 0;
  for (const d of g.advance) a += m15[d.index]!;
  for (const d of g.stop) b += m15[d.index]!;
  if (a > 0 && b > 0 && Math.max(a, b) <= 2 * Math.min(a, b)) s.goodFlowVph[g.index] = a;
  return true;
}

/** The effect of building the view at `atMs`, without building it. */
function applyViewEffects(s: AggregationState, atMs: number): void {
  const x = scratchOf(s);
  const failed = failedAt(s, atMs, s.startMs ?? atMs, x);
  const dets = s.detectorList;
  for (let i = 0; i < dets.length; i++)
    x.m15[i] = flowOf(sumWindowInto(dets[i]!.windows, atMs, M15_BUCKETS, x.sum));
  for (const mv of s.movementList) rememberGoodFlow(s, mv, failed, x.m15);
}

function signalView(s: AggregationState, start: number): SignalView {
  const sig = s.signal;
  if (sig) {
    return {
      phase: sig.phase,
      interval: sig.interval,
      sinceMs: sig.sinceMs,
      minEndMs: sig.minEndMs,
      maxEndMs: sig.maxEndMs,
    };
  }
  const phase0 = s.config.phases[0]!;
  return {
    phase: phase0.id,
    interval: 'green',
    sinceMs: start,
    minEndMs: start + phase0.minGreenS * 1000,
    maxEndMs: start + phase0.maxGreenS * 1000,
  };
}

interface DetectorParts {
  detectors: Record<string, DetectorView>;
  /** by position in detectorList */
  views: DetectorView[];
  failed: Uint8Array;
  m15: number[];
}

function buildDetectors(s: AggregationState, atMs: number): DetectorParts {
  const start = s.startMs ?? atMs;
  const failed = Uint8Array.from(failedAt(s, atMs, start, scratchOf(s)));
  const detectors: Record<string, DetectorView> = {};
  const views: DetectorView[] = [];
  const m15: number[] = [];
  for (const d of s.detectorList) {
    const w1 = sumWindow(d.windows, atMs, 6);
    const w5 = sumWindow(d.windows, atMs, 30);
    const w15 = sumWindow(d.windows, atMs, M15_BUCKETS);
    const v: DetectorView = {
      id: d.det.id,
      kind: d.det.kind,
      movements: d.det.movements,
      lastCount: d.lastCount,
      lastOccupancy: orUndefined(d.lastOccupancy),
      lastToMs: orUndefined(d.lastToMs),
      gapMs: Math.max(0, atMs - (Number.isNaN(d.lastActiveMs) ? start : d.lastActiveMs)),
      flowVph: {
        last: (d.lastCount * 3_600_000) / d.intervalMs,
        m1: flowOf(w1),
        m5: flowOf(w5),
        m15: flowOf(w15),
      },
      occupancy: { m1: occupancyOf(w1), m5: occupancyOf(w5), m15: occupancyOf(w15) },
      failed: failed[d.index] === 1,
    };
    detectors[d.det.id] = v;
    views[d.index] = v;
    m15[d.index] = v.flowVph.m15;
  }
  return { detectors, views, failed, m15 };
}

function buildMovements(
  s: AggregationState,
  atMs: number,
  d: DetectorParts,
): Record<string, MovementView> {
  const movements: Record<string, MovementView> = {};
  for (const mv of s.movementList)
    movements[mv.movement] = movementView(s, mv, d.views, d.failed, d.m15, atMs);
  return movements;
}

/** The view an algorithm decides on at `atMs`. */
export function buildView(s: AggregationState, atMs: number): ControllerView {
  const d = buildDetectors(s, atMs);
  return {
    atMs,
    config: s.config,
    signal: signalView(s, s.startMs ?? atMs),
    detectors: d.detectors,
    movements: buildMovements(s, atMs, d),
  };
}

/**
 * The view of `buildView`, its detectors and movements built on first read. Valid for the
 * decision it is made for: read it before the aggregation takes more messages.
 */
class DecisionView implements ControllerView {
  readonly atMs: number;
  readonly config: ControllerView['config'];
  readonly signal: SignalView;
  declare downstreamQueueVeh?: Record<string, number>;
  #s: AggregationState;
  #detectors: DetectorParts | undefined;
  #movements: Record<string, MovementView> | undefined;

  constructor(s: AggregationState, atMs: number) {
    this.atMs = atMs;
    this.config = s.config;
    this.signal = signalView(s, s.startMs ?? atMs);
    this.#s = s;
    this.#detectors = undefined;
    this.#movements = undefined;
  }

  #detectorParts(): DetectorParts {
    this.#detectors ??= buildDetectors(this.#s, this.atMs);
    return this.#detectors;
  }

  get detectors(): Record<string, DetectorView> {
    return this.#detectorParts().detectors;
  }

  get movements(): Record<string, MovementView> {
    this.#movements ??= buildMovements(this.#s, this.atMs, this.#detectorParts());
    return this.#movements;
  }
}

/**
 * `buildView(s, atMs)` for one decision: its state effect now, the rest when read. The effect
 * (the arrival-rate memory) only ever shows in `movements`: with `movements: false` (the
 * algorithm never reads them) it is left out.
 */
export function decisionView(
  s: AggregationState,
  atMs: number,
  reads: { movements: boolean } = { movements: true },
): ControllerView {
  if (reads.movements) applyViewEffects(s, atMs);
  return new DecisionView(s, atMs);
}

function movementView(
  s: AggregationState,
  mv: MovementStateX,
  views: DetectorView[],
  failed: Uint8Array,
  m15: number[],
  atMs: number,
): MovementView {
  const mine = mv.detectors.map((d) => views[d.index]!);
  const working = mine.filter((v) => !v.failed);
  const allFailed = working.length === 0;
  // Arrivals: advance detectors when they work (stop-bar counts are capped by capacity).
  const adv = working.filter((v) => v.kind === 'advance');
  const src = adv.length > 0 ? adv : working;
  const flow = { m1: 0, m5: 0, m15: 0 };
  for (const v of src) {
    flow.m1 += v.flowVph.m1;
    flow.m5 += v.flowVph.m5;
    flow.m15 += v.flowVph.m15;
  }
  const g = mv.group;
  const groupHealthy = rememberGoodFlow(s, mv, failed, m15);
  const redSince = mv.lastGreenEndMs ?? s.startMs ?? atMs;
  let queueVeh: number;
  if (groupHealthy) queueVeh = g!.queue;
  else {
    // No trustworthy input-output count: arrivals at the last known rate during red, and a
    // cautious discharge after 2 s of startup during green (a time-based recall).
    const remembered = g === undefined ? 0 : orZero(s.goodFlowVph[g.index]!);
    const rate = Math.max(remembered, s.opts.defaultFlowVphpl * mv.lanes);
    const greenStart = mv.greenSinceMs ?? atMs;
    const redEnd = mv.green ? greenStart : atMs;
    queueVeh = (rate * Math.max(0, redEnd - redSince)) / 3_600_000;
    if (mv.green) {
      const greenMs = Math.max(0, atMs - greenStart);
      const served = (RECALL_DISCHARGE_VPHPL * mv.lanes * Math.max(0, greenMs - 2000)) / 3_600_000;
      queueVeh = Math.max(0, queueVeh + (rate * greenMs) / 3_600_000 - served);
    } else if (g) queueVeh = Math.max(queueVeh, Math.min(g.queue, g.storageVeh));
  }
  const active = working.some(
    (v) => (v.lastOccupancy ?? 0) > 0 || v.lastCount > 0 || v.gapMs < s.opts.clearGapS * 1000,
  );
  // [NEMA: detector failure → recall] any failed detector puts the movement on recall: the
  // working ones may not see every vehicle (a stuck-off advance behind a stuck-on stop bar).
  const call =
    working.length < mine.length || mv.lockedCall || queueVeh >= 0.5 || (mv.green && active);
  const completeness =
    mine.length === 0
      ? 0
      : mv.detectors.reduce((a, d) => a + completenessOf(sumWindow(d.windows, atMs, 30)), 0) /
        mine.length;
  const redMs = mv.green ? 0 : Math.max(0, atMs - redSince);
  return {
    movement: mv.movement,
    flowVph: flow,
    queueVeh,
    call,
    failed: allFailed,
    completeness,
    redMs,
  };
}
