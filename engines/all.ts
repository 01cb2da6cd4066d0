/**
 * The engine registry: every traffic engine a scenario can run on, by name. Adding an engine
 * is a folder under engines/ and a line here; `openphase simulate --engine NAME` and the
 * benchmark take their names from this list.
 */
import type { Engine } from './engine.ts';
import { openphaseEngine } from './openphase/index.ts';
import { sumoEngine } from './sumo/index.ts';

export const ENGINES: readonly Engine[] = [openphaseEngine, sumoEngine];

export const ENGINE_NAMES: readonly string[] = ENGINES.map((e) => e.name);

/** The engine called `name`; throws naming the known ones. */
export function engineByName(name: string): Engine {
  const e = ENGINES.find((x) => x.name === name);
  if (!e) throw new Error(`unknown engine '${name}' (engines: ${ENGINE_NAMES.join(', ')})`);
  return e;
}
