/**
 * The fast stepper: the same signals as the plain one (stepper.ts), calling the monitor about
 * ten times less often. Passes the same contract (tests/contracts/signal-stepper.contract.ts).
 *
 * A repeat of the standing request while no boundary is due is a no-op for the monitor except
 * for refreshing its watchdog, so it is held back and replayed before the next call that needs
 * it: the monitor sees the same effective sequence. Movement states are computed once per
 * (phase, interval, next) and shared, read only, by every signal of that state.
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
  toSignal,
} from './monitor.ts';
import type { Request } from './request.ts';
import {
  isNewRequest,
  type SignalStepperFactory,
  type SignalStepResult,
  type Transition,
} from './stepper.ts';

/** Shared by every signal without overrides; frozen so no consumer can add to it. */
const NO_OVERRIDES = Object.freeze([]) as unknown as Override[];
const INTERVALS = { green: 0, yellow: 1, 'red-clearance': 2 } as const;

/** @example const s = createFastSignalStepper(config, 0); s.step(0, 1000, { phase: 'ew', controller: 'c' }); */
export const createFastSignalStepper: SignalStepperFactory = (config, atMs, options = {}) => {
  let state = createMonitor(config, atMs, options);
  let signal = toSignal(state, atMs);
  const yellowMs = Math.max(config.yellowS, MIN_YELLOW_S) * 1000;
  const n = config.phases.length;
  const cache: (Readonly<Record<string, MovementState>> | undefined)[] = [];
  /** a held-back repeat of the standing request and its time */
  let refreshRequest: Request | undefined;
  let refreshAtMs = Number.NEGATIVE_INFINITY;
  /** the next interval boundary of `state` (min green under a request, max green, clearance end) */
  let boundaryMs = boundaryOf(state);
  // One result object, reused: no allocation on the many steps where nothing happens.
  const out: SignalStepResult = { overrides: [], transitions: [] };

  function boundaryOf(s: MonitorState): number {
    if (s.interval === 'green') {
      const phase = config.phases[s.phaseIndex.get(s.phase)!]!;
      let due = s.sinceMs + phase.maxGreenS * 1000;
      if (s.requested !== undefined && s.requested !== s.phase)
        due = Math.min(due, s.sinceMs + phase.minGreenS * 1000);
      return due;
    }
    return s.sinceMs + (s.interval === 'yellow' ? yellowMs : config.allRedS * 1000);
  }

  function movementsAt(t: { phase: string; interval: MonitorState['interval']; next?: string }) {
    const p = state.phaseIndex.get(t.phase)!;
    const next = t.next === undefined ? n : state.phaseIndex.get(t.next)!;
    const key = (p * 3 + INTERVALS[t.interval]) * (n + 1) + next;
    let m = cache[key];
    if (!m) {
      m = Object.freeze(
        movementStates({ ...state, phase: t.phase, interval: t.interval, next: t.next }),
      );
      cache[key] = m;
    }
    return m;
  }

  function run(at: number, request: Request | undefined): void {
    const r = monitorStep(state, at, request);
    state = r.state;
    boundaryMs = boundaryOf(state);
    for (const o of r.overrides) out.overrides.push(o);
    for (const t of r.transitions) out.transitions.push(t);
  }

  /** When the monitor next has something to do without a new request. */
  function nextDueMs(): number {
    const lastValid = Math.max(state.lastValidMs, refreshAtMs);
    return Math.min(lastValid + state.watchdogMs, boundaryMs);
  }

  /** Replays a held-back repeat, so `lastValidMs` is what it would be. */
  function refresh(): void {
    if (refreshRequest === undefined) return;
    run(refreshAtMs, refreshRequest);
    refreshRequest = undefined;
    refreshAtMs = Number.NEGATIVE_INFINITY;
  }

  return {
    get state() {
      return state;
    },
    get signal() {
      return signal;
    },
    movementsAt: (t: Transition) => movementsAt(t),
    step(t0Ms, t1Ms, request) {
      if (out.overrides.length > 0) out.overrides = [];
      if (out.transitions.length > 0) out.transitions = [];
      let pending = request;
      if (isNewRequest(state, request)) {
        refresh();
        run(t0Ms, request);
        pending = undefined;
      }
      if (state.inFallback || t1Ms >= nextDueMs()) {
        if (pending) refreshRequest = undefined;
        else refresh();
        run(t1Ms, pending);
      } else if (pending) {
        refreshRequest = pending;
        refreshAtMs = t1Ms;
      }
      const controller = state.inFallback ? FALLBACK_CONTROLLER : state.controller;
      const last = signal;
      if (
        out.transitions.length > 0 ||
        out.overrides.length > 0 ||
        controller !== last.controller
      ) {
        signal = {
          v: 1,
          t: t1Ms,
          phase: state.phase,
          interval: state.interval,
          sinceMs: state.sinceMs,
          ...intervalBounds(state),
          movements: movementsAt(state) as Record<string, MovementState>,
          controller,
          overrides: out.overrides.slice(-16),
        };
      } else {
        // Nothing but the time changed: a literal is much cheaper than toSignal or a spread.
        signal = {
          v: 1,
          t: t1Ms,
          phase: last.phase,
          interval: last.interval,
          sinceMs: last.sinceMs,
          minEndMs: last.minEndMs,
          maxEndMs: last.maxEndMs,
          movements: last.movements,
          controller: last.controller,
          overrides: NO_OVERRIDES,
        } satisfies Signal;
      }
      return out;
    },
  };
};
