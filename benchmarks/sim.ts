/**
 * `npm run bench:sim`: how fast the simulator runs. For a 10×10 grid and a 1,000-intersection
 * grid (25 × 40), one simulated hour each, in-process: wall time, CPU time, simulated seconds
 * per wall second, vehicles per wall second and peak RSS — for the engine alone (the requests
 * of a fixed schedule, no controller) and with each built-in controller on the 1,000 grid, so
 * the costs show apart. Each case runs in its own child process, so its peak RSS is its own.
 * Writes bench-results/sim.json. Target: every built-in, 1,000 intersections × 1 h in < 5 s.
 *
 * Built-ins run on the fast controllers (controller/fast/, the default of an in-process run);
 * `reference:NAME` cases run the same built-in on the reference controllers
 * (controller/intersection-controller.ts), which decide alike, for a before/after in one run.
 *
 * The engine-alone case builds every counts message (as the MQTT runner must); with a built-in
 * controller whose algorithm reads no detector data (fixed-time with a plan) `runScenario` has
 * the engine skip building them, since nobody reads them (the traffic is the same).
 *
 * The child runs with `--no-allocation-site-pretenuring`. Without it V8's pretenuring
 * heuristic sometimes decides, early in a run, that the per-step outputs (a signal and a counts
 * message per intersection per second) are long-lived and allocates them straight into the old
 * generation: the same run then takes about twice the CPU time (and ~100 MB more RSS), in about
 * half of the runs on the 1,000-intersection grid. With the flag every run is in the fast mode.
 *
 * Options (environment): BENCH_SIM_CONTROLLERS (comma-separated built-ins for the grid cases,
 * default all four), BENCH_SIM_REFERENCE=1 (add the reference:NAME cases), BENCH_SIM_CASES
 * (comma-separated case names, default all), BENCH_SIM_REPEAT (runs of each case, default 1:
 * the machine may be shared, so the best and the median of the runs are reported),
 * BENCH_SIM_SUMO_S (simulated seconds of the SUMO case, default 900).
 *
 * SUMO beside OpenPhase (sim-sumo.ts), when `sumo` and `netconvert` are installed: the same
 * 10×10 network and demand in SUMO alone, in SUMO as an engine, and in OpenPhase's engine,
 * with the speed-ups in the report's `sumo` section (goal: OpenPhase ≥ 20× faster).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createIntersectionController } from '../controller/intersection-controller.ts';
import { engineByName } from '../engines/index.ts';
import { runScenario } from '../loop/index.ts';
import type { Request } from '../signal/index.ts';
import { createSimulation } from '../simulator/engine.ts';
import { gridScenario } from '../simulator/grid.ts';
import { parseScenario } from '../simulator/scenario.ts';
import { describeSumoCase, runSumoCase, SUMO_CASE, SUMO_GOAL } from './sim-sumo.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** V8 flags of the child that runs a case (see the header). */
const CHILD_FLAGS = ['--no-allocation-site-pretenuring'];
const BUILTINS = ['fixed-time', 'actuated', 'max-pressure', 'sotl'];
const controllers = process.env.BENCH_SIM_CONTROLLERS?.split(',') ?? BUILTINS;
const withReference = process.env.BENCH_SIM_REFERENCE === '1';
const REPEAT = Math.max(1, Number(process.env.BENCH_SIM_REPEAT ?? 1));

interface Case {
  name: string;
  rows: number;
  cols: number;
  /** undefined: the engine alone */
  controller: string | undefined;
  /** run the reference controllers instead of the fast ones */
  reference?: boolean;
  /** OpenPhase beside SUMO (sim-sumo.ts) */
  sumo?: boolean;
}

const CASES: Case[] = [
  { name: 'grid-10x10/engine', rows: 10, cols: 10, controller: undefined },
  { name: 'grid-10x10/builtin:actuated', rows: 10, cols: 10, controller: 'actuated' },
  { name: 'grid-1000/engine', rows: 25, cols: 40, controller: undefined },
  ...controllers.flatMap((c) => [
    { name: `grid-1000/builtin:${c}`, rows: 25, cols: 40, controller: c },
    ...(withReference
      ? [{ name: `grid-1000/reference:${c}`, rows: 25, cols: 40, controller: c, reference: true }]
      : []),
  ]),
  { name: SUMO_CASE, rows: 10, cols: 10, controller: 'fixed-time', sumo: true },
];

function scenarioOf(c: Case) {
  return parseScenario(
    gridScenario({
      name: `bench-${c.rows}x${c.cols}`,
      rows: c.rows,
      cols: c.cols,
      seed: 1,
      durationS: 3600,
      entryVph: { N: 500, S: 500, E: 600, W: 600 },
    }),
  );
}

/** One case, in this process: prints one JSON line. */
function runCase(c: Case): void {
  const scenario = scenarioOf(c);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let arrived: number;
  let meanDelayS: number;
  if (c.controller) {
    const r = runScenario(scenario, {
      controller: `builtin:${c.controller}`,
      ...(c.reference ? { createController: createIntersectionController } : {}),
    });
    arrived = r.metrics.arrived;
    meanDelayS = r.metrics.meanDelayS;
  } else {
    // the engine alone: every intersection asks for its plan's phase (ns 26 s, ew 26 s)
    const sim = createSimulation(scenario);
    const ns: Request = { phase: 'ns', controller: 'bench' };
    const ew: Request = { phase: 'ew', controller: 'bench' };
    const requests = new Map<string, Request>();
    const ids = scenario.intersections.map((i) => i.id);
    let last: Request | undefined;
    while (!sim.done()) {
      const t = ((sim.nowMs() - sim.startAtMs) / 1000) % 60;
      const r = t < 26 || t >= 56 ? ns : ew;
      // the map changes twice a cycle: refilling it every step would time the driver
      if (r !== last) for (const id of ids) requests.set(id, r);
      last = r;
      sim.step(requests);
    }
    const m = sim.metrics();
    arrived = m.arrived;
    meanDelayS = m.meanDelayS;
  }
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // CPU time too: on a shared machine the wall time also measures the neighbours
  const cpuS = (cpu.user + cpu.system) / 1e6;
  const intersections = c.rows * c.cols;
  console.log(
    JSON.stringify({
      case: c.name,
      intersections,
      simulatedS: scenario.durationS,
      wallS: Math.round(wallS * 1000) / 1000,
      cpuS: Math.round(cpuS * 1000) / 1000,
      simSecondsPerWallSecond: Math.round(scenario.durationS / wallS),
      intersectionStepsPerWallSecond: Math.round((intersections * scenario.durationS) / wallS),
      vehiclesPerWallSecond: Math.round(arrived / wallS),
      vehicles: arrived,
      meanDelayS,
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}

/** One run of a case in a child process (its own peak RSS), with the load average then. */
function runChild(c: Case) {
  const load0 = loadavg()[0]!;
  const out = execFileSync(
    process.execPath,
    [...CHILD_FLAGS, '--import', 'tsx', fileURLToPath(import.meta.url), '--case', c.name],
    { encoding: 'utf8', env: process.env, maxBuffer: 1 << 20 },
  );
  const r = JSON.parse(out.trim().split('\n').at(-1)!);
  return { ...r, loadAverage1m: Math.round(((load0 + loadavg()[0]!) / 2) * 100) / 100 };
}

/** The report's SUMO section: the speed-ups against SUMO, or why SUMO did not run. */
function sumoResult(
  r: { simulatedS: number; speedup: Record<string, number> } | undefined,
  skipped: string | undefined,
) {
  if (!r) return { skipped: skipped ?? 'not asked for (BENCH_SIM_CASES)' };
  return {
    goal: SUMO_GOAL,
    goalMet: r.speedup.wallVsSumoAlone! >= 20 && r.speedup.cpuVsSumoAlone! >= 20,
    simulatedS: r.simulatedS,
    speedup: r.speedup,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
};

async function main(): Promise<void> {
  const only = process.env.BENCH_SIM_CASES?.split(',');
  const results = [];
  let sumoSkipped: string | undefined;
  for (const c of CASES) {
    if (only && !only.includes(c.name)) continue;
    if (c.sumo) {
      // SUMO beside OpenPhase only where SUMO is installed; the report says why not
      sumoSkipped = await engineByName('sumo')
        .check()
        .then(
          () => undefined,
          (e: Error) => e.message,
        );
      if (sumoSkipped) {
        process.stderr.write(`bench:sim ${c.name}: skipped, ${sumoSkipped}\n`);
        continue;
      }
    }
    const runs = [];
    for (let k = 0; k < REPEAT; k++) {
      process.stderr.write(`bench:sim ${c.name}${REPEAT > 1 ? ` (${k + 1}/${REPEAT})` : ''} … `);
      const r = runChild(c);
      runs.push(r);
      process.stderr.write(
        `${r.wallS} s wall (${r.cpuS} s CPU, load ${r.loadAverage1m}), ${r.simSecondsPerWallSecond} sim-s/wall-s, ${r.vehiclesPerWallSecond} veh/wall-s, ${r.peakRssMB} MB peak RSS\n`,
      );
      if (c.sumo) process.stderr.write(describeSumoCase(r));
    }
    // the best run is the one least disturbed by the neighbours; the median says how typical
    const best = runs.reduce((a, b) => (b.wallS < a.wallS ? b : a));
    results.push({
      ...best,
      runs: runs.length,
      medianWallS: median(runs.map((r) => r.wallS)),
      medianCpuS: median(runs.map((r) => r.cpuS)),
      bestCpuS: Math.min(...runs.map((r) => r.cpuS)),
    });
  }
  const big = results.filter((r) => /^grid-1000\/builtin:/.test(r.case));
  const report = {
    bench: 'sim',
    at: new Date().toISOString(),
    machine: {
      cpus: cpus().length,
      cpu: cpus()[0]?.model,
      memMB: Math.round(totalmem() / 2 ** 20),
      node: process.version,
      nodeFlags: CHILD_FLAGS,
      loadAverage: loadavg().map((x) => Math.round(x * 100) / 100),
    },
    target: 'every built-in controller, 1,000 intersections × 1 simulated hour in < 5 s wall',
    targetMet: big.length > 0 ? big.every((r) => r.wallS < 5) : null,
    sumo: sumoResult(
      results.find((r) => r.case === SUMO_CASE),
      sumoSkipped,
    ),
    results,
  };
  const dir = join(here, '..', 'bench-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'sim.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.table(
    results.map((r) => ({
      case: r.case,
      wallS: r.wallS,
      cpuS: r.cpuS,
      medianWallS: r.medianWallS,
      medianCpuS: r.medianCpuS,
      load: r.loadAverage1m,
      vehiclesPerWallSecond: r.vehiclesPerWallSecond,
      peakRssMB: r.peakRssMB,
    })),
  );
  console.log(`wrote bench-results/sim.json (target met: ${report.targetMet})`);
}

const i = process.argv.indexOf('--case');
if (i >= 0) {
  const c = CASES.find((x) => x.name === process.argv[i + 1]);
  if (!c) throw new Error(`unknown case ${process.argv[i + 1]}`);
  if (c.sumo) await runSumoCase(scenarioOf(c), c.rows * c.cols);
  else runCase(c);
} else {
  await main();
}
