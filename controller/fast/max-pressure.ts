/**
 * `max-pressure` on the aggregation state (controller/algorithms/max-pressure.ts is the
 * reference): the same pressures, summed in the same order, and the same rules.
 */
import { laneGroups } from '../../protocol/index.ts';
import { createTarget, MAX_OUT_MARGIN_MS, nextInOrder } from '../algorithms/common.ts';
import type { MaxPressureOptions } from '../algorithms/max-pressure.ts';
import type { FastDeciderFactory } from './decider.ts';
import { blindQueue, commonRules, compilePhases, type Ongoing } from './phases.ts';

interface GroupTerm {
  /** capacity of the lane group, veh/s */
  capacity: number;
  /** all its movements (positions; -1: not served, queue 0) */
  movements: Int32Array;
  /** its movements this phase serves, by name (downstream queues are keyed by name) */
  served: string[];
}

export const fastMaxPressure: FastDeciderFactory = {
  name: 'max-pressure',
  create(r, options: MaxPressureOptions = {}) {
    const config = r.config;
    const sat = options.saturationFlowVphpl ?? 1800;
    const margin = (options.hysteresisVeh ?? 2) * (sat / 3600);
    const maxRedMs = (options.maxRedS ?? 120) * 1000;
    const c = compilePhases(r.state);
    const groups = laneGroups(config);
    // per phase, the lane groups it serves, in laneGroups order (the reference's sum order)
    const terms: GroupTerm[][] = config.phases.map((phase) =>
      groups
        .map((g) => ({
          capacity: (sat * g.lanes) / 3600,
          movements: Int32Array.from(g.movements, (m) => r.movementIndex.get(m) ?? -1),
          served: g.movements.filter((m) => phase.movements.includes(m)),
        }))
        .filter((t) => t.served.length > 0),
    );
    const n = config.phases.length;
    const pressure = new Float64Array(n);
    const starved = new Uint8Array(n);
    const call = (m: number) => r.call(m);
    const queueVeh = (m: number) => r.queueVeh(m);
    const target = createTarget();
    const on: Ongoing = { cp: 0, elapsedMs: 0 };

    /** As `phasePressures`, into `pressure` (by phase position). */
    function pressures(): void {
      const down = r.downstream;
      for (let p = 0; p < n; p++) {
        let sum = 0;
        for (const t of terms[p]!) {
          let up = 0;
          for (const m of t.movements) up = Math.max(up, m < 0 ? 0 : r.queueVeh(m));
          let d = 0;
          for (const m of t.served) d += down?.[m] ?? 0;
          d /= t.served.length;
          sum += t.capacity * (up - d);
        }
        pressure[p] = sum;
      }
    }

    /** As `starvedPhases`: 1 for a phase serving a calling movement red at least maxRedMs. */
    function findStarved(): number {
      let count = 0;
      for (let p = 0; p < n; p++) {
        starved[p] = 0;
        for (const m of c.movements[p]!) {
          // red long enough first: the red time is two fields, a call a computation
          if (r.redMs(m) >= maxRedMs && r.call(m)) {
            starved[p] = 1;
            count++;
            break;
          }
        }
      }
      return count;
    }

    return {
      decide(atMs) {
        const early = commonRules(r, c, target, atMs, on);
        if (early !== undefined) return early;
        const cp = on.cp;
        const phase = config.phases[cp]!;
        const current = phase.id;
        pressures();
        const nStarved = findStarved();
        // The best other phase; ties go to the one first in service order after the current.
        let best = -1;
        let bestP = Number.NEGATIVE_INFINITY;
        const start = cp; // the first phase with the current id (phase ids are unique)
        for (let k = 1; k < n; k++) {
          const q = (start + k) % n;
          const pv = pressure[q]!; // phase ids are unique (checkIntersection)
          if (nStarved > 0 && !starved[q]) continue;
          if (pv > bestP) {
            bestP = pv;
            best = q;
          }
        }
        const maxedOut = on.elapsedMs + MAX_OUT_MARGIN_MS >= phase.maxGreenS * 1000;
        if (best < 0) return current;
        const bestId = config.phases[best]!.id;
        if (maxedOut) return target.set(bestP > 0 ? bestId : nextInOrder(config, current), atMs);
        if (blindQueue(c, cp, r.movementFailed, call, queueVeh) && nStarved === 0) return current;
        const currentP = pressure[cp]!;
        const idle = currentP <= 0 && bestP > 0;
        if (nStarved > 0) return target.set(bestId, atMs);
        if (idle || bestP > currentP + margin) return target.set(bestId, atMs);
        return current;
      },
    };
  },
};
