/**
 * The signal of each intersection, driven only through the signal room's stepper (pure:
 * signal/, the safety monitor inside). The movement states it approves become effective-green
 * windows per movement, with exact times:
 *   effective green = green − startUpLostS + yellowUsedS   (Webster 1958; HCM)
 * i.e. a window opens startUpLost after the movement turns green and closes yellowUsed after
 * its yellow starts (drivers in protocol/drivers.ts). Vehicles may only depart inside a window.
 */
import { driversOf, type MovementState, type Override } from '../protocol/index.ts';
import {
  createFastSignalStepper,
  MIN_YELLOW_S,
  type MonitorState,
  type Request,
  type SignalStepper,
  type SignalStepperFactory,
} from '../signal/index.ts';
import type { IntersectionNet, Net } from './network.ts';

const RED = 0;
const GREEN = 1;
const CLEARANCE = 2;

/** Per movement, the current and the previous effective-green window [start, end), epoch ms. */
export interface Windows {
  prevStart: Float64Array;
  prevEnd: Float64Array;
  curStart: Float64Array;
  curEnd: Float64Array;
}

export interface SignalTrack {
  /** the signal room's stepper: requests in, signal states out */
  stepper: SignalStepper;
  /** movement status (red / green / clearance) per local movement, now */
  status: Uint8Array;
  /** movement status for each (phase, interval, next) seen, computed once; see statusOf */
  cache: (Uint8Array | undefined)[];
  yellowMs: number;
  /** how long into the yellow vehicles still cross, ms (≤ yellowMs) */
  yellowUsedMs: number;
  lastGreenPhase: string;
}

export function createWindows(n: number): Windows {
  const neg = () => new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  const pos = () => new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  return { prevStart: neg(), prevEnd: neg(), curStart: pos(), curEnd: pos() };
}

type IntervalOf = { phase: string; interval: MonitorState['interval']; next: string | undefined };

const INTERVALS = { green: 0, yellow: 1, 'red-clearance': 2 } as const;

function statusOf(track: SignalTrack, it: IntersectionNet, at: IntervalOf): Uint8Array {
  // a small integer for (phase, interval, next): phases by index, no next as one more
  const index = track.stepper.state.phaseIndex;
  const n = it.config.phases.length;
  const next = at.next === undefined ? n : index.get(at.next)!;
  const key = (index.get(at.phase)! * 3 + INTERVALS[at.interval]) * (n + 1) + next;
  let status = track.cache[key];
  if (!status) {
    const states: Readonly<Record<string, MovementState>> = track.stepper.movementsAt({
      ...at,
      sinceMs: 0,
    });
    status = Uint8Array.from(it.movements, (m) => {
      const st = states[m];
      if (st === 'protected-Movement-Allowed' || st === 'permissive-Movement-Allowed') return GREEN;
      if (st === 'protected-clearance' || st === 'permissive-clearance') return CLEARANCE;
      return RED;
    });
    track.cache[key] = status;
  }
  return status;
}

/** Applies a change of movement states at `atMs` to the movements' windows. */
function applyStatus(
  net: Net,
  it: IntersectionNet,
  track: SignalTrack,
  w: Windows,
  next: Uint8Array,
  atMs: number,
): void {
  const prev = track.status;
  for (let l = 0; l < next.length; l++) {
    const was = prev[l]!;
    const now = next[l]!;
    if (was === now) continue;
    const m = it.movementBase + l;
    if (now === GREEN) {
      w.prevStart[m] = w.curStart[m]!;
      w.prevEnd[m] = w.curEnd[m]!;
      w.curStart[m] = atMs + net.startupLostMs;
      w.curEnd[m] = Number.POSITIVE_INFINITY;
    } else if (was === GREEN) {
      // Green → yellow: discharge goes on for the part of the yellow drivers use.
      const end = now === CLEARANCE ? atMs + track.yellowUsedMs : atMs;
      w.curEnd[m] = Math.min(w.curEnd[m]!, end);
    }
  }
  track.status = next;
}

/** `stepper`: the signal room's fast stepper unless another is given (the plain one). */
export function createTrack(
  net: Net,
  it: IntersectionNet,
  w: Windows,
  options: { watchdogS?: number; stepper?: SignalStepperFactory },
): SignalTrack {
  const create = options.stepper ?? createFastSignalStepper;
  const stepper = create(it.config, net.startAtMs, {
    ...(options.watchdogS !== undefined ? { watchdogS: options.watchdogS } : {}),
  });
  const state = stepper.state;
  const yellowS = Math.max(it.config.yellowS, MIN_YELLOW_S);
  const track: SignalTrack = {
    stepper,
    status: new Uint8Array(it.movements.length),
    cache: [],
    yellowMs: yellowS * 1000,
    yellowUsedMs: driversOf(net.driverFields, yellowS).yellowUsedS * 1000,
    lastGreenPhase: state.phase,
  };
  applyStatus(net, it, track, w, statusOf(track, it, state), net.startAtMs);
  return track;
}

export const createSignalStep = (): SignalStep => ({
  overrides: [],
  changed: false,
  phaseChanges: 0,
});

export interface SignalStep {
  overrides: Override[];
  changed: boolean;
  phaseChanges: number;
}

/**
 * Advances one intersection's signal from `t0` to `t1` through its stepper (a new request
 * takes effect at `t0`, boundaries inside the step at their exact times) and turns every
 * interval entered into effective-green windows, each at its own exact start.
 */
export function stepSignal(
  net: Net,
  it: IntersectionNet,
  track: SignalTrack,
  w: Windows,
  t0: number,
  t1: number,
  request: Request | undefined,
  out: SignalStep,
): SignalStep {
  const r = track.stepper.step(t0, t1, request);
  out.overrides = r.overrides;
  out.changed = r.transitions.length > 0;
  out.phaseChanges = 0;
  for (const tr of r.transitions) {
    applyStatus(net, it, track, w, statusOf(track, it, tr), tr.sinceMs);
    if (tr.interval === 'green' && tr.phase !== track.lastGreenPhase) {
      out.phaseChanges++;
      track.lastGreenPhase = tr.phase;
    }
  }
  return out;
}

/**
 * The earliest crossing time ≥ x and < t1 for movement m: inside one of its effective-green
 * windows, at least `lead` ms after the window opens. −1 when there is none in this step.
 */
export function greenFrom(w: Windows, m: number, x: number, t1: number, lead: number): number {
  const pe = w.prevEnd[m]!;
  if (x < pe) {
    const s = Math.max(x, w.prevStart[m]! + lead);
    if (s < pe && s < t1) return s;
  }
  const ce = w.curEnd[m]!;
  if (x < ce) {
    const s = Math.max(x, w.curStart[m]! + lead);
    if (s < ce && s < t1) return s;
  }
  return -1;
}

/**
 * The earliest time ≥ x at which movement m could cross under its current windows (at least
 * `lead` ms after a window opens), ignoring the step's end; +∞ when both windows are closed.
 * When `greenFrom(w, m, x, t1, lead)` is −1, it stays −1 for any later x' < this and t1 ≤ this:
 * a later start only moves a window's candidate when it passes it.
 */
export function nextGreenFrom(w: Windows, m: number, x: number, lead: number): number {
  let out = Number.POSITIVE_INFINITY;
  const pe = w.prevEnd[m]!;
  if (x < pe) {
    const s = Math.max(x, w.prevStart[m]! + lead);
    if (s < pe) out = s;
  }
  const ce = w.curEnd[m]!;
  if (x < ce) {
    const s = Math.max(x, w.curStart[m]! + lead);
    if (s < ce && s < out) out = s;
  }
  return out;
}
