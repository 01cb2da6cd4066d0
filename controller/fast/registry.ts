/**
 * The fast twins of the registered algorithms (controller/algorithms/registry.ts). Adding one:
 * a file in this folder and a line here; the fast-decision test and the contract suite then
 * hold it to its reference. An algorithm without a twin runs as the reference.
 */
import { fastActuated } from './actuated.ts';
import type { FastDeciderFactory } from './decider.ts';
import { fastMaxPressure } from './max-pressure.ts';
import { fastSotl } from './sotl.ts';

export const FAST_DECIDERS: FastDeciderFactory[] = [fastActuated, fastMaxPressure, fastSotl];

export function getFastDecider(name: string): FastDeciderFactory | undefined {
  return FAST_DECIDERS.find((f) => f.name === name);
}
