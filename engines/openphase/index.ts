/** OpenPhase's own engine (simulator/engine.ts), in-process and synchronous: the fast path. */
import type { Scenario } from '../../protocol/index.ts';
import { createSimulation, type Simulation } from '../../simulator/index.ts';
import type { Engine, EngineOptions, EngineRun } from '../engine.ts';

/** The simulation itself, as an engine run (its step never waits). */
export function openphaseRun(scenario: Scenario, o: EngineOptions = {}): EngineRun & Simulation {
  const sim = createSimulation(
    o.startAtMs === undefined ? scenario : { ...scenario, startAtMs: o.startAtMs },
    {
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(o.durationS !== undefined ? { durationS: o.durationS } : {}),
      ...(o.signalStepper ? { signalStepper: o.signalStepper } : {}),
    },
  );
  return Object.assign(sim, { engine: 'openphase', close: async () => {} });
}

export const openphaseEngine: Engine = {
  name: 'openphase',
  description: "OpenPhase's mesoscopic vertical-queue engine, in-process",
  async: false,
  check: async () => {},
  create: async (scenario, o) => openphaseRun(scenario, o),
};
