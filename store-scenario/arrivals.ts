/**
 * Arrivals behind a stop bar (pure). A stop-bar detector counts departures: under saturation
 * they stop at the discharge capacity (saturation flow × lanes × effective green / cycle) and
 * the vehicles beyond it wait in a queue the detector does not see. So:
 *
 * 1. a bin's flow is capped at the lane group's discharge capacity (more cannot cross the line:
 *    the excess is a counting error);
 * 2. a bin at 95 % of it or more is saturated; in a stretch of saturated bins the queue grows
 *    and then clears. By conservation of vehicles (input-output queue accounting), arrivals
 *    over the stretch = its departures + the queue left at its end, the queue at its start
 *    being zero (the bin before was under capacity). The queue left at its end is what the
 *    next bin discharged beyond its own arrivals, taken as those of the bin after it (demand
 *    changes slowly): Q = max(0, D[next] − D[next + 1]). The arrivals are spread evenly over the
 *    stretch (their shape inside it cannot be seen) and the next bin keeps D[next] − Q.
 * A stretch that reaches the end of the day keeps its departures: a lower bound, reported.
 */
import type { IntersectionConfig, LaneGroup } from '../protocol/index.ts';

/** A stretch of bins at discharge, and what was estimated behind it. */
export interface SaturatedStretch {
  /** first and last saturated bin (inclusive) */
  fromBin: number;
  toBin: number;
  dischargeVph: number;
  /** vehicles counted over the stretch */
  countedVeh: number;
  /** vehicles estimated to have arrived over the stretch */
  arrivalsVeh: number;
  /** true when the stretch reaches the end of the data: arrivals are a lower bound */
  lowerBound: boolean;
}

export const SATURATED_SHARE = 0.95;

/**
 * Effective green over cycle of a lane group under the config's fixed plan: the phases serving
 * any of its movements, each green + yellow − lost time; undefined without a plan.
 */
export function greenRatio(
  config: IntersectionConfig,
  group: Pick<LaneGroup, 'movements'>,
  lostTimeS: number,
): number | undefined {
  const plan = config.plan;
  if (!plan) return undefined;
  let g = 0;
  for (const p of config.phases) {
    if (!p.movements.some((m) => group.movements.includes(m))) continue;
    g += Math.max(0, (plan.greenS[p.id] ?? 0) + config.yellowS - lostTimeS);
  }
  return Math.min(1, g / plan.cycleS);
}

/**
 * Arrivals per bin (veh/h) from a lane group's stop-bar departures per bin (veh/h), and the
 * saturated stretches found.
 * @example arrivalsBehindStopBar([900, 900, 500, 400], 900, 900_000) // the stretch 0–1 gets 50 veh more
 */
export function arrivalsBehindStopBar(
  departuresVph: Float64Array,
  dischargeVph: number,
  binMs: number,
): { arrivalsVph: Float64Array; stretches: SaturatedStretch[] } {
  const h = binMs / 3_600_000;
  const n = departuresVph.length;
  const d = Float64Array.from(departuresVph, (v) => Math.min(v, dischargeVph));
  const a = Float64Array.from(d);
  const stretches: SaturatedStretch[] = [];
  const saturated = (k: number) => d[k]! >= SATURATED_SHARE * dischargeVph;
  for (let k = 0; k < n; k++) {
    if (!saturated(k)) continue;
    let m = k;
    while (m + 1 < n && saturated(m + 1)) m++;
    let counted = 0;
    for (let j = k; j <= m; j++) counted += d[j]! * h;
    const next = m + 1;
    const lowerBound = next >= n;
    const queueVeh = lowerBound ? 0 : Math.max(0, (d[next]! - (d[next + 1] ?? d[next]!)) * h);
    const arrivals = counted + queueVeh;
    for (let j = k; j <= m; j++) a[j] = arrivals / h / (m - k + 1);
    if (!lowerBound) a[next] = d[next]! - queueVeh / h;
    stretches.push({
      fromBin: k,
      toBin: m,
      dischargeVph,
      countedVeh: Math.round(counted),
      arrivalsVeh: Math.round(arrivals),
      lowerBound,
    });
    k = m;
  }
  return { arrivalsVph: a, stretches };
}
