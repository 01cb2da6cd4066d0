/**
 * SUMO alone, without TraCI, for the speed benchmark (`npm run bench:sim`): the same network and
 * vehicles as the sumo engine, each traffic light running its intersection's fixed-time plan as
 * SUMO's own program, SUMO run to the end in one go. What the microsimulation itself costs, with
 * no controller, signal room or client in the loop.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DEFAULT_SEED } from '../../protocol/index.ts';
import type { Scenario } from '../../simulator/index.ts';
import { carModel, routesXml, vehicleTypeDrivers } from './additional.ts';
import { buildNet, sumoEnv } from './build.ts';
import { sumoNetwork } from './network.ts';
import { sumoVehicles } from './routes.ts';

export interface SumoAloneResult {
  /** SUMO's run alone (network built before), wall seconds */
  wallS: number;
  /** CPU seconds of the SUMO process */
  cpuS: number;
  /** vehicles written (OpenPhase's arrivals) and those SUMO let in */
  vehicles: number;
  inserted: number;
}

/** User + system CPU seconds of this process's waited-for children (Linux /proc). */
export async function childrenCpuS(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  // fields after the command name (which may hold spaces): cutime and cstime are 16 and 17
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / 100;
}

export async function runSumoAlone(
  scenario0: Scenario,
  o: { seed?: number; durationS?: number; sumoBinary?: string } = {},
): Promise<SumoAloneResult> {
  const scenario = o.durationS === undefined ? scenario0 : { ...scenario0, durationS: o.durationS };
  const seed = o.seed ?? scenario.seed ?? DEFAULT_SEED;
  const sn = sumoNetwork(scenario, { fixedTimePrograms: true });
  const stepS = sn.net.stepMs / 1000;
  const { vehicles, leadS } = sumoVehicles(scenario, sn, seed, stepS);
  const dir = await mkdtemp(join(tmpdir(), 'openphase-sumo-alone-'));
  try {
    const net = await buildNet(dir, sn);
    const routes = join(dir, 'run.rou.xml');
    await writeFile(
      routes,
      routesXml(
        vehicles,
        carModel(sn.net.satFlowVphpl, sn.net.freeFlowKmh, vehicleTypeDrivers(scenario)),
      ),
    );
    const stats = join(dir, 'stats.xml');
    const cpu0 = await childrenCpuS();
    const t0 = performance.now();
    await promisify(execFile)(
      o.sumoBinary ?? 'sumo',
      [
        '-n',
        net,
        '-r',
        routes,
        '--step-length',
        String(stepS),
        '--end',
        String(leadS + sn.net.durationMs / 1000),
        '--seed',
        String(seed),
        '--time-to-teleport',
        '-1',
        '--no-step-log',
        'true',
        '--no-warnings',
        'true',
        '--statistic-output',
        stats,
      ],
      { env: sumoEnv(), maxBuffer: 16 << 20 },
    );
    const wallS = (performance.now() - t0) / 1000;
    const cpuS = (await childrenCpuS()) - cpu0;
    const text = await readFile(stats, 'utf8');
    const inserted = Number(/<vehicles [^>]*inserted="(\d+)"/.exec(text)?.[1] ?? Number.NaN);
    return { wallS, cpuS, vehicles: vehicles.length, inserted };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
