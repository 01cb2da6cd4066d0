/**
 * bench:sim's SUMO case (benchmarks/sim.ts runs it in a child, when `sumo` and `netconvert` are
 * installed): the same 10×10 network and demand — the same vehicles — for BENCH_SIM_SUMO_S
 * simulated seconds (default 900: SUMO takes minutes for the hour), one after the other in one
 * process: OpenPhase's engine with built-in fixed-time controllers on the one loop; SUMO as an
 * engine (`--engine sumo`: TraCI, the signal room, the same controllers); SUMO alone (its own
 * fixed-time programs, no TraCI: the microsimulation's own cost). Wall and CPU time of each,
 * SUMO's process included, and how many times faster OpenPhase is. Goal: ≥ 20×.
 */
import { childrenCpuS, runSumoAlone } from '../engines/sumo/alone.ts';
import { runOnEngine } from '../loop/index.ts';
import type { Scenario } from '../protocol/index.ts';

export const SUMO_CASE = 'grid-10x10/openphase-vs-sumo';
export const SUMO_GOAL = 'OpenPhase ≥ 20× faster than SUMO on the same 10×10 network and demand';
const sumoS = Number(process.env.BENCH_SIM_SUMO_S ?? 900);
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const times = (x: number, y: number) => Math.round((x / y) * 10) / 10;

/** Wall and CPU time of `f`, this process's and its finished children's (SUMO). */
async function measure<T>(f: () => Promise<T>) {
  const cpu0 = process.cpuUsage();
  const kids0 = await childrenCpuS();
  const t0 = performance.now();
  const out = await f();
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6 + ((await childrenCpuS()) - kids0);
  return { out, wallS: r3(wallS), cpuS: r3(cpuS) };
}

/** Runs the three and prints one JSON line (the case's result). */
export async function runSumoCase(scenario: Scenario, intersections: number): Promise<void> {
  const opts = { controller: 'builtin:fixed-time', seed: 1, durationS: sumoS };
  const op = await measure(() => runOnEngine(scenario, { ...opts, engine: 'openphase' }));
  const engine = await measure(() => runOnEngine(scenario, { ...opts, engine: 'sumo' }));
  const alone = await runSumoAlone(scenario, { seed: 1, durationS: sumoS });
  console.log(
    JSON.stringify({
      case: SUMO_CASE,
      intersections,
      simulatedS: sumoS,
      vehicles: alone.vehicles,
      openphase: {
        wallS: op.wallS,
        cpuS: op.cpuS,
        passages: op.out.metrics.arrived,
        meanDelayS: op.out.metrics.meanDelayS,
      },
      sumoEngine: {
        wallS: engine.wallS,
        cpuS: engine.cpuS,
        passages: engine.out.metrics.arrived,
        meanDelayS: engine.out.metrics.meanDelayS,
      },
      sumoAlone: { wallS: r3(alone.wallS), cpuS: r3(alone.cpuS), inserted: alone.inserted },
      // how many times faster OpenPhase's engine is: SUMO's time / OpenPhase's
      speedup: {
        wallVsSumoAlone: times(alone.wallS, op.wallS),
        cpuVsSumoAlone: times(alone.cpuS, op.cpuS),
        wallVsSumoEngine: times(engine.wallS, op.wallS),
        cpuVsSumoEngine: times(engine.cpuS, op.cpuS),
      },
      // the headline fields every case reports (OpenPhase's run)
      wallS: op.wallS,
      cpuS: op.cpuS,
      simSecondsPerWallSecond: Math.round(sumoS / op.wallS),
      vehiclesPerWallSecond: Math.round(op.out.metrics.arrived / op.wallS),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
}

/** The line bench:sim prints under the case. */
export function describeSumoCase(r: {
  simulatedS: number;
  openphase: { wallS: number; cpuS: number };
  sumoAlone: { wallS: number; cpuS: number };
  sumoEngine: { wallS: number; cpuS: number };
  speedup: Record<string, number>;
}): string {
  const s = r.speedup;
  return (
    `  ${r.simulatedS} simulated s: OpenPhase ${r.openphase.wallS} s wall (${r.openphase.cpuS} s CPU), SUMO alone ${r.sumoAlone.wallS} s (${r.sumoAlone.cpuS} s CPU), SUMO as an engine over TraCI ${r.sumoEngine.wallS} s (${r.sumoEngine.cpuS} s CPU)\n` +
    `  OpenPhase is ${s.wallVsSumoAlone}× faster than SUMO alone in wall time (${s.cpuVsSumoAlone}× in CPU), ${s.wallVsSumoEngine}× than SUMO as an engine (${s.cpuVsSumoEngine}× in CPU)\n`
  );
}
