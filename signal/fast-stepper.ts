/**
 * The fast stepper: the same signals as the plain one (stepper.ts), calling the monitor about
 * ten times less often. Passes the same contract (tests/contracts/signal-stepper.contract.ts).
 *
 * A repeat of the standing request while no boundary is due is a no-op for the monitor except
 * for refreshing its watchdog, so it is held back and replayed before the next call that needs
 * it: the monitor sees the same effective sequence. Movement states are computed once per
 * (phase, interval, next) and shared, read only, by every signal of that state.
 */
import type { IntersectionConfig, MovementState, Override, Signal } from '../protocol/index.ts';
import {
  createMonitor,
  FALLBACK_CONTROLLER,
  intervalBounds,
  MIN_YELLOW_S,
  type MonitorOptions,
  type MonitorState,
  monitorStep,
  movementStates,
  toSignal,
} from './monitor.ts';
import type { Request } from './request.ts';
import type { SignalStepper, SignalStepperFactory, SignalStepResult } from './stepper.ts';

/** Shared by every signal without overrides; frozen so no consumer can add to it. */
const NO_OVERRIDES = Object.freeze([]) as unknown as Override[];
const INTERVALS = { green: 0, yellow: 1, 'red-clearance': 2 } as const;

/**
 * A class, not a closure per intersection: a thousand steppers then share one set of
 * compiled methods and type feedback (closures each warm up and optimize on their own).
 */
class FastSignalStepper implements SignalStepper {
  state: MonitorState;
  signal: Signal;
  readonly #config: IntersectionConfig;
  readonly #yellowMs: number;
  readonly #n: number;
  readonly #cache: (Readonly<Record<string, MovementState>> | undefined)[] = [];
  /** a held-back repeat of the standing request and its time */
  #refreshRequest: Request | undefined = undefined;
  #refreshAtMs = Number.NEGATIVE_INFINITY;
  /** the next interval boundary of `state` (min green under a request, max green, clearance end) */
  #boundaryMs: number;
  // One result object, reused: no allocation on the many steps where nothing happens.
  readonly #out: SignalStepResult = { overrides: [], transitions: [] };
  /** something was added to #out since it was last emptied */
  #outUsed = false;
  // What an idle step reads of `state`, kept here (it changes only in #run): an idle step then
  // touches this object alone, not the state too.
  #requested: string | undefined;
  #controller: string;
  #inFallback: boolean;
  #lastValidMs: number;
  readonly #watchdogMs: number;

  constructor(config: IntersectionConfig, atMs: number, options: MonitorOptions) {
    this.#config = config;
    this.state = createMonitor(config, atMs, options);
    this.signal = toSignal(this.state, atMs);
    this.#yellowMs = Math.max(config.yellowS, MIN_YELLOW_S) * 1000;
    this.#n = config.phases.length;
    this.#boundaryMs = this.#boundaryOf(this.state);
    this.#requested = this.state.requested;
    this.#controller = this.state.controller;
    this.#inFallback = this.state.inFallback;
    this.#lastValidMs = this.state.lastValidMs;
    this.#watchdogMs = this.state.watchdogMs;
  }

  #boundaryOf(s: MonitorState): number {
    const config = this.#config;
    if (s.interval === 'green') {
      const phase = config.phases[s.phaseIndex.get(s.phase)!]!;
      let due = s.sinceMs + phase.maxGreenS * 1000;
      if (s.requested !== undefined && s.requested !== s.phase)
        due = Math.min(due, s.sinceMs + phase.minGreenS * 1000);
      return due;
    }
    return s.sinceMs + (s.interval === 'yellow' ? this.#yellowMs : config.allRedS * 1000);
  }

  movementsAt(t: { phase: string; interval: MonitorState['interval']; next?: string | undefined }) {
    const state = this.state;
    const n = this.#n;
    const p = state.phaseIndex.get(t.phase)!;
    const next = t.next === undefined ? n : state.phaseIndex.get(t.next)!;
    const key = (p * 3 + INTERVALS[t.interval]) * (n + 1) + next;
    let m = this.#cache[key];
    if (!m) {
      m = Object.freeze(
        movementStates({ ...state, phase: t.phase, interval: t.interval, next: t.next }),
      );
      this.#cache[key] = m;
    }
    return m;
  }

  #run(at: number, request: Request | undefined): void {
    const r = monitorStep(this.state, at, request);
    const s = r.state;
    this.state = s;
    this.#boundaryMs = this.#boundaryOf(s);
    this.#requested = s.requested;
    this.#controller = s.controller;
    this.#inFallback = s.inFallback;
    this.#lastValidMs = s.lastValidMs;
    if (r.overrides.length === 0 && r.transitions.length === 0) return;
    const out = this.#out;
    for (const o of r.overrides) out.overrides.push(o);
    for (const t of r.transitions) out.transitions.push(t);
    this.#outUsed = true;
  }

  /** When the monitor next has something to do without a new request. */
  #nextDueMs(): number {
    const lastValid = Math.max(this.#lastValidMs, this.#refreshAtMs);
    return Math.min(lastValid + this.#watchdogMs, this.#boundaryMs);
  }

  /** Replays a held-back repeat, so `lastValidMs` is what it would be. */
  #refresh(): void {
    if (this.#refreshRequest === undefined) return;
    this.#run(this.#refreshAtMs, this.#refreshRequest);
    this.#refreshRequest = undefined;
    this.#refreshAtMs = Number.NEGATIVE_INFINITY;
  }

  step(t0Ms: number, t1Ms: number, request?: Request): SignalStepResult {
    const out = this.#out;
    if (this.#outUsed) {
      if (out.overrides.length > 0) out.overrides = [];
      if (out.transitions.length > 0) out.transitions = [];
      this.#outUsed = false;
    }
    let pending = request;
    // isNewRequest(this.state, request), on the fields kept here
    if (
      request !== undefined &&
      (request.phase !== this.#requested ||
        request.controller !== this.#controller ||
        this.#inFallback)
    ) {
      this.#refresh();
      this.#run(t0Ms, request);
      pending = undefined;
    }
    if (this.#inFallback || t1Ms >= this.#nextDueMs()) {
      if (pending) this.#refreshRequest = undefined;
      else this.#refresh();
      this.#run(t1Ms, pending);
    } else if (pending) {
      this.#refreshRequest = pending;
      this.#refreshAtMs = t1Ms;
    }
    const controller = this.#inFallback ? FALLBACK_CONTROLLER : this.#controller;
    const last = this.signal;
    if (this.#outUsed || controller !== last.controller) {
      const state = this.state;
      this.signal = {
        v: 1,
        t: t1Ms,
        phase: state.phase,
        interval: state.interval,
        sinceMs: state.sinceMs,
        ...intervalBounds(state),
        movements: this.movementsAt(state) as Record<string, MovementState>,
        controller,
        overrides: out.overrides.slice(-16),
      };
    } else {
      // Nothing but the time changed: a literal is much cheaper than toSignal or a spread.
      this.signal = {
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
      };
    }
    return out;
  }
}

/** @example const s = createFastSignalStepper(config, 0); s.step(0, 1000, { phase: 'ew', controller: 'c' }); */
export const createFastSignalStepper: SignalStepperFactory = (config, atMs, options = {}) =>
  new FastSignalStepper(config, atMs, options);
