/** engines/: the traffic engines a scenario runs on (registry in all.ts), one folder each. */
export { ENGINE_NAMES, ENGINES, engineByName } from './all.ts';
export type { Engine, EngineOptions, EngineRun } from './engine.ts';
export { openphaseRun } from './openphase/index.ts';
