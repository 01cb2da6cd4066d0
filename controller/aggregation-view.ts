/**
 * The view half of the aggregation (pure): detector failure checks and the
 * {@link ControllerView} an algorithm decides on, built from the aggregation state.
 */

import type { AggregationState, DetectorState, MovementStateX } from './aggregation.ts';
import type { ControllerView, DetectorView, MovementView } from './types.ts';
import { completenessOf, flowOf, occupancyOf, sumWindow } from './windows.ts';

/**
 * Discharge rate assumed for a failed movement's guessed queue, veh/h/lane: 60 % of a typical
 * saturation flow, so the blind recall errs toward longer greens (degree of saturation ≈ 0.6)
 * rather than stranding vehicles it cannot see.
 */
const RECALL_DISCHARGE_VPHPL = 1080;
const SILENT_BUCKETS = 30; // 5 min

function detectorFailed(s: AggregationState, d: DetectorState, atMs: number, start: number) {
  const since = d.lastToMs ?? start;
  if (atMs - since > s.opts.failAfterIntervals * d.intervalMs) return true;
  if (d.stuckGreenMs >= s.opts.stuckOnS * 1000 || d.stuckMs >= s.opts.maxPresenceS * 1000)
    return true;
  return false;
}

/** Stuck-off: silent for 5 min while a sibling of the same movement counted ≥ 10. */
function silentWhileSiblingCounts(
  s: AggregationState,
  d: DetectorState,
  atMs: number,
  failed: Map<string, boolean>,
): boolean {
  const own = sumWindow(d.windows, atMs, SILENT_BUCKETS);
  if (own.count > 0 || own.occMs > 0 || completenessOf(own) < 0.8) return false;
  for (const m of d.det.movements) {
    for (const o of s.movements.get(m)?.detectors ?? []) {
      if (o === d || failed.get(o.det.id)) continue;
      if (sumWindow(o.windows, atMs, SILENT_BUCKETS).count >= 10) return true;
    }
  }
  return false;
}

/** The view an algorithm decides on at `atMs`. */
export function buildView(s: AggregationState, atMs: number): ControllerView {
  const start = s.startMs ?? atMs;
  const failed = new Map<string, boolean>();
  for (const d of s.detectors.values()) failed.set(d.det.id, detectorFailed(s, d, atMs, start));
  for (const d of s.detectors.values()) {
    if (!failed.get(d.det.id) && silentWhileSiblingCounts(s, d, atMs, failed))
      failed.set(d.det.id, true);
  }
  const detectors: Record<string, DetectorView> = {};
  for (const d of s.detectors.values()) {
    const w1 = sumWindow(d.windows, atMs, 6);
    const w5 = sumWindow(d.windows, atMs, 30);
    const w15 = sumWindow(d.windows, atMs, 90);
    detectors[d.det.id] = {
      id: d.det.id,
      kind: d.det.kind,
      movements: d.det.movements,
      lastCount: d.lastCount,
      lastOccupancy: d.lastOccupancy,
      lastToMs: d.lastToMs,
      gapMs: Math.max(0, atMs - (d.lastActiveMs ?? start)),
      flowVph: {
        last: (d.lastCount * 3_600_000) / d.intervalMs,
        m1: flowOf(w1),
        m5: flowOf(w5),
        m15: flowOf(w15),
      },
      occupancy: { m1: occupancyOf(w1), m5: occupancyOf(w5), m15: occupancyOf(w15) },
      failed: failed.get(d.det.id)!,
    };
  }
  const movements: Record<string, MovementView> = {};
  for (const mv of s.movements.values())
    movements[mv.movement] = movementView(s, mv, detectors, atMs);
  const sig = s.signal;
  const phase0 = s.config.phases[0]!;
  return {
    atMs,
    config: s.config,
    signal: sig
      ? {
          phase: sig.phase,
          interval: sig.interval,
          sinceMs: sig.sinceMs,
          minEndMs: sig.minEndMs,
          maxEndMs: sig.maxEndMs,
        }
      : {
          phase: phase0.id,
          interval: 'green',
          sinceMs: start,
          minEndMs: start + phase0.minGreenS * 1000,
          maxEndMs: start + phase0.maxGreenS * 1000,
        },
    detectors,
    movements,
  };
}

function movementView(
  s: AggregationState,
  mv: MovementStateX,
  detectors: Record<string, DetectorView>,
  atMs: number,
): MovementView {
  const views = mv.detectors.map((d) => detectors[d.det.id]!);
  const working = views.filter((v) => !v.failed);
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
  const groupHealthy =
    g !== undefined && g.advance.length > 0 && g.stop.length > 0 && views.every((v) => !v.failed);
  if (groupHealthy) {
    // Remember the arrival rate only while advance and stop-bar counts agree (within 2×), so a
    // detector failing in a way not yet detected (stuck-off) cannot talk the rate down.
    let a = 0;
    let b = 0;
    for (const d of g!.advance) a += detectors[d.det.id]!.flowVph.m15;
    for (const d of g!.stop) b += detectors[d.det.id]!.flowVph.m15;
    if (a > 0 && b > 0 && Math.max(a, b) <= 2 * Math.min(a, b)) mv.lastGoodFlowVph = a;
  }
  const redSince = mv.lastGreenEndMs ?? s.startMs ?? atMs;
  let queueVeh: number;
  if (groupHealthy) queueVeh = g!.queue;
  else {
    // No trustworthy input-output count: arrivals at the last known rate during red, and a
    // cautious discharge after 2 s of startup during green (a time-based recall).
    const rate = Math.max(mv.lastGoodFlowVph ?? 0, s.opts.defaultFlowVphpl * mv.lanes);
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
    working.length < views.length || mv.lockedCall || queueVeh >= 0.5 || (mv.green && active);
  const completeness =
    views.length === 0
      ? 0
      : mv.detectors.reduce((a, d) => a + completenessOf(sumWindow(d.windows, atMs, 30)), 0) /
        views.length;
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
