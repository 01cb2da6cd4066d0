/**
 * Per-movement demand profiles from stored detector bins (pure): coverage-corrected and filled
 * flows per detector (./coverage.ts), arrivals behind saturated stop bars (./arrivals.ts), then
 * per movement, averaged over the chosen days.
 *
 * Which detectors count a movement: its advance detectors when it has any with data (they see
 * arrivals), else its stop-bar detectors (they see departures). A detector over several
 * movements (one lane group) is split by turning shares (default 15 % left, 70 % through,
 * 15 % right, renormalised over the movements it covers), reported as an assumption.
 */
import type { DetectorBin } from '../collector/history.ts';
import {
  type Detector,
  detectorsOf,
  type IntersectionConfig,
  laneGroups,
  parseMovement,
  servedMovements,
} from '../protocol/index.ts';
import { arrivalsBehindStopBar, greenRatio } from './arrivals.ts';
import { detectorKey, filledDay, foldDays, type Gap } from './coverage.ts';
import { clockOf, type Day } from './zone.ts';

export interface TurningShares {
  left: number;
  through: number;
  right: number;
}
export const DEFAULT_TURNING: TurningShares = { left: 0.15, through: 0.7, right: 0.15 };

export interface DemandOptions {
  /** the days to build from; the profile is their mean */
  days: readonly Day[];
  /** days whose same bins may fill a chosen day's gaps (the chosen days may be among them) */
  pool: readonly Day[];
  binMs: number;
  /** a bin covered less than this share is missing (default 0.5) */
  minCoverage?: number;
  /** veh/h/lane (default 1800) */
  saturationFlowVphpl?: number;
  /** lost time per phase, s (default 3: 2 s start-up + 1 s of yellow unused) */
  lostTimeS?: number;
  turning?: TurningShares;
}

/** A saturated stop-bar stretch, in words a report can show. */
export interface Saturation {
  intersection: string;
  laneGroup: string;
  date: string;
  from: string;
  to: string;
  dischargeVph: number;
  countedVeh: number;
  arrivalsVeh: number;
  lowerBound: boolean;
}

export interface MovementDemand {
  intersection: string;
  movement: string;
  /** veh/h per bin, mean over the chosen days */
  flowVph: number[];
  source: 'advance' | 'stop-bar';
  /** detectors that counted it */
  detectors: string[];
  /** true when a detector covering several movements was split by turning shares */
  split: boolean;
}

export interface DemandResult {
  movements: MovementDemand[];
  /** share of the used detectors' time on the chosen days covered by stored counts, 0..1 */
  coverage: number;
  gaps: Gap[];
  saturated: Saturation[];
  /** plain-words notes: movements without data, assumptions */
  notes: string[];
}

function shareOf(d: Detector, movement: string, t: TurningShares): number {
  if (d.movements.length === 1) return 1;
  const w = (m: string) => t[parseMovement(m)?.turn ?? 'through'];
  const total = d.movements.reduce((s, m) => s + w(m), 0);
  return total > 0 ? w(movement) / total : 1 / d.movements.length;
}

/**
 * Demand per movement of `configs` from `bins`.
 * @example movementDemand(configs, bins, { days: [dayOf('2026-03-02')], pool, binMs: 900_000 })
 */
export function movementDemand(
  configs: readonly IntersectionConfig[],
  bins: readonly DetectorBin[],
  o: DemandOptions,
): DemandResult {
  const minCoverage = o.minCoverage ?? 0.5;
  const turning = o.turning ?? DEFAULT_TURNING;
  const sat = o.saturationFlowVphpl ?? 1800;
  const lost = o.lostTimeS ?? 3;
  const folded = foldDays(bins, o.pool, o.binMs, minCoverage);
  const chosen = o.days.map((day) => o.pool.findIndex((p) => p.date === day.date));
  if (chosen.some((i) => i < 0)) throw new Error('every chosen day must be in the pool');
  const nBins = Math.round(o.days[0]!.clockMs / o.binMs);
  const movements: MovementDemand[] = [];
  const gaps: Gap[] = [];
  const saturated: Saturation[] = [];
  const notes: string[] = [];
  let coveredSum = 0;
  let coveredOf = 0;

  for (const config of configs) {
    const dets = detectorsOf(config);
    const hasData = (d: Detector) => folded.has(detectorKey(config.id, d.id));
    // Filled flows per used detector and chosen day (stop-bar ones later turned into arrivals).
    const flows = new Map<string, (Float64Array | undefined)[]>();
    const use = (d: Detector) => {
      if (flows.has(d.id)) return;
      const dd = folded.get(detectorKey(config.id, d.id))!;
      flows.set(
        d.id,
        chosen.map((i) => {
          for (const c of dd.coverage[i]!) {
            coveredSum += c;
            coveredOf++;
          }
          const f = filledDay(dd, i, o.pool, o.binMs, {
            intersection: config.id,
            detector: d.id,
          });
          if (f) gaps.push(...f.gaps);
          else
            notes.push(
              `${config.id}/${d.id}: no counts on ${o.pool[i]!.date} nor on any other day read`,
            );
          return f?.flowVph;
        }),
      );
    };
    const plan: { movement: string; source: 'advance' | 'stop-bar'; from: Detector[] }[] = [];
    for (const m of servedMovements(config)) {
      const covering = dets.filter((d) => d.movements.includes(m) && hasData(d));
      const advance = covering.filter((d) => d.kind === 'advance');
      const from = advance.length > 0 ? advance : covering;
      if (from.length === 0) {
        notes.push(`${config.id} ${m}: no detector with stored counts: no demand`);
        continue;
      }
      for (const d of from) use(d);
      plan.push({ movement: m, source: advance.length > 0 ? 'advance' : 'stop-bar', from });
    }
    // Stop bars: per lane group and chosen day, departures → arrivals; detectors scaled alike.
    const stopBars = new Set(
      plan.filter((p) => p.source === 'stop-bar').flatMap((p) => p.from.map((d) => d.id)),
    );
    for (const g of laneGroups(config)) {
      const mine = dets.filter(
        (d) => stopBars.has(d.id) && d.movements.some((m) => g.movements.includes(m)),
      );
      if (mine.length === 0) continue;
      const ratio = greenRatio(config, g, lost);
      if (ratio === undefined) {
        notes.push(
          `${config.id} ${g.id}: no fixed plan in the config: stop-bar counts taken as arrivals, not capped at discharge`,
        );
        continue;
      }
      const dischargeVph = sat * g.lanes * ratio;
      chosen.forEach((_, c) => {
        const total = new Float64Array(nBins);
        for (const d of mine) {
          const f = flows.get(d.id)![c];
          if (f) for (let k = 0; k < nBins; k++) total[k]! += f[k]!;
        }
        const { arrivalsVph, stretches } = arrivalsBehindStopBar(total, dischargeVph, o.binMs);
        for (const d of mine) {
          const f = flows.get(d.id)![c];
          if (!f) continue;
          for (let k = 0; k < nBins; k++)
            f[k] = total[k]! > 0 ? (f[k]! * arrivalsVph[k]!) / total[k]! : 0;
        }
        for (const s of stretches)
          saturated.push({
            intersection: config.id,
            laneGroup: g.id,
            date: o.days[c]!.date,
            from: clockOf(o.days[c]!.offsetMs + s.fromBin * o.binMs),
            to: clockOf(o.days[c]!.offsetMs + (s.toBin + 1) * o.binMs),
            dischargeVph: Math.round(s.dischargeVph),
            countedVeh: s.countedVeh,
            arrivalsVeh: s.arrivalsVeh,
            lowerBound: s.lowerBound,
          });
      });
    }
    for (const p of plan) {
      const mean = new Array<number>(nBins).fill(0);
      let days = 0;
      chosen.forEach((_, c) => {
        const parts = p.from.map((d) => ({
          f: flows.get(d.id)![c],
          share: shareOf(d, p.movement, turning),
        }));
        if (parts.every((x) => !x.f)) return;
        days++;
        for (const { f, share } of parts)
          if (f) for (let k = 0; k < nBins; k++) mean[k]! += f[k]! * share;
      });
      if (days === 0) continue;
      movements.push({
        intersection: config.id,
        movement: p.movement,
        flowVph: mean.map((v) => Math.round((v / days) * 10) / 10),
        source: p.source,
        detectors: p.from.map((d) => d.id),
        split: p.from.some((d) => d.movements.length > 1),
      });
    }
  }
  if (movements.some((m) => m.split))
    notes.push(
      `detectors over several movements split by turning shares left ${turning.left}, through ${turning.through}, right ${turning.right}`,
    );
  return {
    movements,
    coverage: coveredOf > 0 ? Math.round((coveredSum / coveredOf) * 10_000) / 10_000 : 0,
    gaps,
    saturated,
    notes,
  };
}
