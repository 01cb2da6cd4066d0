/**
 * `fixed-time`: pre-timed control. The config's `plan` when it has one; else a Webster (1958)
 * plan from design flows (`designFlowVph` option); else a Webster plan re-timed every 15 min
 * from the last 15 min of counts (a time-of-day plan kept up to date), starting from
 * 300 veh/h/lane on every lane group until the first 15 min have been counted.
 *
 * The cycle is tied to the clock: position = (t − offset) mod cycle, phases with green > 0 in
 * service order, each followed by its yellow and all-red; slack (cycle longer than the greens
 * and clearances) goes to the last phase. So every fixed-time controller given the same plan
 * shows the same greens at the same times, as coordinated field controllers do.
 *
 * Where it departs from practice: no transition logic (a new plan starts on its own clock
 * position; the safety monitor keeps the change safe), and re-timing reads raw counts (advance
 * detectors when the lane group has them, else stop-bar), not failure-filtered ones.
 */
import type { IntersectionConfig, Plan } from '../../protocol/index.ts';
import { laneGroups } from '../../protocol/index.ts';
import type { Algorithm, AlgorithmFactory, AlgorithmOptions, ControllerView } from '../types.ts';
import { groupFlowsFromMovements, type WebsterOptions, websterPlan } from '../webster.ts';
import { MAX_OUT_MARGIN_MS } from './common.ts';

export {
  coverPhases,
  groupFlowsFromMovements,
  websterCycleS,
  websterEffectiveGreensS,
  websterPlan,
} from '../webster.ts';

export interface FixedTimeOptions extends AlgorithmOptions, WebsterOptions {
  /** design flows per movement, veh/h: a fixed Webster plan when the config has no plan */
  designFlowVph?: Record<string, number>;
}

export const RETIME_MS = 15 * 60_000;
export const DEFAULT_FLOW_VPHPL = 300;

/** The phase a plan shows green at `atMs` (during a clearance: the phase that follows). */
export function planPhaseAt(config: IntersectionConfig, plan: Plan, atMs: number): string {
  const order = config.phases.filter((p) => (plan.greenS[p.id] ?? 0) > 0);
  if (order.length === 0) return config.phases[0]!.id;
  const clearMs = Math.round((config.yellowS + config.allRedS) * 1000);
  const greens = order.map((p) => Math.round(plan.greenS[p.id]! * 1000));
  const used = greens.reduce((a, g) => a + g + clearMs, 0);
  const cycleMs = Math.max(used, Math.round(plan.cycleS * 1000));
  greens[greens.length - 1]! += cycleMs - used; // slack to the last phase
  const offsetMs = Math.round((plan.offsetS ?? 0) * 1000);
  const pos = (((atMs - offsetMs) % cycleMs) + cycleMs) % cycleMs;
  let t = 0;
  for (let i = 0; i < order.length; i++) {
    t += greens[i]!;
    if (pos < t) return order[i]!.id;
    t += clearMs;
    if (pos < t) return order[(i + 1) % order.length]!.id;
  }
  return order[0]!.id;
}

/** The phase after `id` among those the plan gives green. */
export function nextPlanned(config: IntersectionConfig, plan: Plan, id: string): string {
  const n = config.phases.length;
  const start = config.phases.findIndex((p) => p.id === id);
  for (let k = 1; k <= n; k++) {
    const p = config.phases[(start + k) % n]!;
    if ((plan.greenS[p.id] ?? 0) > 0) return p.id;
  }
  return id;
}

/** Lane-group flows (veh/h) over the last 15 min: advance detectors, else stop-bar ones. */
export function groupFlowsFromView(view: ControllerView): Record<string, number> {
  const out: Record<string, number> = {};
  const dets = Object.values(view.detectors);
  for (const g of laneGroups(view.config)) {
    const mine = dets.filter((d) => d.movements.some((m) => g.movements.includes(m)));
    const adv = mine.filter((d) => d.kind === 'advance');
    out[g.id] = (adv.length > 0 ? adv : mine).reduce((a, d) => a + d.flowVph.m15, 0);
  }
  return out;
}

export function createFixedTime(
  config: IntersectionConfig,
  options: FixedTimeOptions = {},
): Algorithm {
  let plan: Plan;
  let retime = false;
  if (config.plan) plan = config.plan;
  else if (options.designFlowVph) {
    plan = websterPlan(
      config,
      groupFlowsFromMovements(config, options.designFlowVph),
      options,
    ).plan;
  } else {
    const flows: Record<string, number> = {};
    for (const g of laneGroups(config)) flows[g.id] = DEFAULT_FLOW_VPHPL * g.lanes;
    plan = websterPlan(config, flows, options).plan;
    retime = true;
  }
  let period: number | undefined;
  let changingTo = config.phases[0]!.id;
  return {
    decide(view) {
      if (retime) {
        const p = Math.floor(view.atMs / RETIME_MS);
        if (period !== undefined && p !== period) {
          const flows = groupFlowsFromView(view);
          if (Object.values(flows).some((f) => f > 0))
            plan = websterPlan(config, flows, options).plan;
        }
        period = p;
      }
      const wanted = planPhaseAt(config, plan, view.atMs);
      const { phase, interval, sinceMs } = view.signal;
      const current = config.phases.find((p) => p.id === phase);
      // During a change, keep asking for the phase the change is going to.
      if (interval !== 'green' || !current) return interval !== 'green' ? changingTo : wanted;
      const elapsed = view.atMs - sinceMs;
      let out = wanted;
      // Never ask the monitor to cut a min green short (at start-up or after a re-timing),
      // nor to run past max green (a new plan's clock position can land in the same phase).
      if (wanted !== phase && elapsed < current.minGreenS * 1000) out = phase;
      else if (wanted === phase && elapsed + MAX_OUT_MARGIN_MS >= current.maxGreenS * 1000)
        out = nextPlanned(config, plan, phase);
      changingTo = out === phase ? nextPlanned(config, plan, phase) : out;
      return out;
    },
  };
}

export const fixedTime: AlgorithmFactory = {
  name: 'fixed-time',
  summary:
    "pre-timed: the config's plan, else Webster (1958) cycle and splits from design flows or re-timed every 15 min from counts",
  create: (config, options) => createFixedTime(config, options),
};
