/**
 * The signal room: what the heads show. The safety monitor (a pure MMU-style state machine),
 * the request a controller makes, and the stepper that turns requests into signal states over
 * time. Everything that drives signal heads — simulator, benchmark, conformance kit, a field
 * gateway — imports from here, and this folder imports only `protocol/`.
 */

export { createFastSignalStepper } from './fast-stepper.ts';
export {
  createMonitor,
  DEFAULT_WATCHDOG_S,
  FALLBACK_CONTROLLER,
  fallbackGreenS,
  intervalBounds,
  MIN_YELLOW_S,
  type MonitorOptions,
  type MonitorState,
  monitorStep,
  movementStates,
  type StepResult,
  toSignal,
} from './monitor.ts';
export type { Request } from './request.ts';
export {
  createSignalStepper,
  isNewRequest,
  type SignalStepper,
  type SignalStepperFactory,
  type SignalStepResult,
  type Transition,
} from './stepper.ts';
