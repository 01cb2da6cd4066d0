/**
 * The engine registry and the loop's async path: an engine whose step answers later (as SUMO
 * does over TraCI) is driven by the same loop, controllers and signal room, tick for tick —
 * here OpenPhase's own engine behind a promise gives exactly the synchronous run's results.
 */
import { describe, expect, it } from 'vitest';
import { ENGINE_NAMES, type EngineRun, engineByName, openphaseRun } from '../../engines/index.ts';
import { createInProcessTransport, createLoop, lockstep, runOnEngine } from '../../loop/index.ts';
import { runScenario } from '../../loop/run.ts';
import { loadScenario } from '../../simulator/index.ts';

describe('engine registry', () => {
  it('names every engine and refuses an unknown one, listing them', () => {
    expect(ENGINE_NAMES).toEqual(['openphase', 'sumo']);
    expect(() => engineByName('vissim')).toThrow(
      /unknown engine 'vissim' \(engines: openphase, sumo\)/,
    );
  });

  it('runs OpenPhase through the registry with the same metrics as runScenario', async () => {
    const scenario = await loadScenario('two-phase');
    const direct = runScenario(scenario, {
      controller: 'builtin:actuated',
      seed: 3,
      durationS: 600,
    });
    const viaRegistry = await runOnEngine(scenario, {
      engine: 'openphase',
      controller: 'builtin:actuated',
      seed: 3,
      durationS: 600,
    });
    expect(viaRegistry.engine).toBe('openphase');
    expect(viaRegistry.metrics).toEqual(direct.metrics);
  });
});

describe('the loop with an engine that answers later', () => {
  it('gives the same signals, counts and metrics as the synchronous path', async () => {
    const scenario = await loadScenario('four-phase-unbalanced');
    const opts = { seed: 2, durationS: 600 };
    const sync = openphaseRun(scenario, opts);
    const syncSignals: string[] = [];
    const syncTransport = createInProcessTransport(sync, scenario, 'builtin:actuated');
    createLoop({
      sim: sync,
      transport: syncTransport,
      clock: lockstep(),
      onStep: (out) => syncSignals.push(JSON.stringify([out.signals, out.counts])),
    }).runSync();

    const inner = openphaseRun(scenario, opts);
    let awaited = 0;
    const later: EngineRun = {
      ...inner,
      step: (requests, o) =>
        new Promise((resolve) =>
          setImmediate(() => {
            awaited++;
            resolve(inner.step(requests, o));
          }),
        ),
    };
    const asyncSignals: string[] = [];
    const transport = createInProcessTransport(later, scenario, 'builtin:actuated');
    const loop = createLoop({
      sim: later,
      transport,
      clock: lockstep(),
      onStep: (out) => asyncSignals.push(JSON.stringify([out.signals, out.counts])),
    });
    await loop.run();
    expect(awaited).toBe(600);
    expect(asyncSignals).toEqual(syncSignals);
    expect(inner.report()).toEqual(sync.report());
  });

  it('refuses to run it synchronously, saying why', async () => {
    const scenario = await loadScenario('two-phase');
    const inner = openphaseRun(scenario, { durationS: 10 });
    const later: EngineRun = { ...inner, step: async (r, o) => inner.step(r, o) };
    const transport = createInProcessTransport(later, scenario, 'builtin:fixed-time');
    expect(() => createLoop({ sim: later, transport, clock: lockstep() }).runSync()).toThrow(
      /the engine had to wait \(use run\(\)\)/,
    );
  });
});
