/**
 * The one list of control algorithms. Adding one: a file in this folder and a line here (the
 * contract suite, the docs test, `--algorithm` and the bench all read this list).
 */
import type { AlgorithmFactory } from '../types.ts';
import { actuated } from './actuated.ts';
import { fixedTime } from './fixed-time.ts';
import { maxPressure } from './max-pressure.ts';
import { sotl } from './sotl.ts';

export const ALGORITHMS: AlgorithmFactory[] = [fixedTime, actuated, maxPressure, sotl];

/** Error code for an unknown algorithm name. */
export const UNKNOWN_ALGORITHM = 'OP_UNKNOWN_ALGORITHM';

/**
 * The registered algorithm called `name`; throws an error listing the known names.
 * @example getAlgorithm('actuated').create(config).decide(view)
 */
export function getAlgorithm(name: string): AlgorithmFactory {
  const found = ALGORITHMS.find((a) => a.name === name);
  if (!found) {
    const err = new Error(
      `unknown algorithm '${name}'; known: ${ALGORITHMS.map((a) => a.name).join(', ')}`,
    ) as Error & { code: string };
    err.code = UNKNOWN_ALGORITHM;
    throw err;
  }
  return found;
}
