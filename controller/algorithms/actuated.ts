/**
 * `actuated`: NEMA TS2-style full actuation (NEMA TS 2-2003 §3.5; FHWA Traffic Signal Timing
 * Manual, 2nd ed., 2015, ch. 5): minimum green, passage time (extension) with gap-out, max-out,
 * phases with no call skipped, rest in green when nothing else calls, locking calls from
 * detectors, and a failed detector placing its movement on recall.
 *
 * Where it departs from a field controller:
 * - Phases are the config's stages in service order, not two rings with barriers; the next
 *   stage is the first one in order with a call, replaced by a later stage that serves a strict
 *   superset of those calls (common.ts), which reproduces the dual-ring concurrent pairs.
 * - Gaps come from counts intervals (or raw actuations when the sensor sends them), so the
 *   passage timer has the resolution of the counts interval (1 s in lockstep).
 * - The safety monitor's max green is absolute (it runs even with no conflicting call), so the
 *   algorithm changes at max green − 1 s to the next calling phase, or the next in order.
 * - Stop-bar detectors time the gap; when they have failed the advance detectors do, with the
 *   travel time from the advance detector added to the passage time; when all of a movement's
 *   detectors have failed it is on recall and its green is held while a time-based queue guess
 *   (last known arrival rate × red time, discharged at saturation flow) is not yet served —
 *   between NEMA's min recall and max recall.
 * - No gap reduction (volume-density) or dual entry.
 */
import type { IntersectionConfig, Phase } from '../../protocol/index.ts';
import type { Algorithm, AlgorithmFactory, AlgorithmOptions, ControllerView } from '../types.ts';
import {
  createTarget,
  greenElapsedMs,
  MAX_OUT_MARGIN_MS,
  nextCalledPhase,
  nextInOrder,
  phaseOf,
} from './common.ts';

export interface ActuatedOptions extends AlgorithmOptions {
  /** passage time (vehicle extension) at the stop bar, seconds (default 2) */
  passageS?: number;
  /** approach speed used for the advance detectors' travel time, km/h (default 50) */
  approachSpeedKmh?: number;
}

/** True while some movement of the phase still extends its green. */
export function phaseExtends(
  view: ControllerView,
  phase: Phase,
  passageMs: number,
  speedMps: number,
): boolean {
  for (const m of phase.movements) {
    const all = Object.values(view.detectors).filter((d) => d.movements.includes(m));
    const dets = all.filter((d) => !d.failed);
    // [NEMA: detector failure → recall] with a failed detector, also hold the green while the
    // time-based queue guess (aggregation.ts) says vehicles are still discharging.
    if (dets.length < all.length && (view.movements[m]?.queueVeh ?? 0) >= 0.5) return true;
    const stop = dets.filter((d) => d.kind === 'stop-bar');
    if (stop.length > 0) {
      if (stop.some((d) => d.gapMs < passageMs)) return true; // presence keeps gapMs at 0
      continue;
    }
    if (dets.length > 0) {
      for (const d of dets) {
        const distM = view.config.detectors?.find((x) => x.id === d.id)?.distanceM ?? 60;
        if (d.gapMs < passageMs + (distM / speedMps) * 1000) return true;
      }
    }
  }
  return false;
}

export function createActuated(
  config: IntersectionConfig,
  options: ActuatedOptions = {},
): Algorithm {
  const passageMs = (options.passageS ?? 2) * 1000;
  const speedMps = (options.approachSpeedKmh ?? 50) / 3.6;
  const target = createTarget();
  return {
    decide(view) {
      const pending = target.pending(view);
      if (pending !== undefined) return pending;
      const current = view.signal.phase;
      const phase = phaseOf(config, current);
      if (!phase) return config.phases[0]!.id;
      const elapsed = greenElapsedMs(view);
      if (elapsed < phase.minGreenS * 1000) return current; // [NEMA: minimum green]
      const maxedOut = elapsed + MAX_OUT_MARGIN_MS >= phase.maxGreenS * 1000;
      if (!maxedOut && phaseExtends(view, phase, passageMs, speedMps)) return current;
      // Gap-out or max-out: serve the next phase with a call; rest in green if none.
      const next = nextCalledPhase(view);
      if (next !== undefined) return target.set(next, view.atMs);
      if (maxedOut) return target.set(nextInOrder(config, current), view.atMs);
      return current;
    },
  };
}

export const actuated: AlgorithmFactory = {
  name: 'actuated',
  summary:
    'NEMA-style full actuation: min green, passage time gap-out, max-out, skip phases with no call, recall on failed detectors',
  create: (config, options) => createActuated(config, options),
};
