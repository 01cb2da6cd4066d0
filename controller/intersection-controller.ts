/**
 * One intersection's controller (pure core): aggregation + a registered algorithm. The
 * simulator (in-process built-ins), the MQTT service and the bench all use this, so a built-in
 * controller and one behind MQTT see exactly the same data and decide exactly the same way.
 * Deterministic: the same messages in the same order give the same decisions.
 */
import type { Counts, IntersectionConfig, Signal } from '../protocol/index.ts';
import {
  type AggregationOptions,
  type AggregationStats,
  addCounts,
  addSignal,
  createAggregation,
} from './aggregation.ts';
import { buildView, decisionView } from './aggregation-view.ts';
import { getAlgorithm } from './algorithms/registry.ts';
import type { AlgorithmOptions, ControllerView } from './types.ts';

export interface IntersectionControllerOptions extends AlgorithmOptions, AggregationOptions {
  /** the id put in decisions (default `openphase-{algorithm}`) */
  controllerId?: string;
  /** extra options passed to the algorithm (e.g. passageS, hysteresisVeh, designFlowVph) */
  [key: string]: unknown;
}

export interface IntersectionController {
  readonly intersection: string;
  readonly algorithm: string;
  readonly controllerId: string;
  /** a validated counts message from any sensor of this intersection */
  onCounts(counts: Counts): void;
  /** a validated signal message of this intersection */
  onSignal(signal: Signal): void;
  /**
   * false when the algorithm reads neither detectors nor movements: counts cannot change its
   * decisions (they still feed `view()` and `stats()` when given)
   */
  readonly readsCounts: boolean;
  /** the phase wanted at `atMs` (the time of the signal being answered) */
  decide(atMs: number): string;
  /**
   * Right after `decide(atMs)`: until when `decide` would answer the same while the signal
   * stays as it is (see Algorithm.stableUntilMs); −Infinity when the algorithm does not say.
   */
  stableUntilMs(): number;
  view(atMs: number): ControllerView;
  /** downstream queue estimates per movement (max-pressure on a network), or undefined */
  setDownstreamQueues(queues: Record<string, number> | undefined): void;
  stats(): AggregationStats & { algorithmErrors: number };
  close(): void;
}

/**
 * Makes one intersection's controller: this file's (the reference) or the fast one
 * (controller/fast/controller.ts); both decide alike.
 */
export type IntersectionControllerFactory = (
  config: IntersectionConfig,
  algorithmName: string,
  options?: IntersectionControllerOptions,
) => IntersectionController;

/**
 * @example
 * const c = createIntersectionController(config, 'actuated');
 * c.onCounts(counts); c.onSignal(signal); const phase = c.decide(signal.t);
 */
export function createIntersectionController(
  config: IntersectionConfig,
  algorithmName: string,
  options: IntersectionControllerOptions = {},
): IntersectionController {
  const factory = getAlgorithm(algorithmName);
  const agg = createAggregation(config, options);
  const algorithm = factory.create(config, options);
  const phaseIds = new Set(config.phases.map((p) => p.id));
  let downstream: Record<string, number> | undefined;
  let algorithmErrors = 0;
  let closed = false;
  /** the last decision came from the algorithm, which may say how long it holds */
  let stable = false;
  const view = (atMs: number): ControllerView => {
    const v = buildView(agg, atMs);
    if (downstream) v.downstreamQueueVeh = downstream;
    return v;
  };
  const reads = algorithm.reads ?? { detectors: true, movements: true };
  return {
    intersection: config.id,
    readsCounts: reads.detectors || reads.movements,
    algorithm: factory.name,
    controllerId: options.controllerId ?? `openphase-${factory.name}`,
    onCounts: (counts) => addCounts(agg, counts),
    onSignal: (signal) => addSignal(agg, signal),
    decide(atMs) {
      // The same view as view(atMs), its detectors and movements built only if read.
      const v = decisionView(agg, atMs, reads);
      if (downstream) v.downstreamQueueVeh = downstream;
      stable = false;
      try {
        const phase = algorithm.decide(v);
        if (phaseIds.has(phase)) {
          // Skipping calls would also skip the view's bookkeeping for movements.
          stable = !reads.movements;
          return phase;
        }
      } catch {
        // fall through: a faulty algorithm holds the current phase, it never crashes the runner
      }
      algorithmErrors++;
      return v.signal.phase;
    },
    stableUntilMs: () =>
      stable && algorithm.stableUntilMs ? algorithm.stableUntilMs() : Number.NEGATIVE_INFINITY,
    view,
    setDownstreamQueues(queues) {
      downstream = queues;
    },
    stats: () => ({ ...agg.stats, algorithmErrors }),
    close() {
      if (closed) return;
      closed = true;
      algorithm.close?.();
    },
  };
}
