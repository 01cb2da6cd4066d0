/**
 * `actuated` on the aggregation state (controller/algorithms/actuated.ts is the reference):
 * the same rules in the same order, reading detector gaps and movement calls from the reader
 * instead of a view.
 */
import type { ActuatedOptions } from '../algorithms/actuated.ts';
import { createTarget, MAX_OUT_MARGIN_MS, nextInOrder } from '../algorithms/common.ts';
import type { FastDeciderFactory } from './decider.ts';
import { commonRules, compilePhases, nextCalled, type Ongoing } from './phases.ts';

export const fastActuated: FastDeciderFactory = {
  name: 'actuated',
  create(r, options: ActuatedOptions = {}) {
    const config = r.config;
    const passageMs = (options.passageS ?? 2) * 1000;
    const speedMps = (options.approachSpeedKmh ?? 50) / 3.6;
    const c = compilePhases(r.state);
    const dets = r.state.detectorList;
    const stopBar = Uint8Array.from(dets, (d) => (d.det.kind === 'stop-bar' ? 1 : 0));
    // the gap that still extends from an advance detector: passage + travel to the stop bar
    const advanceGapMs = Float64Array.from(dets, (d) => {
      const distM = config.detectors?.find((x) => x.id === d.det.id)?.distanceM ?? 60;
      return passageMs + (distM / speedMps) * 1000;
    });
    const call = (m: number) => r.call(m);
    const target = createTarget();
    const on: Ongoing = { cp: 0, elapsedMs: 0 };

    const at = r.movementDetectorsAt;
    const all = r.movementDetectors;

    /** As `phaseExtends`: some movement of phase p still extends its green. */
    function extendsGreen(p: number): boolean {
      const failed = r.failed;
      for (const m of c.movements[p]!) {
        // m's detectors: all[at[m] … at[m + 1])
        if (r.movementFailed[m] && r.queueVeh(m) >= 0.5) return true;
        let stops = 0;
        for (let j = at[m]!; j < at[m + 1]!; j++) if (!failed[all[j]!] && stopBar[all[j]!]) stops++;
        if (stops > 0) {
          for (let j = at[m]!; j < at[m + 1]!; j++) {
            const d = all[j]!;
            if (!failed[d] && stopBar[d] && r.gapMs(d) < passageMs) return true;
          }
          continue;
        }
        for (let j = at[m]!; j < at[m + 1]!; j++) {
          const d = all[j]!;
          if (!failed[d] && r.gapMs(d) < advanceGapMs[d]!) return true;
        }
      }
      return false;
    }

    return {
      decide(atMs) {
        const early = commonRules(r, c, target, atMs, on);
        if (early !== undefined) return early;
        const p = on.cp;
        const current = config.phases[p]!.id;
        const maxedOut = on.elapsedMs + MAX_OUT_MARGIN_MS >= config.phases[p]!.maxGreenS * 1000;
        if (!maxedOut && extendsGreen(p)) return current;
        const next = nextCalled(c, current, call);
        if (next !== undefined) return target.set(next, atMs);
        if (maxedOut) return target.set(nextInOrder(config, current), atMs);
        return current;
      },
    };
  },
};
