/**
 * Webster's method for fixed-time signal plans (pure).
 *
 * Webster, F. V. (1958). Traffic Signal Settings. Road Research Technical Paper No. 39, HMSO:
 *   optimum cycle  C0 = (1.5 L + 5) / (1 − Y)
 *   effective green g_i = (C0 − L) · y_i / Y
 * with y_i the critical flow ratio q/s of phase i, Y = Σ y_i and L the total lost time per
 * cycle. The same procedure is taught in Garber & Hoel, "Traffic and Highway Engineering",
 * and Mannering & Washburn, "Principles of Highway Engineering and Traffic Analysis".
 *
 * OpenPhase's lost-time convention (matching the simulator's): effective green =
 * green + yellow − startup lost − yellow unused, so per phase the lost time is
 * `lostTimePerPhaseS` (startup lost + yellow unused, default 2 + 1) + all-red, and the
 * displayed green is G_i = g_i − yellow + lostTimePerPhaseS.
 */
import {
  type IntersectionConfig,
  type LaneGroup,
  laneGroups,
  type Plan,
  servedMovements,
} from '../protocol/index.ts';

/** Webster 1958, eq. for the optimum cycle. Returns Infinity when Y ≥ 1 (oversaturated). */
export function websterCycleS(lostTimeS: number, Y: number): number {
  if (Y >= 1) return Number.POSITIVE_INFINITY;
  return (1.5 * lostTimeS + 5) / (1 - Y);
}

/** Webster 1958: effective greens in proportion to the critical flow ratios. */
export function websterEffectiveGreensS(cycleS: number, lostTimeS: number, ys: number[]): number[] {
  const Y = ys.reduce((a, b) => a + b, 0);
  const available = Math.max(0, cycleS - lostTimeS);
  if (Y <= 0) return ys.map(() => available / Math.max(1, ys.length));
  return ys.map((y) => (available * y) / Y);
}

export interface WebsterOptions {
  /** veh/h per lane in effective green (default 1800) */
  saturationFlowVphpl?: number;
  /** startup lost + yellow unused per phase, seconds (default 3) */
  lostTimePerPhaseS?: number;
  /** cycle bounds, seconds (default 30..150); Y ≥ 0.95 uses the maximum */
  minCycleS?: number;
  maxCycleS?: number;
}

export interface WebsterPlan {
  plan: Plan;
  /** phases given green, in service order */
  phases: string[];
  /** critical flow ratio per planned phase */
  flowRatios: number[];
  Y: number;
  lostTimeS: number;
  /** the unrounded optimum C0 before bounds (Infinity when oversaturated) */
  optimumCycleS: number;
}

/**
 * The fewest phases that serve every movement, in service order (greedy set cover: the phase
 * covering most unserved movements first). For a two-phase intersection, both; for NEMA dual
 * ring stages, the four concurrent pairs (1+5, 2+6, 3+7, 4+8).
 */
export function coverPhases(config: IntersectionConfig): string[] {
  const uncovered = new Set(servedMovements(config));
  const chosen = new Set<string>();
  while (uncovered.size > 0) {
    let best: { id: string; n: number } | undefined;
    for (const p of config.phases) {
      if (chosen.has(p.id)) continue;
      const n = p.movements.filter((m) => uncovered.has(m)).length;
      if (n > (best?.n ?? 0)) best = { id: p.id, n };
    }
    if (!best) break;
    chosen.add(best.id);
    for (const m of config.phases.find((p) => p.id === best.id)!.movements) uncovered.delete(m);
  }
  return config.phases.filter((p) => chosen.has(p.id)).map((p) => p.id);
}

/** Lane-group flows from per-movement flows (a shared lane carries the sum of its movements). */
export function groupFlowsFromMovements(
  config: IntersectionConfig,
  flowVph: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const g of laneGroups(config))
    out[g.id] = g.movements.reduce((a, m) => a + (flowVph[m] ?? 0), 0);
  return out;
}

/**
 * A Webster plan from lane-group flows (veh/h, keyed by lane-group id from `laneGroups`).
 * Greens are rounded to whole seconds and held within each phase's min and max green; the
 * plan's cycle is the sum of what is actually displayed.
 * @example websterPlan(config, { 'N-through': 630, 'E-through': 450, ... }).plan
 */
export function websterPlan(
  config: IntersectionConfig,
  groupFlowVph: Record<string, number>,
  options: WebsterOptions = {},
): WebsterPlan {
  const sat = options.saturationFlowVphpl ?? 1800;
  const lostPerPhase = options.lostTimePerPhaseS ?? 3;
  const minCycle = options.minCycleS ?? 30;
  const maxCycle = options.maxCycleS ?? 150;
  const groups: LaneGroup[] = laneGroups(config);
  const phases = coverPhases(config);
  const flowRatios = phases.map((id) => {
    const phase = config.phases.find((p) => p.id === id)!;
    let y = 0;
    for (const g of groups) {
      if (!g.movements.some((m) => phase.movements.includes(m))) continue;
      y = Math.max(y, (groupFlowVph[g.id] ?? 0) / (sat * g.lanes));
    }
    return y;
  });
  const Y = flowRatios.reduce((a, b) => a + b, 0);
  const lostTimeS = phases.length * (lostPerPhase + config.allRedS);
  const optimumCycleS = websterCycleS(lostTimeS, Y);
  const cycle = Y >= 0.95 ? maxCycle : Math.min(maxCycle, Math.max(minCycle, optimumCycleS));
  const effective = websterEffectiveGreensS(cycle, lostTimeS, flowRatios);
  const greenS: Record<string, number> = {};
  for (const p of config.phases) greenS[p.id] = 0;
  let cycleS = 0;
  phases.forEach((id, i) => {
    const phase = config.phases.find((p) => p.id === id)!;
    const displayed = effective[i]! - config.yellowS + lostPerPhase;
    const g = Math.min(phase.maxGreenS, Math.max(phase.minGreenS, Math.round(displayed)));
    greenS[id] = g;
    cycleS += g + config.yellowS + config.allRedS;
  });
  return { plan: { cycleS, greenS }, phases, flowRatios, Y, lostTimeS, optimumCycleS };
}
