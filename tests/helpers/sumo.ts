/** A tiny SUMO network for TraCI tests: one signalised crossing, two one-lane approaches. */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireBinary } from '../../rigs/binaries.ts';

export const SUMO_ENV = { ...process.env, SUMO_HOME: process.env.SUMO_HOME ?? '/usr/share/sumo' };

export interface CrossingFiles {
  readonly dir: string;
  readonly net: string;
  readonly routes: string;
  readonly additional: string;
  /** Junction (and traffic light) id. */
  readonly tls: 'C';
  /** West approach lane (induction loop 'loopW' on it) and south approach lane (lane area 'areaS'). */
  readonly westLane: 'WC_0';
  readonly southLane: 'SC_0';
}

/**
 * Builds the crossing with netconvert in a temp dir: W→E and S→N through a signal at C,
 * a flow of `periodS`-spaced cars on each approach for `durationS`.
 */
export async function buildCrossing(periodS = 4, durationS = 60): Promise<CrossingFiles> {
  const netconvert = requireBinary('netconvert');
  const dir = await mkdtemp(join(tmpdir(), 'openphase-traci-'));
  await writeFile(
    join(dir, 'crossing.nod.xml'),
    `<nodes>
  <node id="W" x="-200" y="0"/>
  <node id="E" x="200" y="0"/>
  <node id="S" x="0" y="-200"/>
  <node id="N" x="0" y="200"/>
  <node id="C" x="0" y="0" type="traffic_light"/>
</nodes>
`,
  );
  await writeFile(
    join(dir, 'crossing.edg.xml'),
    `<edges>
  <edge id="WC" from="W" to="C" numLanes="1" speed="13.89"/>
  <edge id="CE" from="C" to="E" numLanes="1" speed="13.89"/>
  <edge id="SC" from="S" to="C" numLanes="1" speed="13.89"/>
  <edge id="CN" from="C" to="N" numLanes="1" speed="13.89"/>
</edges>
`,
  );
  const routes = join(dir, 'crossing.rou.xml');
  await writeFile(
    routes,
    `<routes>
  <vType id="car" length="5" minGap="2.5" maxSpeed="13.89"/>
  <flow id="we" type="car" from="WC" to="CE" begin="0" end="${durationS}" period="${periodS}" departSpeed="max"/>
  <flow id="sn" type="car" from="SC" to="CN" begin="0" end="${durationS}" period="${periodS}" departSpeed="max"/>
</routes>
`,
  );
  const additional = join(dir, 'crossing.add.xml');
  await writeFile(
    additional,
    `<additional>
  <inductionLoop id="loopW" lane="WC_0" pos="150" period="60" file="NUL"/>
  <laneAreaDetector id="areaS" lane="SC_0" pos="100" endPos="190" period="60" file="NUL"/>
</additional>
`,
  );
  const net = join(dir, 'crossing.net.xml');
  await promisify(execFile)(
    netconvert,
    [
      '--node-files',
      join(dir, 'crossing.nod.xml'),
      '--edge-files',
      join(dir, 'crossing.edg.xml'),
      '--no-turnarounds',
      'true',
      '-o',
      net,
    ],
    { env: SUMO_ENV },
  );
  return { dir, net, routes, additional, tls: 'C', westLane: 'WC_0', southLane: 'SC_0' };
}
