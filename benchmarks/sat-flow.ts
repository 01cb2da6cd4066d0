/**
 * `npm run bench:sat-flow`: saturation flow and lost time of OpenPhase's engine and of SUMO on
 * the same approach, with the same driver conventions (docs/scenarios.md, Driver conventions).
 * One lane (N-through) fills during a red with ~66 vehicles, gets a 45 s green that ends with
 * the queue still standing, then its yellow. From the vehicles crossing the stop line step by step:
 * saturation headway h (vehicles 5–20, least squares), saturation flow 3600/h, start-up lost
 * time L (vehicle k crosses at green + L + (k − ½)·h), the vehicles and seconds of yellow used
 * (crossings after the yellow starts, × h), and the lost time per phase change
 * L + yellow + all-red − yellow used. Writes bench-results/sat-flow.json.
 * Options: BENCH_SAT_DRIVERS (JSON for the scenario's drivers, default the HCM defaults),
 * BENCH_SAT_STEP_S (step, default 0.25 s), BENCH_SAT_DEBUG=1 (print the first crossings).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { engineByName } from '../engines/index.ts';
import { driversOf, type Scenario } from '../protocol/index.ts';
import { parseScenario } from '../simulator/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const drivers = process.env.BENCH_SAT_DRIVERS ? JSON.parse(process.env.BENCH_SAT_DRIVERS) : {};

const scenario: Scenario = parseScenario({
  name: 'sat-flow',
  durationS: 200,
  // short steps: crossing times to a quarter second
  stepS: Number(process.env.BENCH_SAT_STEP_S ?? 0.25),
  arrivals: 'uniform',
  drivers,
  intersections: [
    {
      v: 1,
      id: 'a',
      approaches: { N: { lanes: 1 }, S: { lanes: 1 }, E: { lanes: 1 }, W: { lanes: 1 } },
      phases: [
        { id: 'ns', movements: ['N-through', 'S-through'], minGreenS: 5, maxGreenS: 90 },
        { id: 'ew', movements: ['E-through', 'W-through'], minGreenS: 5, maxGreenS: 90 },
      ],
      yellowS: 3,
      allRedS: 1,
      watchdogS: 30,
    },
  ],
  demand: [
    {
      intersection: 'a',
      movement: 'N-through',
      flowVph: [
        [0, 3000],
        [80, 3000],
        [80.001, 0],
      ],
    },
  ],
});

/** ns wanted from 100 s to 150 s, ew otherwise: a 45 s green on a standing queue. */
const wanted = (tS: number) => (tS >= 100 && tS < 150 ? 'ns' : 'ew');

async function measure(engineName: string) {
  const engine = engineByName(engineName);
  await engine.check();
  const run = await engine.create(scenario, { seed: 1 });
  const crossings: number[] = [];
  let greenAtS: number | undefined;
  let yellowAtS: number | undefined;
  try {
    let served = 0;
    while (!run.done()) {
      const t0 = (run.nowMs() - run.startAtMs) / 1000;
      await run.step(new Map([['a', { phase: wanted(t0), controller: 'sat-flow' }]]));
      const t1 = (run.nowMs() - run.startAtMs) / 1000;
      const s = run.signal('a');
      const since = (s.sinceMs - run.startAtMs) / 1000;
      // the measured green is the one asked for at 100 s (ns is also green at the start)
      if (since >= 100 && s.phase === 'ns' && s.interval === 'green') greenAtS ??= since;
      if (greenAtS !== undefined && s.phase === 'ns' && s.interval === 'yellow')
        yellowAtS ??= since;
      const now = run.metrics().served;
      // n crossings in the step (t0, t1]: spread evenly inside it
      const n = now - served;
      for (let k = 0; k < n; k++) crossings.push(t0 + ((k + 0.5) / n) * (t1 - t0));
      served = now;
    }
  } finally {
    await run.close();
  }
  if (greenAtS === undefined || yellowAtS === undefined) throw new Error('no green/yellow seen');
  const inGreen = crossings.filter((t) => t >= greenAtS!);
  // least squares of t_k on k over vehicles 5..20 (1-based)
  const ks = Array.from({ length: 16 }, (_, i) => i + 5);
  const ts = ks.map((k) => inGreen[k - 1]!);
  const mk = ks.reduce((a, b) => a + b, 0) / ks.length;
  const mt = ts.reduce((a, b) => a + b, 0) / ts.length;
  const h =
    ks.reduce((a, k, i) => a + (k - mk) * (ts[i]! - mt), 0) /
    ks.reduce((a, k) => a + (k - mk) ** 2, 0);
  const lostS = ts.reduce((a, t, i) => a + (t - greenAtS! - (ks[i]! - 0.5) * h), 0) / ts.length;
  const afterYellow = inGreen.filter((t) => t >= yellowAtS! && t < yellowAtS! + 4);
  const yellowUsedS = afterYellow.length * h;
  const r2 = (x: number) => Math.round(x * 100) / 100;
  if (process.env.BENCH_SAT_DEBUG)
    console.error(engineName, inGreen.slice(0, 8).map(r2), afterYellow.map(r2));
  return {
    engine: engineName,
    greenAtS: r2(greenAtS),
    yellowAtS: r2(yellowAtS),
    saturationHeadwayS: r2(h),
    saturationFlowVphpl: Math.round(3600 / h),
    startUpLostS: r2(lostS),
    vehiclesInYellow: afterYellow.length,
    yellowUsedS: r2(yellowUsedS),
    lostTimePerPhaseS: r2(lostS + 3 + 1 - yellowUsedS),
  };
}

const cpu0 = process.cpuUsage();
const wall0 = performance.now();
const results = [];
for (const e of ['openphase', 'sumo']) results.push(await measure(e));
const cpu = process.cpuUsage(cpu0);
const report = {
  drivers: driversOf(scenario, 3),
  saturationFlowVphplSet: 1800,
  results,
  wallS: Math.round(performance.now() - wall0) / 1000,
  cpuS: Math.round((cpu.user + cpu.system) / 1000) / 1000,
  loadAverage1m: Math.round(loadavg()[0]! * 100) / 100,
};
const dir = join(here, '..', 'bench-results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'sat-flow.json'), `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(report, null, 2));
