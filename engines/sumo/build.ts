/** Writes a SUMO network's plain XML into a directory and builds it with `netconvert`. */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { SumoNetwork } from './network.ts';

/** SUMO's tools want SUMO_HOME; Debian installs SUMO under /usr/share/sumo. */
export const sumoEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  SUMO_HOME: process.env.SUMO_HOME ?? '/usr/share/sumo',
});

/** Builds `dir/net.net.xml`; returns its path. */
export async function buildNet(
  dir: string,
  sn: SumoNetwork,
  netconvert = 'netconvert',
): Promise<string> {
  const file = (name: string) => join(dir, name);
  await Promise.all([
    writeFile(file('net.nod.xml'), sn.xml.nodes),
    writeFile(file('net.edg.xml'), sn.xml.edges),
    writeFile(file('net.con.xml'), sn.xml.connections),
    writeFile(file('net.tll.xml'), sn.xml.tls),
  ]);
  const out = file('net.net.xml');
  await promisify(execFile)(
    netconvert,
    [
      '--node-files',
      file('net.nod.xml'),
      '--edge-files',
      file('net.edg.xml'),
      '--connection-files',
      file('net.con.xml'),
      '--tllogic-files',
      file('net.tll.xml'),
      '--no-turnarounds',
      'true',
      // OpenPhase's saturation flow holds for turns too: no speed limit from curvature
      '--junctions.limit-turn-speed',
      '-1',
      '-o',
      out,
    ],
    { env: sumoEnv(), maxBuffer: 16 << 20 },
  );
  return out;
}
