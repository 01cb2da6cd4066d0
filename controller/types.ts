/**
 * The contracts of the decision half (pure core): what an algorithm sees, what it returns,
 * and how it is registered. Algorithms only ever see detector data and the signal state —
 * never the simulator's true queues — exactly what a field controller would know.
 */
import type { IntersectionConfig, Interval } from '../protocol/index.ts';

/** The signal state as a controller sees it (from the `signal` message). */
export interface SignalView {
  phase: string;
  interval: Interval;
  sinceMs: number;
  minEndMs: number;
  maxEndMs: number;
}

/** Aggregates of one detector. Windows: last interval, 1 min, 5 min, 15 min. */
export interface DetectorView {
  id: string;
  kind: 'stop-bar' | 'advance';
  movements: string[];
  /** vehicles in the last counts interval */
  lastCount: number;
  /** occupancy of the last interval, 0..1 (undefined when the sensor does not send it) */
  lastOccupancy: number | undefined;
  /** epoch ms of the end of the last interval received, or undefined */
  lastToMs: number | undefined;
  /** ms since the detector last counted a vehicle (occupancy > 0 or count > 0) */
  gapMs: number;
  flowVph: { last: number; m1: number; m5: number; m15: number };
  occupancy: { m1: number; m5: number; m15: number };
  /** no data for N intervals, or stuck: algorithms must treat the movement as calling */
  failed: boolean;
}

/** Aggregates of one movement (lane group), from its detectors. */
export interface MovementView {
  movement: string;
  flowVph: { m1: number; m5: number; m15: number };
  /** vehicles estimated waiting: advance counts minus stop-bar counts, bounded at 0 */
  queueVeh: number;
  /** a vehicle is waiting or arriving (call), or the detector failed (recall) */
  call: boolean;
  /** all the movement's detectors failed: the algorithm must fall back to recall */
  failed: boolean;
  /** share of expected messages received in the window, 0..1 (from boot/seq) */
  completeness: number;
  /** ms since the movement was last green (0 while green; since the first message if never) */
  redMs?: number;
}

/** What an algorithm sees when it decides. */
export interface ControllerView {
  /** the time of the counts being answered (in lockstep, the tick), epoch ms */
  atMs: number;
  config: IntersectionConfig;
  signal: SignalView;
  /** built on first read during `decide` (aggregation-view.ts); read it there, not later */
  detectors: Record<string, DetectorView>;
  /** built on first read during `decide`, like `detectors` */
  movements: Record<string, MovementView>;
  /** downstream queue estimates per movement, when the controller knows the network (max-pressure) */
  downstreamQueueVeh?: Record<string, number>;
}

/**
 * What an algorithm's `decide` reads of the view besides `atMs`, `config`, `signal` and
 * `downstreamQueueVeh`. A promise, not a permission: reading more still works, only slower.
 */
export interface AlgorithmReads {
  /** `view.detectors` (their windows come from the counts messages) */
  detectors: boolean;
  /** `view.movements` (queues, calls, the arrival-rate memory of failed movements) */
  movements: boolean;
}

/** One algorithm instance, serving one intersection. `decide` must be deterministic. */
export interface Algorithm {
  /** The phase wanted now (the safety monitor decides what the heads show). */
  decide(view: ControllerView): string;
  /** Releases what the algorithm holds, if anything; safe to call twice. */
  close?(): void;
  /**
   * What `decide` reads (default: everything). Reading no movements spares the aggregation
   * its per-decision bookkeeping; reading neither detectors nor movements means counts cannot
   * change a decision, so an in-process run need not aggregate them (simulator/run.ts).
   */
  readonly reads?: AlgorithmReads;
  /**
   * Optional, for algorithms that read no movements: right after `decide(view)`, the time
   * until which `decide` would give the same phase and leave its own state as it is, for any
   * view with the same signal (phase, interval, sinceMs, minEndMs, maxEndMs and movement
   * states) and `atMs` from the view's up to, not including, that time. An in-process run
   * answers such ticks from the last decision instead of asking again: the same decisions,
   * without the calls. −Infinity (or absent): ask every time.
   */
  stableUntilMs?(): number;
}

export interface AlgorithmOptions {
  seed?: number;
  /** saturation flow per lane, veh/h/lane, for Webster and max-pressure (default 1800) */
  saturationFlowVphpl?: number;
  /** lost time per phase, seconds (default startup lost 2 s + yellow unused 1 s) */
  lostTimePerPhaseS?: number;
  /** IANA zone of a time-of-day schedule whose config names none (default UTC) */
  timeZone?: string;
}

/** A registered algorithm: one file, one line in `controller/algorithms/registry.ts`. */
export interface AlgorithmFactory {
  name: string;
  /** one sentence for --help and the docs */
  summary: string;
  create(config: IntersectionConfig, options?: AlgorithmOptions): Algorithm;
}
