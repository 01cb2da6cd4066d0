/**
 * The scenario file built from stored data (pure): the intersections as configured, one demand
 * profile per movement (a step per bin), and `origin` saying where it came from.
 *
 * The stored data does not say how intersections are connected, so each intersection's measured
 * arrivals are its external demand and the scenario has no links: movements keep their volumes
 * per bin, but arrivals are random within a bin (no platoons from an upstream signal).
 */
import {
  formatProblems,
  type IntersectionConfig,
  type Scenario,
  type ScenarioOrigin,
  validateScenario,
} from '../protocol/index.ts';
import type { DemandResult } from './demand.ts';
import { clockOf, type Day } from './zone.ts';

/** Demand profile points per movement the scenario schema allows. */
const MAX_POINTS = 1000;
/** Origin lists kept in the file (the command prints all of them). */
const MAX_LISTED = 500;

export interface BuildOptions {
  name: string;
  /** the store, as one line without credentials */
  store: string;
  days: readonly Day[];
  binMs: number;
  saturationFlowVphpl?: number;
}

/** A step profile [[tS, vph], …]: each bin's flow held over the bin (1 s ramps between). */
export function stepProfile(flowVph: readonly number[], binS: number): number | [number, number][] {
  if (flowVph.every((f) => f === flowVph[0])) return flowVph[0] ?? 0;
  const out: [number, number][] = [];
  flowVph.forEach((f, k) => {
    if (k > 0 && f === flowVph[k - 1]) {
      out[out.length - 1]![0] = (k + 1) * binS - 1;
      return;
    }
    out.push([k * binS, f], [(k + 1) * binS - 1, f]);
  });
  if (out.length > MAX_POINTS)
    throw new Error(
      `a profile of ${out.length} points is more than a scenario holds (${MAX_POINTS}): use longer bins (--bin)`,
    );
  return out;
}

/**
 * @example scenarioFrom(configs, demand, { name: 'our-streets', store: 'influx-v1 …', days, binMs: 900_000 })
 */
export function scenarioFrom(
  configs: readonly IntersectionConfig[],
  demand: DemandResult,
  o: BuildOptions,
): Scenario {
  const binS = o.binMs / 1000;
  const origin: ScenarioOrigin = {
    source: 'store',
    store: o.store,
    intersections: configs.map((c) => c.id),
    days: o.days.map((d) => d.date),
    timeZone: o.days[0]!.timeZone,
    binS,
    hours: `${clockOf(o.days[0]!.offsetMs)}-${clockOf(o.days[0]!.offsetMs + o.days[0]!.clockMs)}`,
    coverage: demand.coverage,
    gaps: demand.gaps.slice(0, MAX_LISTED).map((g) => ({
      intersection: g.intersection,
      detector: g.detector,
      date: g.date,
      from: g.from,
      to: g.to,
      how: g.how,
      fromDays: g.fromDays,
    })),
    saturated: demand.saturated.slice(0, MAX_LISTED),
    notes: demand.notes.slice(0, MAX_LISTED),
  };
  const dayList = o.days.map((d) => d.date).join(', ');
  const scenario: Scenario = {
    name: o.name,
    description:
      `Built from stored counts of ${configs.length} intersection${configs.length === 1 ? '' : 's'} ` +
      `(${o.days.length === 1 ? dayList : `mean of ${dayList}`}, ${origin.hours} ${origin.timeZone}), ${binS / 60}-minute bins, ` +
      `${Math.round(demand.coverage * 100)} % of detector time covered.`,
    seed: 1,
    durationS: o.days[0]!.clockMs / 1000,
    stepS: 1,
    startAtMs: o.days[0]!.startMs,
    arrivals: 'poisson',
    saturationFlowVphpl: o.saturationFlowVphpl ?? 1800,
    intersections: configs.map((c) => ({ ...c })),
    demand: demand.movements.map((m) => ({
      intersection: m.intersection,
      movement: m.movement,
      flowVph: stepProfile(m.flowVph, binS),
    })),
    origin,
  };
  const r = validateScenario(scenario);
  if (!r.ok) throw new Error(`the built scenario is not valid: ${formatProblems(r.problems)}`);
  return r.value;
}
