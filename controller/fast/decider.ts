/**
 * The contract of a fast decider: an algorithm's twin that decides on the aggregation state
 * through a {@link StateReader}, with no view objects. A fast controller (controller.ts) runs
 * it where the reference runs the algorithm on a view; the two give the same decisions
 * (tests/unit/controller-fast-decisions.test.ts) and pass the same contract suite.
 */
import type { AlgorithmOptions } from '../types.ts';
import type { StateReader } from './reader.ts';

export interface FastDecider {
  /** as `Algorithm.decide`, on the reader's state at `atMs` (after `reader.begin(atMs)`) */
  decide(atMs: number): string;
}

export interface FastDeciderFactory {
  /** the registered algorithm (controller/algorithms/registry.ts) this is the twin of */
  name: string;
  create(reader: StateReader, options?: AlgorithmOptions & Record<string, unknown>): FastDecider;
}
