/**
 * What a bench runs (pure): the controllers, the seeds, the clean twin of each fault or surge
 * scenario, and the simulated start time of each run.
 *
 * Start times: an MQTT controller may be one long-running vendor program serving every run,
 * and a controller (like a field one) ignores a signal older than the last it answered. So
 * simulated time only moves forward across the runs of a bench: each (scenario, seed) slot
 * starts after the previous one ended, shifted by a whole multiple of every period the
 * scenario defines (step, counts interval, plan cycles, the hour, which holds every
 * re-timing period of the built-ins, and the week when a time-of-day schedule picks plans).
 * Positions in every cycle are then the same as at the scenario's own start, so the numbers
 * equal those of `openphase simulate` with that seed (tests/unit/bench-plan.test.ts and
 * bench-simulate-agree.test.ts check it); a plan fixed-time computes itself starts its cycles
 * at the run's start, so its cycle needs no shift. (A schedule read in a time zone with
 * daylight saving can still move by an hour when a week's shift crosses the change.)
 */
import { ALGORITHMS } from '../controller/algorithms/registry.ts';
import { isValidId, type Scenario } from '../protocol/index.ts';

export const DEFAULT_BASELINE = 'builtin:actuated';
export const DEFAULT_SEEDS = 5;
/** The bundled suite `openphase bench` runs when no --scenario is given (`city` is the demo). */
export const DEFAULT_SUITE = [
  'two-phase',
  'four-phase-unbalanced',
  'peak-surge',
  'detector-faults',
  'arterial-corridor',
  'grid-3x3',
] as const;
const DEFAULT_START_MS = Date.UTC(2026, 0, 1);

export interface ControllerSpec {
  /** `builtin:NAME` or `mqtt:ID` */
  id: string;
  kind: 'builtin' | 'mqtt';
  /** algorithm name or the vendor's device id */
  name: string;
}

/** Parses `builtin:NAME` or `mqtt:ID`; throws a plain-words error listing what is allowed. */
export function parseController(text: string): ControllerSpec {
  const m = /^(builtin|mqtt):(.+)$/.exec(text.trim());
  const builtins = ALGORITHMS.map((a) => `builtin:${a.name}`).join(', ');
  if (!m) throw new Error(`controller '${text}' must be builtin:NAME (${builtins}) or mqtt:ID`);
  const kind = m[1] as 'builtin' | 'mqtt';
  const name = m[2]!;
  if (kind === 'builtin' && !ALGORITHMS.some((a) => a.name === name))
    throw new Error(`unknown built-in controller '${text}'; known: ${builtins}`);
  if (kind === 'mqtt' && !isValidId(name))
    throw new Error(`mqtt:${name}: the id must be 1-64 characters of A-Z a-z 0-9 _ -`);
  return { id: `${kind}:${name}`, kind, name };
}

/** The controllers in the order given, without repeats, the baseline added first if absent. */
export function planControllers(
  given: readonly string[],
  baseline = DEFAULT_BASELINE,
): ControllerSpec[] {
  const base = parseController(baseline);
  const out: ControllerSpec[] = [];
  for (const c of given.map(parseController)) if (!out.some((o) => o.id === c.id)) out.push(c);
  if (!out.some((o) => o.id === base.id)) out.unshift(base);
  return out;
}

/** Seeds 1…n: the same for every controller and scenario. */
export function seedList(n: number): number[] {
  if (!Number.isInteger(n) || n < 2)
    throw new Error(
      `--seeds must be an integer of at least 2 (a confidence interval needs spread; 5 or more is the default), got ${n}`,
    );
  return Array.from({ length: n }, (_, i) => i + 1);
}

/** Mean flow of a piecewise-linear profile over [0, durationS] (trapezoids, constant tails). */
export function meanFlow(flow: number | [number, number][], durationS: number): number {
  if (typeof flow === 'number') return flow;
  const pts = flow[0]![0] > 0 ? [[0, flow[0]![1]] as [number, number], ...flow] : [...flow];
  let area = 0;
  for (let k = 0; k < pts.length; k++) {
    const [t0, f0] = pts[k]!;
    if (t0 >= durationS) break;
    const next = pts[k + 1];
    if (!next) {
      area += f0 * (durationS - t0);
      break;
    }
    const [t1, f1] = next;
    const end = Math.min(t1, durationS);
    const fEnd = f0 + ((f1 - f0) * (end - t0)) / (t1 - t0 || 1);
    area += ((f0 + fEnd) / 2) * (end - t0);
  }
  return Math.round((area / durationS) * 1000) / 1000;
}

export type CleanKind = 'faults-removed' | 'demand-flattened';

/**
 * The clean twin of a scenario, for the degradation figures: detector faults removed (the
 * vehicles stay the same: only what the controller sees changes), or, for a demand surge,
 * every time-varying flow replaced by its mean over the run (the same expected vehicles,
 * spread evenly). Undefined for a scenario that is clean already.
 */
export function cleanTwin(
  scenario: Scenario,
  durationS = scenario.durationS,
): { kind: CleanKind; scenario: Scenario } | undefined {
  if ((scenario.faults ?? []).length > 0) {
    const { faults: _f, ...rest } = scenario;
    return { kind: 'faults-removed', scenario: rest };
  }
  if (scenario.demand.some((d) => typeof d.flowVph !== 'number')) {
    return {
      kind: 'demand-flattened',
      scenario: {
        ...scenario,
        demand: scenario.demand.map((d) => ({ ...d, flowVph: meanFlow(d.flowVph, durationS) })),
      },
    };
  }
  return undefined;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number): number => (a / gcd(a, b)) * b;
const WEEK_MS = 7 * 86_400_000;
/** Beyond this a shift would leave the safe-integer range after a few slots. */
const MAX_PERIOD_MS = 1e13;

/** The period (ms) a start time may be shifted by without changing any result; undefined: none. */
export function periodMs(scenario: Scenario): number | undefined {
  const stepMs = Math.round((scenario.stepS ?? 1) * 1000);
  const countMs =
    Math.max(
      1,
      Math.round(Math.round((scenario.countIntervalS ?? scenario.stepS ?? 1) * 1000) / stepMs),
    ) * stepMs;
  let p = lcm(lcm(3_600_000, stepMs), countMs);
  for (const it of scenario.intersections) {
    if (it.plan) p = lcm(p, Math.round(it.plan.cycleS * 1000));
    // a time-of-day schedule picks plans by local time and day type: shift by whole weeks
    // (and by every cycle of its plans)
    if ((it.schedule?.length ?? 0) > 0) {
      p = lcm(p, WEEK_MS);
      for (const plan of Object.values(it.plans ?? {})) p = lcm(p, Math.round(plan.cycleS * 1000));
    }
    if (p > MAX_PERIOD_MS) return undefined;
  }
  return p;
}

/**
 * Start times (epoch ms) of consecutive run slots, each at least an hour after the previous
 * one ended and congruent to its scenario's own start modulo its period.
 */
export function slotStarts(slots: readonly { scenario: Scenario; durationS: number }[]): number[] {
  const out: number[] = [];
  let prevEnd = Number.NEGATIVE_INFINITY;
  for (const { scenario, durationS } of slots) {
    const base = scenario.startAtMs ?? DEFAULT_START_MS;
    const p = periodMs(scenario);
    const need = prevEnd + 3_600_000 - base;
    const start = need <= 0 || p === undefined ? base : base + Math.ceil(need / p) * p;
    out.push(start);
    prevEnd = Math.max(prevEnd, start + durationS * 1000);
  }
  return out;
}
