/**
 * The fast controllers (controller/fast/) decide exactly as the reference ones: on every
 * bundled scenario and for every built-in, an in-process run with fast controllers (the default
 * transport, which also skips what cannot change a decision) gives the same request for every
 * intersection at every tick as reference controllers fed every message and asked every tick,
 * and the same metrics. Short runs (the first 20 simulated minutes) keep CI lean; the detector
 * faults scenario runs long enough to see its faults begin.
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALGORITHMS } from '../../controller/algorithms/registry.ts';
import { createFastIntersectionController } from '../../controller/fast/controller.ts';
import { FAST_DECIDERS } from '../../controller/fast/registry.ts';
import {
  createIntersectionController,
  type IntersectionControllerFactory,
} from '../../controller/intersection-controller.ts';
import {
  type ControllerTransport,
  createInProcessTransport,
  createLoop,
  createPlainTransport,
  lockstep,
} from '../../loop/index.ts';
import type { Counts, Scenario, Signal } from '../../protocol/index.ts';
import { createSimulation, type Simulation } from '../../simulator/engine.ts';
import { loadScenario } from '../../simulator/scenario.ts';
import { mulberry32 } from '../contracts/controller-loop.ts';
import { nema8, twoPhase } from '../fixtures/intersections.ts';

const SCENARIOS = readdirSync(new URL('../../simulator/scenarios/', import.meta.url))
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\.yaml$/, ''))
  .sort();

/** Every request of every tick, one line per tick (the final tick's answer included). */
function decisionStream(sim: Simulation, inner: ControllerTransport) {
  const ids = sim.configs().map((c) => c.id);
  const log: string[] = [];
  const transport: ControllerTransport = {
    ...inner,
    take(atMs, strict, into) {
      inner.take(atMs, strict, into);
      log.push(ids.map((id) => `${into.get(id)!.phase}/${into.get(id)!.controller}`).join());
    },
  };
  createLoop({ sim, transport, clock: lockstep() }).runSync();
  transport.take(sim.nowMs(), true, new Map());
  inner.close();
  return { log, metrics: sim.report() };
}

function options(scenario: Scenario, sim: Simulation, algorithm: string) {
  return {
    seed: sim.seed,
    saturationFlowVphpl: scenario.saturationFlowVphpl ?? 1800,
    lostTimePerPhaseS: (scenario.startupLostS ?? 2) + (scenario.yellowUnusedS ?? 1),
    controllerId: `builtin-${algorithm}`,
  };
}

/** The reference: reference controllers, every message, asked every tick. */
function referenceRun(scenario: Scenario, algorithm: string, durationS: number) {
  const sim = createSimulation(scenario, { durationS });
  const ctls = sim
    .configs()
    .map((c) => createIntersectionController(c, algorithm, options(scenario, sim, algorithm)));
  return decisionStream(sim, createPlainTransport(sim, ctls));
}

/** The default in-process run: fast controllers, and the transport's own shortcuts. */
function fastRun(scenario: Scenario, algorithm: string, durationS: number) {
  const sim = createSimulation(scenario, { durationS });
  return decisionStream(sim, createInProcessTransport(sim, scenario, `builtin:${algorithm}`));
}

describe('fast controllers', () => {
  it('have a twin for every built-in that reads detectors (fixed-time has its own promise)', () => {
    const twins = FAST_DECIDERS.map((f) => f.name).sort();
    expect(twins).toEqual(
      ALGORITHMS.map((a) => a.name)
        .filter((n) => n !== 'fixed-time')
        .sort(),
    );
  });

  for (const name of SCENARIOS) {
    it(`decide as the reference on ${name}, every built-in, every tick`, async () => {
      const scenario = await loadScenario(name);
      // long enough for the detector faults to start (they begin at 10-20 min)
      const durationS = name === 'detector-faults' ? 2400 : 1200;
      for (const a of ALGORITHMS) {
        const want = referenceRun(scenario, a.name, durationS);
        const got = fastRun(scenario, a.name, durationS);
        expect(got.log.length, `${name} ${a.name}`).toBe(want.log.length);
        const first = got.log.findIndex((line, i) => line !== want.log[i]);
        expect(first, `${name} ${a.name}: first differing tick`).toBe(-1);
        expect(got.metrics, `${name} ${a.name}`).toEqual(want.metrics);
      }
    }, 120_000);
  }

  it('decide as the reference under random message streams with losses and faults', () => {
    // Messages a simulation never sends: late, duplicated, lost, dropouts, stuck detectors.
    const T0 = Date.UTC(2026, 0, 1);
    for (const config of [twoPhase, nema8]) {
      for (const a of FAST_DECIDERS) {
        const factories: IntersectionControllerFactory[] = [
          createIntersectionController,
          createFastIntersectionController,
        ];
        const [ref, fast] = factories.map((f) => f(config, a.name, { controllerId: 'c' }));
        const rand = mulberry32(7);
        let seq = 0;
        let phase = config.phases[0]!.id;
        let since = T0;
        let interval: Signal['interval'] = 'green';
        const dets = ref!.view(T0).detectors;
        for (let t = 1; t <= 3000; t++) {
          const atMs = T0 + t * 1000;
          if (rand() < 0.9) {
            const counts: Counts = {
              v: 1,
              sensor: 's',
              boot: t < 1500 ? 'b1' : 'b2',
              seq: seq++,
              from: atMs - 1000 - (rand() < 0.05 ? 20_000 : 0),
              to: atMs,
              detectors: Object.keys(dets)
                .filter((id) => !(t > 600 && t < 1000 && id.startsWith('N')))
                .map((id) => {
                  const stuck = t > 2000 && id.startsWith('E');
                  const count = stuck ? 0 : rand() < 0.3 ? 1 + Math.floor(rand() * 2) : 0;
                  const occupancy = stuck ? 1 : Math.round(rand() * (count ? 600 : 50)) / 1000;
                  return { id, count, occupancy };
                }),
            };
            ref!.onCounts(counts);
            fast!.onCounts(counts);
            if (rand() < 0.03) {
              ref!.onCounts(counts);
              fast!.onCounts(counts);
            }
          } else seq++;
          // the signal follows the reference's wish, with yellow and red clearance between
          const want = ref!.decide(atMs);
          expect(fast!.decide(atMs), `${config.id} ${a.name} t=${t}`).toBe(want);
          if (interval === 'green' && want !== phase && atMs - since >= 5000) {
            interval = 'yellow';
            since = atMs;
          } else if (interval === 'yellow' && atMs - since >= 3000) {
            interval = 'red-clearance';
            since = atMs;
          } else if (interval === 'red-clearance' && atMs - since >= 1000) {
            interval = 'green';
            phase = want;
            since = atMs;
          }
          const p = config.phases.find((x) => x.id === phase)!;
          const movements: Signal['movements'] = {};
          for (const q of config.phases)
            for (const m of q.movements) movements[m] = 'stop-And-Remain';
          if (interval === 'green')
            for (const m of p.movements) movements[m] = 'protected-Movement-Allowed';
          const sig: Signal = {
            v: 1,
            t: atMs,
            phase,
            interval,
            sinceMs: since,
            minEndMs: since + p.minGreenS * 1000,
            maxEndMs: since + p.maxGreenS * 1000,
            movements,
            controller: 'c',
            overrides: [],
          };
          ref!.onSignal(sig);
          fast!.onSignal(sig);
        }
        expect(fast!.stats(), `${config.id} ${a.name}`).toEqual(ref!.stats());
        expect(fast!.view(T0 + 3001_000)).toEqual(ref!.view(T0 + 3001_000));
      }
    }
  });
});
