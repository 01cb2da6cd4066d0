/**
 * SUMO as an engine (docs/sumo.md): the scenario exported to SUMO plain XML and built with
 * `netconvert`, the same vehicles per seed, the signal room's states set over TraCI each step.
 */
import { accessSync, constants } from 'node:fs';
import type { Engine } from '../engine.ts';
import { createSumoRun } from './run.ts';

export const SUMO_INSTALL =
  'install SUMO: apt-get install sumo (Debian/Ubuntu; it brings netconvert), with SUMO_HOME=/usr/share/sumo';

/** Absolute path of `name` on PATH, or undefined. */
function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(':').filter(Boolean)) {
    try {
      accessSync(`${dir}/${name}`, constants.X_OK);
      return `${dir}/${name}`;
    } catch {
      // not here
    }
  }
  return undefined;
}

export const sumoEngine: Engine = {
  name: 'sumo',
  description: 'SUMO, the microsimulator, driven over TraCI (needs sumo and netconvert)',
  async: true,
  async check() {
    const missing = ['sumo', 'netconvert'].filter((b) => !which(b));
    if (missing.length > 0)
      throw new Error(
        `the sumo engine needs ${missing.join(' and ')}, not found on PATH: ${SUMO_INSTALL}`,
      );
  },
  create: (scenario, options) => createSumoRun(scenario, options),
};
