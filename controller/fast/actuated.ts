/**
 * `actuated` on the aggregation state (controller/algorithms/actuated.ts is the reference):
 * the same rules in the same order, reading detector gaps and movement calls from the reader
 * instead of a view.
 */
import type { ActuatedOptions } from '../algorithms/actuated.ts';
import { createTarget, MAX_OUT_MARGIN_MS, nextInOrder } from '../algorithms/common.ts';
import type { FastDeciderFactory } from './decider.ts';
import { compilePhases, nextCalled } from './phases.ts';

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

    /** As `phaseExtends`: some movement of phase p still extends its green. */
    function extendsGreen(p: number): boolean {
      const failed = r.failed;
      for (const m of c.movements[p]!) {
        const all = c.detectorsOf[m]!;
        let working = 0;
        let stops = 0;
        for (const d of all) {
          if (failed[d]) continue;
          working++;
          if (stopBar[d]) stops++;
        }
        if (working < all.length && r.queueVeh(m) >= 0.5) return true;
        if (stops > 0) {
          for (const d of all) if (!failed[d] && stopBar[d] && r.gapMs(d) < passageMs) return true;
          continue;
        }
        for (const d of all) if (!failed[d] && r.gapMs(d) < advanceGapMs[d]!) return true;
      }
      return false;
    }

    return {
      decide(atMs) {
        const view = r.current;
        const pending = target.pending(view);
        if (pending !== undefined) return pending;
        const current = view.signal.phase;
        const p = c.indexOf.get(current);
        if (p === undefined) return config.phases[0]!.id;
        const phase = config.phases[p]!;
        const elapsed = view.signal.interval === 'green' ? atMs - view.signal.sinceMs : 0;
        if (elapsed < phase.minGreenS * 1000) return current;
        const maxedOut = elapsed + MAX_OUT_MARGIN_MS >= phase.maxGreenS * 1000;
        if (!maxedOut && extendsGreen(p)) return current;
        const next = nextCalled(c, current, call);
        if (next !== undefined) return target.set(next, atMs);
        if (maxedOut) return target.set(nextInOrder(config, current), atMs);
        return current;
      },
    };
  },
};
