/**
 * `sotl`: self-organizing traffic lights, the "platoon" variant of Cools, Gershenson &
 * D'Hooghe (2008), Self-organizing traffic lights: a realistic simulation, in Advances in
 * Applied Self-Organizing Systems, Springer. Rules, checked after min green:
 *   1. every tick, each red phase's counter κ grows by the vehicles waiting or approaching it;
 *   2. when some κ ≥ θ the green may move to the phase with the largest κ,
 *   3. unless a small platoon (1..μ vehicles) is about to cross the green (let it pass);
 *   4. if nothing approaches the green and something waits at red, change at once.
 * The phase that becomes green has its κ reset.
 *
 * Where it departs from the paper: vehicles "approaching within distance d" are the estimated
 * queue between the advance detector and the stop bar (aggregation.ts), a platoon "within r" is
 * the green movements' estimated queue plus a stop-bar actuation in the last 2 s, and rules 5-6
 * (spillback on the far side) are not used: an isolated controller cannot see past its exits.
 * The safety monitor's absolute max green forces a change at max green − 1 s. A movement with a
 * failed detector keeps its green until its time-based queue guess is served (common.ts).
 */
import type { IntersectionConfig } from '../../protocol/index.ts';
import type { Algorithm, AlgorithmFactory, AlgorithmOptions, ControllerView } from '../types.ts';
import {
  blindQueueUnserved,
  createTarget,
  greenElapsedMs,
  MAX_OUT_MARGIN_MS,
  nextInOrder,
  phaseOf,
} from './common.ts';

export interface SotlOptions extends AlgorithmOptions {
  /** θ: vehicle-seconds of red demand before the green may move (default 200) */
  thresholdVehS?: number;
  /** μ: largest platoon that may finish crossing first (default 3) */
  platoonVeh?: number;
}

function waiting(view: ControllerView, phaseId: string, exclude: Set<string>): number {
  let n = 0;
  for (const m of phaseOf(view.config, phaseId)?.movements ?? []) {
    if (exclude.has(m)) continue;
    const mv = view.movements[m];
    if (mv) n += Math.max(mv.queueVeh, mv.call ? 1 : 0);
  }
  return n;
}

export function createSotl(config: IntersectionConfig, options: SotlOptions = {}): Algorithm {
  const theta = options.thresholdVehS ?? 200;
  const mu = options.platoonVeh ?? 3;
  const kappa = new Map(config.phases.map((p) => [p.id, 0]));
  let lastMs: number | undefined;
  const target = createTarget();
  return {
    decide(view) {
      const dt = lastMs === undefined ? 0 : Math.max(0, Math.min(60_000, view.atMs - lastMs));
      lastMs = view.atMs;
      const current = view.signal.phase;
      const phase = phaseOf(config, current);
      const green = new Set(view.signal.interval === 'green' ? (phase?.movements ?? []) : []);
      // Rule 1: κ integrates the demand at red, per phase.
      for (const p of config.phases) {
        if (view.signal.interval === 'green' && p.id === current) kappa.set(p.id, 0);
        else kappa.set(p.id, kappa.get(p.id)! + (waiting(view, p.id, green) * dt) / 1000);
      }
      const pending = target.pending(view);
      if (pending !== undefined) return pending;
      if (!phase) return config.phases[0]!.id;
      const elapsed = greenElapsedMs(view);
      if (elapsed < phase.minGreenS * 1000) return current;
      // The waiting phase with the largest κ (ties: first in service order after the current).
      let best: string | undefined;
      let bestK = -1;
      const start = config.phases.findIndex((p) => p.id === current);
      for (let k = 1; k < config.phases.length; k++) {
        const id = config.phases[(start + k) % config.phases.length]!.id;
        if (waiting(view, id, green) > 0 && kappa.get(id)! > bestK) {
          bestK = kappa.get(id)!;
          best = id;
        }
      }
      if (elapsed + MAX_OUT_MARGIN_MS >= phase.maxGreenS * 1000)
        return target.set(best ?? nextInOrder(config, current), view.atMs);
      if (best === undefined) return current;
      if (blindQueueUnserved(view, phase)) return current; // a blind recall is served out
      // Vehicles about to cross the green: estimated queue, or a stop-bar actuation just now.
      let approaching = 0;
      for (const m of phase.movements) approaching += view.movements[m]?.queueVeh ?? 0;
      const recent = Object.values(view.detectors).some(
        (d) =>
          d.kind === 'stop-bar' &&
          !d.failed &&
          d.gapMs < 2000 &&
          d.movements.some((m) => green.has(m)),
      );
      if (approaching < 0.5 && !recent) return target.set(best, view.atMs); // rule 4
      if (bestK >= theta) {
        const platoon = Math.max(approaching, recent ? 1 : 0);
        if (platoon > 0 && platoon <= mu) return current; // rule 3
        return target.set(best, view.atMs); // rule 2
      }
      return current;
    },
  };
}

export const sotl: AlgorithmFactory = {
  name: 'sotl',
  summary:
    'self-organizing traffic lights (Cools, Gershenson & D\u2019Hooghe 2008, platoon variant): switch when red demand integrates past a threshold',
  create: (config, options) => createSotl(config, options),
};
