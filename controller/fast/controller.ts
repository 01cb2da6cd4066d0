/**
 * The fast intersection controller: the same {@link IntersectionController} as
 * intersection-controller.ts (the reference), on the same aggregation, but the decision reads
 * the aggregation state directly through a fast twin of the algorithm (registry.ts) instead of
 * building a view for it. Same messages in, same decisions out
 * (tests/unit/controller-fast-decisions.test.ts); an algorithm without a twin is the reference.
 */

import type { IntersectionConfig } from '../../protocol/index.ts';
import { addCounts, addSignal, createAggregation } from '../aggregation.ts';
import { buildView } from '../aggregation-view.ts';
import { getAlgorithm } from '../algorithms/registry.ts';
import {
  createIntersectionController,
  type IntersectionController,
  type IntersectionControllerOptions,
} from '../intersection-controller.ts';
import { createStateReader } from './reader.ts';
import { getFastDecider } from './registry.ts';

/**
 * @example
 * const c = createFastIntersectionController(config, 'actuated');
 * c.onCounts(counts); c.onSignal(signal); const phase = c.decide(signal.t);
 */
export function createFastIntersectionController(
  config: IntersectionConfig,
  algorithmName: string,
  options: IntersectionControllerOptions = {},
): IntersectionController {
  const fast = getFastDecider(algorithmName);
  if (!fast) return createIntersectionController(config, algorithmName, options);
  const factory = getAlgorithm(algorithmName);
  const agg = createAggregation(config, options);
  const reader = createStateReader(agg);
  const decider = fast.create(reader, options);
  const phaseIds = new Set(config.phases.map((p) => p.id));
  let algorithmErrors = 0;
  return {
    intersection: config.id,
    // the twins read detectors and movements, as their references do
    readsCounts: true,
    algorithm: factory.name,
    controllerId: options.controllerId ?? `openphase-${factory.name}`,
    onCounts: (counts) => addCounts(agg, counts),
    onSignal: (signal) => addSignal(agg, signal),
    decide(atMs) {
      reader.begin(atMs);
      try {
        const phase = decider.decide(atMs);
        if (phaseIds.has(phase)) return phase;
      } catch {
        // as the reference: a faulty algorithm holds the current phase, it never crashes
      }
      algorithmErrors++;
      return reader.current.signal.phase;
    },
    // the twins read movements: no promise (as their references)
    stableUntilMs: () => Number.NEGATIVE_INFINITY,
    view(atMs) {
      const v = buildView(agg, atMs);
      if (reader.downstream) v.downstreamQueueVeh = reader.downstream;
      return v;
    },
    setDownstreamQueues(queues) {
      reader.downstream = queues;
    },
    stats: () => ({ ...agg.stats, algorithmErrors }),
    close() {
      // the twins hold nothing to release
    },
  };
}
