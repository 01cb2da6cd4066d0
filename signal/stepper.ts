/**
 * Signal stepping: the one place that turns a requested phase into signal states over time.
 * A stepper owns one intersection's monitor state; each `step(t0Ms, t1Ms, request)` applies a
 * new request at t0Ms (the tick it answers), advances to t1Ms with every interval boundary at
 * its exact time, and runs the watchdog when requests stop. The simulator, the benchmark, the
 * conformance kit and a field gateway drive their signals through this interface.
 */
import type { IntersectionConfig, MovementState, Override, Signal } from '../protocol/index.ts';
import {
  createMonitor,
  type MonitorOptions,
  type MonitorState,
  monitorStep,
  movementStates,
  type StepResult,
  toSignal,
} from './monitor.ts';
import type { Request } from './request.ts';

/** An interval entered during a step, with its exact start (epoch ms). */
export type Transition = StepResult['transitions'][number];

/** What one step did. A stepper may reuse this object: read it before the next step. */
export interface SignalStepResult {
  /** monitor interventions during this step, in order */
  overrides: Override[];
  /** every interval entered during this step, in order */
  transitions: Transition[];
}

export interface SignalStepper {
  /** the monitor state now (never changed in place: each step makes a new one) */
  readonly state: MonitorState;
  /** the `signal` message as of the last step (or of creation) */
  readonly signal: Signal;
  /**
   * Advances from t0Ms to t1Ms. A request takes effect at t0Ms when it differs from the
   * standing one (or the watchdog runs the fallback plan); a repeat of the standing request
   * counts at t1Ms and only refreshes the watchdog.
   */
  step(t0Ms: number, t1Ms: number, request?: Request): SignalStepResult;
  /** the movement states shown during a transition's interval (read only) */
  movementsAt(t: Transition): Readonly<Record<string, MovementState>>;
}

export type SignalStepperFactory = (
  config: IntersectionConfig,
  atMs: number,
  options?: MonitorOptions,
) => SignalStepper;

/** True when `request` changes what the monitor would do (not a mere repeat). */
export function isNewRequest(s: MonitorState, request: Request | undefined): request is Request {
  return (
    request !== undefined &&
    (request.phase !== s.requested || request.controller !== s.controller || s.inFallback)
  );
}

/**
 * The plain stepper: the monitor at every step. The reference every other stepper must match
 * (tests/contracts/signal-stepper.contract.ts).
 * @example const s = createSignalStepper(config, 0); s.step(0, 1000, { phase: 'ew', controller: 'c' }); s.signal;
 */
export const createSignalStepper: SignalStepperFactory = (config, atMs, options = {}) => {
  let state = createMonitor(config, atMs, options);
  let signal = toSignal(state, atMs);
  return {
    get state() {
      return state;
    },
    get signal() {
      return signal;
    },
    step(t0Ms, t1Ms, request) {
      const out: SignalStepResult = { overrides: [], transitions: [] };
      let pending = request;
      if (isNewRequest(state, request)) {
        state = collect(monitorStep(state, t0Ms, request), out);
        pending = undefined;
      }
      state = collect(monitorStep(state, t1Ms, pending), out);
      signal = toSignal(state, t1Ms, out.overrides);
      return out;
    },
    movementsAt: (t) =>
      movementStates({ ...state, phase: t.phase, interval: t.interval, next: t.next }),
  };
};

function collect(r: StepResult, out: SignalStepResult): MonitorState {
  for (const o of r.overrides) out.overrides.push(o);
  for (const t of r.transitions) out.transitions.push(t);
  return r.state;
}
