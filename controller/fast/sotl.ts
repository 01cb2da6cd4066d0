/**
 * `sotl` on the aggregation state (controller/algorithms/sotl.ts is the reference): the same
 * κ counters, integrated in the same order, and the same rules.
 */
import { createTarget, MAX_OUT_MARGIN_MS, nextInOrder } from '../algorithms/common.ts';
import type { SotlOptions } from '../algorithms/sotl.ts';
import type { FastDeciderFactory } from './decider.ts';
import { blindQueue, commonRules, compilePhases, type Ongoing, phaseIndex } from './phases.ts';

export const fastSotl: FastDeciderFactory = {
  name: 'sotl',
  create(r, options: SotlOptions = {}) {
    const config = r.config;
    const theta = options.thresholdVehS ?? 200;
    const mu = options.platoonVeh ?? 3;
    const c = compilePhases(r.state);
    const n = config.phases.length;
    const kappa = new Float64Array(n); // by phase position (phase ids are unique)
    const wait = new Float64Array(n);
    const dets = r.state.detectorList;
    const stopBar = Uint8Array.from(dets, (d) => (d.det.kind === 'stop-bar' ? 1 : 0));
    // detector d's movements (positions): detMovements[detMovementsAt[d] … [d + 1]), one array
    const detMovementsAt = new Int32Array(dets.length + 1);
    dets.forEach((d, i) => {
      detMovementsAt[i + 1] = detMovementsAt[i]! + d.movements.length;
    });
    const detMovements = Int32Array.from(
      dets.flatMap((d) => d.movements.map((mv) => r.movementIndex.get(mv.movement)!)),
    );
    const noGreen = new Uint8Array(r.state.movementList.length);
    let lastMs: number | undefined;
    const call = (m: number) => r.call(m);
    const queueVeh = (m: number) => r.queueVeh(m);
    const target = createTarget();
    const on: Ongoing = { cp: 0, elapsedMs: 0 };

    /** As `waiting`: the demand of phase p's movements that are not green. */
    function waiting(p: number, green: Uint8Array): number {
      let w = 0;
      for (const m of c.movements[p]!) {
        if (green[m]) continue;
        // a queue of a vehicle or more is the demand whether it calls or not
        const q = r.queueVeh(m);
        w += q >= 1 ? q : Math.max(q, r.call(m) ? 1 : 0);
      }
      return w;
    }

    return {
      decide(atMs) {
        const view = r.current;
        const dt = lastMs === undefined ? 0 : Math.max(0, Math.min(60_000, atMs - lastMs));
        lastMs = atMs;
        const current = view.signal.phase;
        const cur = phaseIndex(c, current);
        const green =
          view.signal.interval === 'green' && cur !== undefined ? c.serves[cur]! : noGreen;
        // Rule 1: κ integrates the demand at red, per phase.
        for (let p = 0; p < n; p++) {
          wait[p] = waiting(p, green);
          if (view.signal.interval === 'green' && p === cur) kappa[p] = 0;
          else kappa[p] = kappa[p]! + (wait[p]! * dt) / 1000;
        }
        // then the rules of every twin (a change under way, an unknown phase, min green)
        const early = commonRules(r, c, target, atMs, on);
        if (early !== undefined) return early;
        const cp = on.cp;
        const phase = config.phases[cp]!;
        const elapsed = on.elapsedMs;
        // The waiting phase with the largest κ (ties: first in service order after the current).
        let best = -1;
        let bestK = -1;
        const start = cp; // the first phase with the current id (commonRules found it)
        for (let k = 1; k < n; k++) {
          const q = (start + k) % n;
          if (wait[q]! > 0 && kappa[q]! > bestK) {
            bestK = kappa[q]!;
            best = q;
          }
        }
        const bestId = best < 0 ? undefined : config.phases[best]!.id;
        if (elapsed + MAX_OUT_MARGIN_MS >= phase.maxGreenS * 1000)
          return target.set(bestId ?? nextInOrder(config, current), atMs);
        if (bestId === undefined) return current;
        if (blindQueue(c, cp, r.movementFailed, call, queueVeh)) return current;
        // Vehicles about to cross the green: estimated queue, or a stop-bar actuation just now.
        let approaching = 0;
        for (const m of c.movements[cp]!) approaching += r.queueVeh(m);
        let recent = false;
        for (let d = 0; d < dets.length && !recent; d++) {
          if (!stopBar[d] || r.failed[d] || !(r.gapMs(d) < 2000)) continue;
          for (let j = detMovementsAt[d]!; j < detMovementsAt[d + 1]!; j++)
            if (green[detMovements[j]!]) recent = true;
        }
        if (approaching < 0.5 && !recent) return target.set(bestId, atMs); // rule 4
        if (bestK >= theta) {
          const platoon = Math.max(approaching, recent ? 1 : 0);
          if (platoon > 0 && platoon <= mu) return current; // rule 3
          return target.set(bestId, atMs); // rule 2
        }
        return current;
      },
    };
  },
};
