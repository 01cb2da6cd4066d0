/**
 * The signal of each intersection, driven only through the safety monitor (pure). Requests go
 * into `monitorStep`; the movement states the monitor approves become effective-green windows
 * per movement, with exact times:
 *   effective green = green + yellow − startupLostS − yellowUnusedS   (Webster 1958; HCM)
 * i.e. a window opens startupLost after the movement turns green and closes yellowUnused
 * before its yellow ends. Vehicles may only depart inside a window.
 */

import type { MovementState, Override, Signal } from '../protocol/index.ts';
import {
  createMonitor,
  FALLBACK_CONTROLLER,
  intervalBounds,
  MIN_YELLOW_S,
  type MonitorState,
  monitorStep,
  movementStates,
  type Request,
  toSignal,
} from '../signal/index.ts';
import type { IntersectionNet, Net } from './network.ts';

/** Shared by every signal without overrides; frozen so no consumer can add to it. */
const NO_OVERRIDES = Object.freeze([]) as unknown as Override[];
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
  state: MonitorState;
  signal: Signal;
  /** movement status (red / green / clearance) per local movement, now */
  status: Uint8Array;
  /** movement states for each (phase, interval, next) seen, computed once; see stateKey */
  cache: (CachedStates | undefined)[];
  yellowMs: number;
  lastGreenPhase: string;
  /** call the monitor at every step (for the equivalence test) instead of when due */
  everyStep: boolean;
  /** a held-back repeat of the standing request and its time (see stepSignal) */
  refreshRequest: Request | undefined;
  refreshAtMs: number;
  /** the state `boundaryMs` was worked out for (states are never changed in place) */
  dueState: MonitorState | undefined;
  /** the next interval boundary of `dueState` (min green under a request, max green, clearance end) */
  boundaryMs: number;
}

interface CachedStates {
  status: Uint8Array;
  /** frozen: shared by every signal message of that state */
  movements: Readonly<Record<string, MovementState>>;
}

export function createWindows(n: number): Windows {
  const neg = () => new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  const pos = () => new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  return { prevStart: neg(), prevEnd: neg(), curStart: pos(), curEnd: pos() };
}

const INTERVALS = { green: 0, yellow: 1, 'red-clearance': 2 } as const;

/** A small integer for (phase, interval, next): phases by index, no next as one more. */
function stateKey(s: MonitorState): number {
  const n = s.config.phases.length;
  const p = s.phaseIndex.get(s.phase)!;
  const next = s.next === undefined ? n : s.phaseIndex.get(s.next)!;
  return (p * 3 + INTERVALS[s.interval]) * (n + 1) + next;
}

function statesOf(track: SignalTrack, it: IntersectionNet): CachedStates {
  const s = track.state;
  const key = stateKey(s);
  let cached = track.cache[key];
  if (!cached) {
    const states = movementStates(s);
    const status = Uint8Array.from(it.movements, (m) => {
      const st = states[m];
      if (st === 'protected-Movement-Allowed' || st === 'permissive-Movement-Allowed') return GREEN;
      if (st === 'protected-clearance' || st === 'permissive-clearance') return CLEARANCE;
      return RED;
    });
    cached = { status, movements: Object.freeze(states) };
    track.cache[key] = cached;
  }
  return cached;
}

/**
 * `toSignal(state, atMs, overrides)` with the movement states taken from the cache (the
 * monitor recomputes them from the config on every call). A unit test holds the two equal.
 */
export function signalOf(
  track: SignalTrack,
  it: IntersectionNet,
  atMs: number,
  overrides: Override[],
): Signal {
  const s = track.state;
  return {
    v: 1,
    t: atMs,
    phase: s.phase,
    interval: s.interval,
    sinceMs: s.sinceMs,
    ...intervalBounds(s),
    movements: statesOf(track, it).movements as Record<string, MovementState>,
    controller: s.inFallback ? FALLBACK_CONTROLLER : s.controller,
    overrides: overrides.slice(-16),
  };
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
      // Green → yellow: discharge goes on until yellowUnused before the yellow ends.
      const end = now === CLEARANCE ? atMs + track.yellowMs - net.yellowUnusedMs : atMs;
      w.curEnd[m] = Math.min(w.curEnd[m]!, end);
    }
  }
  track.status = next;
}

export function createTrack(
  net: Net,
  it: IntersectionNet,
  w: Windows,
  options: { watchdogS?: number; everyStep?: boolean },
): SignalTrack {
  const state = createMonitor(it.config, net.startAtMs, options);
  const track: SignalTrack = {
    state,
    signal: toSignal(state, net.startAtMs),
    status: new Uint8Array(it.movements.length),
    cache: [],
    yellowMs: Math.max(it.config.yellowS, MIN_YELLOW_S) * 1000,
    lastGreenPhase: state.phase,
    everyStep: options.everyStep ?? false,
    refreshRequest: undefined,
    refreshAtMs: Number.NEGATIVE_INFINITY,
    dueState: undefined,
    boundaryMs: Number.POSITIVE_INFINITY,
  };
  applyStatus(net, it, track, w, statesOf(track, it).status, net.startAtMs);
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

function run(
  net: Net,
  it: IntersectionNet,
  track: SignalTrack,
  w: Windows,
  atMs: number,
  request: Request | undefined,
  out: SignalStep,
): void {
  const r = monitorStep(track.state, atMs, request);
  track.state = r.state;
  for (const o of r.overrides) out.overrides.push(o);
  if (r.transitions.length === 0) return;
  out.changed = true;
  const saved = track.state;
  for (const tr of r.transitions) {
    // Evaluate each intermediate interval with its own exact start time.
    track.state = { ...saved, phase: tr.phase, interval: tr.interval, next: tr.next };
    applyStatus(net, it, track, w, statesOf(track, it).status, tr.sinceMs);
    if (tr.interval === 'green' && tr.phase !== track.lastGreenPhase) {
      out.phaseChanges++;
      track.lastGreenPhase = tr.phase;
    }
  }
  track.state = saved;
}

/**
 * When the monitor next has something to do without a new request: a min green ending under
 * a pending request, max green, the end of yellow or red clearance, or the watchdog.
 */
function nextDueMs(track: SignalTrack): number {
  const s = track.state;
  if (track.dueState !== s) {
    let due = Number.POSITIVE_INFINITY;
    if (s.interval === 'green') {
      const phase = s.config.phases[s.phaseIndex.get(s.phase)!]!;
      if (s.requested !== undefined && s.requested !== s.phase)
        due = Math.min(due, s.sinceMs + phase.minGreenS * 1000);
      due = Math.min(due, s.sinceMs + phase.maxGreenS * 1000);
    } else if (s.interval === 'yellow') {
      due = Math.min(due, s.sinceMs + track.yellowMs);
    } else {
      due = Math.min(due, s.sinceMs + s.config.allRedS * 1000);
    }
    track.dueState = s;
    track.boundaryMs = due;
  }
  const lastValid = Math.max(s.lastValidMs, track.refreshAtMs);
  return Math.min(lastValid + s.watchdogMs, track.boundaryMs);
}

/** Replays a skipped repeat of the standing request, so `lastValidMs` is what it would be. */
function refresh(net: Net, it: IntersectionNet, track: SignalTrack, w: Windows, out: SignalStep) {
  if (track.refreshRequest === undefined) return;
  run(net, it, track, w, track.refreshAtMs, track.refreshRequest, out);
  track.refreshRequest = undefined;
  track.refreshAtMs = Number.NEGATIVE_INFINITY;
}

/**
 * Advances one intersection's signal from `t0` to `t1`. A new request takes effect at `t0`
 * (the tick it answers); boundaries due inside the step happen at their exact times.
 *
 * Every request that can change anything goes to `monitorStep`. A repeat of the standing
 * request while no boundary is due is a no-op for the monitor except for refreshing its
 * watchdog, so it is held back and replayed before the next call that needs it: the monitor
 * sees the same effective sequence, about ten times less often (`everyStep` turns this off).
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
  // `out` is the caller's scratch object, reused every step (no allocation when nothing happens).
  if (out.overrides.length > 0) out.overrides = [];
  out.changed = false;
  out.phaseChanges = 0;
  let pending = request;
  const s = track.state;
  if (
    request &&
    (request.phase !== s.requested || request.controller !== s.controller || s.inFallback)
  ) {
    refresh(net, it, track, w, out);
    run(net, it, track, w, t0, request, out);
    pending = undefined;
  }
  if (track.everyStep || track.state.inFallback || t1 >= nextDueMs(track)) {
    if (pending) track.refreshRequest = undefined;
    else refresh(net, it, track, w, out);
    run(net, it, track, w, t1, pending, out);
  } else if (pending) {
    track.refreshRequest = pending;
    track.refreshAtMs = t1;
  }
  const st = track.state;
  const controller = st.inFallback ? FALLBACK_CONTROLLER : st.controller;
  const last = track.signal;
  if (out.changed || out.overrides.length > 0 || controller !== last.controller) {
    track.signal = signalOf(track, it, t1, out.overrides);
  } else {
    // Nothing but the time changed: a literal is much cheaper than toSignal or a spread.
    track.signal = {
      v: 1,
      t: t1,
      phase: last.phase,
      interval: last.interval,
      sinceMs: last.sinceMs,
      minEndMs: last.minEndMs,
      maxEndMs: last.maxEndMs,
      movements: last.movements,
      controller: last.controller,
      overrides: NO_OVERRIDES,
    };
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
