/**
 * `max-pressure`: Varaiya, P. (2013). Max pressure control of a network of signalized
 * intersections. Transportation Research Part C 36, 177–195. At each decision the phase with
 * the largest pressure Σ_{movements} c_l · (x_l − x_downstream) is served, with c_l the
 * saturation flow (capacity) of the lane group and x the queue.
 *
 * Where it departs from the paper:
 * - Queues are estimates from detectors (advance minus stop-bar counts, aggregation.ts), not
 *   true queues; downstream queues come from `view.downstreamQueueVeh` when the runner knows the
 *   network, else 0 (an isolated intersection: the pressure is the capacity-weighted queue).
 * - A lane group shared by several movements counts once per phase (its queue cannot be split
 *   by turn without turn counts).
 * - Decisions are not in fixed slots: a green is held at least its min green, then changes only
 *   when another phase's pressure exceeds the current one's by `hysteresisVeh` lane-vehicles
 *   (the lost time of a change has a cost the paper's slotted model ignores), and at max green
 *   − 1 s it changes to the highest-pressure other phase (the monitor's max green is absolute).
 * - Fairness guard (not in the paper, whose max pressure is throughput-optimal but may leave a
 *   light movement red for minutes): a calling movement red for `maxRedS` restricts the choice
 *   to the phases that serve it.
 * - A movement whose detectors have failed gets a queue that grows with its red time at its
 *   last known arrival rate (aggregation.ts), which puts it on a recall that keeps cycling; its
 *   green is held until that guessed queue is served (a guess has no feedback to show it is
 *   falling behind, so switching early would starve it).
 */
import { type IntersectionConfig, laneGroups } from '../../protocol/index.ts';
import type { Algorithm, AlgorithmFactory, AlgorithmOptions, ControllerView } from '../types.ts';
import {
  blindQueueUnserved,
  createTarget,
  greenElapsedMs,
  MAX_OUT_MARGIN_MS,
  nextInOrder,
  phaseOf,
} from './common.ts';

export interface MaxPressureOptions extends AlgorithmOptions {
  /** pressure margin, in vehicles on one lane, before the green moves (default 2) */
  hysteresisVeh?: number;
  /** a calling movement red this long is served next whatever the pressures (default 120) */
  maxRedS?: number;
}

/** Pressure of every phase, veh²/s (capacity veh/s × queue difference veh). */
export function phasePressures(
  view: ControllerView,
  saturationFlowVphpl = 1800,
): Map<string, number> {
  const groups = laneGroups(view.config);
  const out = new Map<string, number>();
  for (const phase of view.config.phases) {
    let p = 0;
    for (const g of groups) {
      const served = g.movements.filter((m) => phase.movements.includes(m));
      if (served.length === 0) continue;
      let up = 0;
      for (const m of g.movements) up = Math.max(up, view.movements[m]?.queueVeh ?? 0);
      let down = 0;
      for (const m of served) down += view.downstreamQueueVeh?.[m] ?? 0;
      down /= served.length;
      p += ((saturationFlowVphpl * g.lanes) / 3600) * (up - down);
    }
    out.set(phase.id, p);
  }
  return out;
}

/** Phases serving a calling movement that has been red at least `maxRedMs`. */
function starvedPhases(view: ControllerView, maxRedMs: number): Set<string> {
  const out = new Set<string>();
  for (const phase of view.config.phases) {
    for (const m of phase.movements) {
      const mv = view.movements[m];
      if (mv?.call && (mv.redMs ?? 0) >= maxRedMs) out.add(phase.id);
    }
  }
  return out;
}

export function createMaxPressure(
  config: IntersectionConfig,
  options: MaxPressureOptions = {},
): Algorithm {
  const sat = options.saturationFlowVphpl ?? 1800;
  const margin = (options.hysteresisVeh ?? 2) * (sat / 3600);
  const maxRedMs = (options.maxRedS ?? 120) * 1000;
  const target = createTarget();
  return {
    decide(view) {
      const pending = target.pending(view);
      if (pending !== undefined) return pending;
      const current = view.signal.phase;
      const phase = phaseOf(config, current);
      if (!phase) return config.phases[0]!.id;
      const elapsed = greenElapsedMs(view);
      if (elapsed < phase.minGreenS * 1000) return current; // held at least min green
      const pressures = phasePressures(view, sat);
      const starved = starvedPhases(view, maxRedMs);
      // The best other phase; ties go to the one first in service order after the current.
      let best: string | undefined;
      let bestP = Number.NEGATIVE_INFINITY;
      const start = config.phases.findIndex((p) => p.id === current);
      for (let k = 1; k < config.phases.length; k++) {
        const id = config.phases[(start + k) % config.phases.length]!.id;
        const p = pressures.get(id)!;
        if (starved.size > 0 && !starved.has(id)) continue;
        if (p > bestP) {
          bestP = p;
          best = id;
        }
      }
      const maxedOut = elapsed + MAX_OUT_MARGIN_MS >= phase.maxGreenS * 1000;
      if (best === undefined) return current; // a single-phase intersection
      if (maxedOut) return target.set(bestP > 0 ? best : nextInOrder(config, current), view.atMs);
      // A blind movement (failed detector) has no feedback to show it is behind: serve its
      // guessed queue out before moving, as actuated's recall does.
      const blindQueue = blindQueueUnserved(view, phase);
      if (blindQueue && !maxedOut && starved.size === 0) return current;
      const currentP = pressures.get(current)!;
      // An empty green has nothing to lose by moving: no margin then.
      const idle = currentP <= 0 && bestP > 0;
      if (starved.size > 0 && best !== undefined) return target.set(best, view.atMs);
      if (idle || bestP > currentP + margin) return target.set(best, view.atMs);
      return current;
    },
  };
}

export const maxPressure: AlgorithmFactory = {
  name: 'max-pressure',
  summary:
    'Varaiya 2013 max pressure: serve the phase with the largest capacity-weighted upstream-minus-downstream queue, held at least min green',
  create: (config, options) => createMaxPressure(config, options),
};
