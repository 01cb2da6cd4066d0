/**
 * One interface for the traffic engines a scenario can run on (engines/all.ts lists them): an
 * engine creates a run that the one loop (loop/loop.ts) drives tick by tick, with the same
 * step output (counts messages, signals, overrides) and the same metrics as OpenPhase's own
 * engine, whatever simulates the vehicles.
 */
import type { Scenario } from '../protocol/index.ts';
import type { Request, SignalStepperFactory } from '../signal/index.ts';
import type { Simulation, StepOptions, StepOutput } from '../simulator/index.ts';

export interface EngineOptions {
  /** random seed; default the scenario's */
  seed?: number;
  /** simulated duration, seconds; default the scenario's */
  durationS?: number;
  /** simulated epoch ms at t = 0; default the scenario's */
  startAtMs?: number;
  /** the signal room's stepper for every intersection (default: the fast one) */
  signalStepper?: SignalStepperFactory;
}

/**
 * One run of a scenario on an engine. The shape of `Simulation` (simulator/engine.ts), except
 * that `step` may return a promise (an engine in another process answers over a socket) and
 * the run holds resources until `close()` (safe twice).
 */
export interface EngineRun extends Omit<Simulation, 'step'> {
  /** the engine's registry name */
  readonly engine: string;
  step(
    requests: ReadonlyMap<string, Request>,
    options?: StepOptions,
  ): StepOutput | Promise<StepOutput>;
  close(): Promise<void>;
}

export interface Engine {
  /** registry name, e.g. `openphase`, `sumo` */
  readonly name: string;
  /** one line for `--help` and reports */
  readonly description: string;
  /** whether a step waits (another process): such runs take the loop's async path */
  readonly async: boolean;
  /** rejects with a plain-words error (what to install) when the engine cannot run here */
  check(): Promise<void>;
  create(scenario: Scenario, options?: EngineOptions): Promise<EngineRun>;
}
