/**
 * `fixed-time`: pre-timed control. The config's `plan` when it has one; else a Webster (1958)
 * plan from design flows (`designFlowVph` option); else a Webster plan re-timed every 15 min
 * from the last 15 min of counts (a time-of-day plan kept up to date), starting from
 * 300 veh/h/lane on every lane group until the first 15 min have been counted.
 *
 * A given plan (the config's or a schedule's) is tied to the clock: position = (t − offset) mod
 * cycle, phases with green > 0 in service order, each followed by its yellow and all-red; slack
 * (cycle longer than the greens and clearances) goes to the last phase. So every fixed-time
 * controller given the same plan shows the same greens at the same times, as coordinated field
 * controllers do. A plan it computes itself (Webster) has no coordination to keep: its cycle
 * is anchored to the controller's first decision instead, so a run gives the same greens
 * whatever clock time it starts at (the bench shifts start times; `simulate` does not).
 *
 * Where it departs from practice: no transition logic (a new plan starts on its own clock
 * position; the safety monitor keeps the change safe), and re-timing reads raw counts (advance
 * detectors when the lane group has them, else stop-bar), not failure-filtered ones.
 */
import type { IntersectionConfig, Phase, Plan } from '../../protocol/index.ts';
import { activePlan, laneGroups } from '../../protocol/index.ts';
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

/** A plan reduced to what `planPhaseAt` needs, worked out once per plan. */
interface CompiledPlan {
  /** phases with green > 0, in service order */
  order: string[];
  cycleMs: number;
  offsetMs: number;
  /**
   * The cycle as segments: the green of order[i], then its clearance (which already asks for
   * order[i + 1]). `ends` are cumulative ms from the cycle start (slack on the last green);
   * `wants` the phase wanted during each.
   */
  ends: number[];
  wants: string[];
  /** nextPlanned of every phase id */
  next: Map<string, string>;
}

function compilePlan(config: IntersectionConfig, plan: Plan): CompiledPlan {
  const order = config.phases.filter((p) => (plan.greenS[p.id] ?? 0) > 0).map((p) => p.id);
  const clearMs = Math.round((config.yellowS + config.allRedS) * 1000);
  const greens = order.map((id) => Math.round(plan.greenS[id]! * 1000));
  const used = greens.reduce((a, g) => a + g + clearMs, 0);
  const cycleMs = Math.max(used, Math.round(plan.cycleS * 1000));
  if (greens.length > 0) greens[greens.length - 1]! += cycleMs - used; // slack to the last phase
  const ends: number[] = [];
  const wants: string[] = [];
  let t = 0;
  for (let i = 0; i < order.length; i++) {
    t += greens[i]!;
    ends.push(t);
    wants.push(order[i]!);
    t += clearMs;
    ends.push(t);
    wants.push(order[(i + 1) % order.length]!);
  }
  return {
    order,
    cycleMs,
    offsetMs: Math.round((plan.offsetS ?? 0) * 1000),
    ends,
    wants,
    next: new Map(config.phases.map((p) => [p.id, nextPlanned(config, plan, p.id)])),
  };
}

/** Position in the cycle at `atMs`, ms. */
const positionAt = (c: CompiledPlan, atMs: number) =>
  (((atMs - c.offsetMs) % c.cycleMs) + c.cycleMs) % c.cycleMs;

/** The segment holding cycle position `pos`, or −1 past the last (the cycle's start again). */
function segmentAt(c: CompiledPlan, pos: number): number {
  const ends = c.ends;
  for (let k = 0; k < ends.length; k++) if (pos < ends[k]!) return k;
  return -1;
}

function compiledPhaseAt(config: IntersectionConfig, c: CompiledPlan, atMs: number): string {
  if (c.order.length === 0) return config.phases[0]!.id;
  const k = segmentAt(c, positionAt(c, atMs));
  return k < 0 ? c.order[0]! : c.wants[k]!;
}

/**
 * Time comparisons made safe against rounding: an answer is promised to hold only until 1 ms
 * before the instant it could change.
 */
const SAFETY_MS = 1;

/** The phase a plan shows green at `atMs` (during a clearance: the phase that follows). */
export function planPhaseAt(config: IntersectionConfig, plan: Plan, atMs: number): string {
  return compiledPhaseAt(config, compilePlan(config, plan), atMs);
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
  // A time-of-day schedule chooses the plan by local time; re-checked every minute.
  const scheduled = (config.schedule?.length ?? 0) > 0;
  let scheduledId: string | undefined;
  const firstScheduled = scheduled ? activePlan(config, 0).plan : undefined;
  if (firstScheduled) plan = firstScheduled;
  else if (config.plan) plan = config.plan;
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
  const computed = !firstScheduled && !config.plan;
  /** the first decision's time: where a computed plan's cycles start */
  let anchorMs: number | undefined;
  const compile = (p: Plan): CompiledPlan => {
    const c = compilePlan(config, p);
    if (computed) c.offsetMs += anchorMs ?? 0;
    return c;
  };
  let compiled = compile(plan);
  const phaseById = new Map<string, Phase>();
  for (const p of config.phases) if (!phaseById.has(p.id)) phaseById.set(p.id, p); // as find()
  let period: number | undefined;
  let changingTo = config.phases[0]!.id;
  let stableUntil = Number.NEGATIVE_INFINITY;
  /** When the next re-timing is due (none without re-timing). */
  const retimeAt = (atMs: number) =>
    retime
      ? (Math.floor(atMs / RETIME_MS) + 1) * RETIME_MS
      : scheduled
        ? (Math.floor(atMs / 60_000) + 1) * 60_000 - SAFETY_MS
        : Number.POSITIVE_INFINITY;
  return {
    // Reads the clock and the signal; detectors only to re-time, movements never.
    reads: { detectors: retime, movements: false },
    // Its answer depends on the clock only through the plan's boundaries, the re-timing
    // period and the ends of min green and (less the margin) max green.
    stableUntilMs: () => stableUntil,
    decide(view) {
      stableUntil = Number.NEGATIVE_INFINITY;
      if (computed && anchorMs === undefined) {
        anchorMs = view.atMs;
        compiled = compile(plan);
      }
      if (retime) {
        const p = Math.floor(view.atMs / RETIME_MS);
        if (period !== undefined && p !== period) {
          const flows = groupFlowsFromView(view);
          if (Object.values(flows).some((f) => f > 0)) {
            plan = websterPlan(config, flows, options).plan;
            compiled = compile(plan);
          }
        }
        period = p;
      }
      if (scheduled) {
        const active = activePlan(config, view.atMs, options.timeZone);
        if (active.plan && active.id !== scheduledId) {
          plan = active.plan;
          compiled = compile(plan);
        }
        scheduledId = active.id;
      }
      const { phase, interval, sinceMs } = view.signal;
      // During a change, keep asking for the phase the change is going to.
      if (interval !== 'green') {
        stableUntil = retimeAt(view.atMs);
        return changingTo;
      }
      // The phase the plan wants, and until when it keeps wanting it.
      let wanted: string;
      let planUntil: number;
      if (compiled.order.length === 0) {
        wanted = config.phases[0]!.id;
        planUntil = retimeAt(view.atMs);
      } else {
        const pos = positionAt(compiled, view.atMs);
        const k = segmentAt(compiled, pos);
        wanted = k < 0 ? compiled.order[0]! : compiled.wants[k]!;
        const end = k < 0 ? compiled.cycleMs : compiled.ends[k]!;
        planUntil = Math.min(view.atMs + (end - pos) - SAFETY_MS, retimeAt(view.atMs));
      }
      const current = phaseById.get(phase);
      if (!current) {
        stableUntil = planUntil;
        return wanted;
      }
      const elapsed = view.atMs - sinceMs;
      const minMs = current.minGreenS * 1000;
      const maxOutMs = current.maxGreenS * 1000;
      let out = wanted;
      // Never ask the monitor to cut a min green short (at start-up or after a re-timing),
      // nor to run past max green (a new plan's clock position can land in the same phase).
      if (wanted !== phase && elapsed < minMs) out = phase;
      else if (wanted === phase && elapsed + MAX_OUT_MARGIN_MS >= maxOutMs)
        out = compiled.next.get(phase)!;
      changingTo = out === phase ? compiled.next.get(phase)! : out;
      let until = planUntil;
      if (elapsed < minMs) until = Math.min(until, sinceMs + minMs - SAFETY_MS);
      if (elapsed + MAX_OUT_MARGIN_MS < maxOutMs)
        until = Math.min(until, sinceMs + maxOutMs - MAX_OUT_MARGIN_MS - SAFETY_MS);
      stableUntil = until;
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
