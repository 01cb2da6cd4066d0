/**
 * loop/: the one control loop — engine, controllers, clock — and what it runs on: the two
 * clocks (lockstep with a deadline, real time with a speed factor) and the controller
 * transports (in-process built-ins, MQTT). The MQTT simulation shell is `loop/mqtt-simulation.ts`
 * (imported separately: it does I/O).
 */
export {
  type Clock,
  type LockstepOptions,
  lockstep,
  type RealtimeOptions,
  realtime,
} from './clock.ts';
export {
  builtinName,
  createInProcessTransport,
  type InProcessOptions,
  type InProcessTransport,
  type SignalSource,
} from './in-process.ts';
export { createPlainTransport } from './in-process-plain.ts';
export { createLoop, type Loop, type LoopEngine, type LoopOptions } from './loop.ts';
export { type RunOptions, type RunResult, runScenario } from './run.ts';
export {
  type EngineRunOptions,
  type EngineRunResult,
  RunStoppedError,
  runOnEngine,
} from './run-engine.ts';
export type { ControllerTransport } from './transport.ts';
