/**
 * The TraCI client against real SUMO (Debian's `sumo`): version, step, traffic-light state,
 * detectors, lanes, vehicles, subscriptions, load, and SUMO dying mid-run.
 */
import { execFileSync } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../../rigs/binaries.ts';
import { freePort } from '../../rigs/ports.ts';
import {
  connectTraci,
  DOMAIN,
  SUPPORTED_API_VERSIONS,
  type SumoRun,
  startSumo,
  TraciError,
  VAR,
} from '../../traci/index.ts';
import { buildCrossing, type CrossingFiles, SUMO_ENV } from '../helpers/sumo.ts';

let files: CrossingFiles;
let sumoBinary: string;

beforeAll(async () => {
  sumoBinary = requireBinary('sumo'); // missing SUMO fails here with the apt-get hint
  files = await buildCrossing();
});
afterAll(async () => {
  if (files) await rm(files.dir, { recursive: true, force: true });
});

function start(extra: { apiVersions?: number[] } = {}): Promise<SumoRun> {
  return startSumo({
    net: files.net,
    routes: [files.routes],
    additional: [files.additional],
    args: ['--seed', '1'],
    sumoBinary,
    env: SUMO_ENV,
    cwd: files.dir,
    ...extra,
  });
}

async function rejection(promise: Promise<unknown>): Promise<TraciError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TraciError);
  return error as TraciError;
}

describe('TraCI client against SUMO', () => {
  let run: SumoRun;
  beforeAll(async () => {
    run = await start();
  });
  afterAll(async () => {
    await run?.close();
  });

  it('reports the API version SUMO says it speaks', async () => {
    const version = await run.client.getVersion();
    const banner = execFileSync(sumoBinary, ['--version'], { env: SUMO_ENV }).toString();
    const number = /Version (\d+\.\d+\.\d+)/.exec(banner)?.[1];
    expect(number).toBeDefined();
    expect(version.sumoVersion).toContain(number);
    expect(SUPPORTED_API_VERSIONS).toContain(version.apiVersion);
  });

  it('steps the simulation one step length at a time', async () => {
    const { client } = run;
    const deltaS = await client.simulation.getDeltaTS();
    const before = await client.simulation.getTimeS();
    await client.simulationStep();
    expect(await client.simulation.getTimeS()).toBeCloseTo(before + deltaS, 9);
    await client.simulationStep(before + 5);
    expect(await client.simulation.getTimeS()).toBeCloseTo(before + 5, 9);
  });

  it('lists the objects of the network', async () => {
    const { client } = run;
    expect(await client.trafficLight.getIds()).toEqual([files.tls]);
    expect(await client.inductionLoop.getIds()).toEqual(['loopW']);
    expect(await client.laneArea.getIds()).toEqual(['areaS']);
    expect(await client.lane.getIds()).toEqual(
      expect.arrayContaining([files.westLane, files.southLane]),
    );
    const controlled = await client.trafficLight.getControlledLanes(files.tls);
    expect(new Set(controlled)).toEqual(new Set([files.westLane, files.southLane]));
  });

  it('sets and reads a traffic-light state and phase', async () => {
    const { client } = run;
    const tls = files.tls;
    expect(await client.trafficLight.getProgram(tls)).toBe('0');
    await client.trafficLight.setPhase(tls, 2);
    expect(await client.trafficLight.getPhase(tls)).toBe(2);
    const phase2 = await client.trafficLight.getRedYellowGreenState(tls);
    await client.trafficLight.setPhase(tls, 0);
    const phase0 = await client.trafficLight.getRedYellowGreenState(tls);
    expect(phase0).not.toBe(phase2);
    expect(phase0).toMatch(/^[rGgy]+$/);
    const nowS = await client.simulation.getTimeS();
    await client.trafficLight.setPhaseDurationS(tls, 7);
    expect(await client.trafficLight.getNextSwitchS(tls)).toBeCloseTo(nowS + 7, 6);

    // a state of our own replaces the program and holds over steps
    const allRed = 'r'.repeat(phase0.length);
    await client.trafficLight.setRedYellowGreenState(tls, allRed);
    await client.simulationStep();
    expect(await client.trafficLight.getRedYellowGreenState(tls)).toBe(allRed);
    await client.trafficLight.setRedYellowGreenState(tls, phase2);
    await client.simulationStep();
    expect(await client.trafficLight.getRedYellowGreenState(tls)).toBe(phase2);
  });

  it('a bad id is a clear command error and the connection stays usable', async () => {
    const { client } = run;
    const error = await rejection(client.trafficLight.getRedYellowGreenState('no-such-light'));
    expect(error.code).toBe('TRACI_COMMAND_FAILED');
    expect(error.message).toContain('no-such-light');
    expect(await client.trafficLight.getIds()).toEqual([files.tls]);
  });

  it('subscriptions return detector, lane and vehicle values with every step', async () => {
    const { client } = run;
    const tls = files.tls;
    // West gets green for good, south red: the west loop counts cars, the south area fills.
    const links = await client.trafficLight.getControlledLanes(tls);
    const westGreen = links.map((lane) => (lane === files.westLane ? 'G' : 'r')).join('');
    await client.trafficLight.setRedYellowGreenState(tls, westGreen);

    const loopVars = [VAR.lastStepVehicleNumber, VAR.lastStepOccupancy];
    const areaVars = [VAR.lastStepVehicleNumber, VAR.lastStepHaltingNumber, VAR.jamLengthM];
    const first = await client.subscribe(DOMAIN.inductionLoop, 'loopW', loopVars);
    expect([...first.keys()].sort()).toEqual([...loopVars].sort());
    await client.subscribe(DOMAIN.laneArea, 'areaS', areaVars);
    await client.subscribe(DOMAIN.lane, files.southLane, [VAR.lastStepVehicleNumber]);
    await client.subscribe(DOMAIN.simulation, '', [VAR.time, VAR.departedVehicleIds]);

    let loopCount = 0;
    let maxLoopOccupancy = 0;
    let maxHalting = 0;
    let maxJamM = 0;
    let lastTime = -1;
    const departed = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const step = await client.simulationStep();
      const loop = step.get(DOMAIN.inductionLoop, 'loopW');
      const area = step.get(DOMAIN.laneArea, 'areaS');
      const lane = step.get(DOMAIN.lane, files.southLane);
      const sim = step.get(DOMAIN.simulation, '');
      expect(loop && area && lane && sim).toBeTruthy();
      const time = sim?.get(VAR.time) as number;
      expect(time).toBeGreaterThan(lastTime);
      lastTime = time;
      for (const id of (sim?.get(VAR.departedVehicleIds) ?? []) as string[]) departed.add(id);
      loopCount += loop?.get(VAR.lastStepVehicleNumber) as number;
      maxLoopOccupancy = Math.max(maxLoopOccupancy, loop?.get(VAR.lastStepOccupancy) as number);
      maxHalting = Math.max(maxHalting, area?.get(VAR.lastStepHaltingNumber) as number);
      maxJamM = Math.max(maxJamM, area?.get(VAR.jamLengthM) as number);
      // a subscription holds the same value a get returns at that step
      expect(lane?.get(VAR.lastStepVehicleNumber)).toBe(
        await client.lane.getVehicleNumber(files.southLane),
      );
      expect(area?.get(VAR.lastStepVehicleNumber)).toBe(
        await client.laneArea.getVehicleNumber('areaS'),
      );
    }
    expect(loopCount).toBeGreaterThan(0);
    expect(maxLoopOccupancy).toBeGreaterThan(0);
    expect(maxHalting).toBeGreaterThan(0); // cars stand at the red on the south approach
    expect(maxJamM).toBeGreaterThan(0);
    expect([...departed].some((id) => id.startsWith('we'))).toBe(true);
    expect([...departed].some((id) => id.startsWith('sn'))).toBe(true);
    expect(await client.inductionLoop.getTimeSinceDetectionS('loopW')).toBeGreaterThanOrEqual(0);

    // vehicles: the ones on the south lane stand; the ones on the west approach move
    const southIds = await client.lane.getVehicleIds(files.southLane);
    expect(southIds.length).toBeGreaterThan(0);
    const all = await client.vehicle.getIds();
    expect(all).toEqual(expect.arrayContaining(southIds));
    const leader = southIds[southIds.length - 1] as string;
    expect(await client.vehicle.getLaneId(leader)).toBe(files.southLane);
    expect(await client.vehicle.getRoadId(leader)).toBe('SC');
    expect(await client.vehicle.getSpeedMps(leader)).toBeLessThan(0.1);
    expect(await client.vehicle.getWaitingTimeS(leader)).toBeGreaterThan(0);
    expect(await client.vehicle.getTimeLossS(leader)).toBeGreaterThan(0);

    // unsubscribed objects are no longer in the step's answer
    await client.unsubscribe(DOMAIN.lane, files.southLane);
    const after = await client.simulationStep();
    expect(after.get(DOMAIN.lane, files.southLane)).toBeUndefined();
    expect(after.get(DOMAIN.inductionLoop, 'loopW')).toBeDefined();
  });

  it('load restarts the simulation from time 0', async () => {
    const { client } = run;
    expect(await client.simulation.getTimeS()).toBeGreaterThan(0);
    await client.load(run.args);
    expect(await client.simulation.getTimeS()).toBe(0);
    await client.simulationStep();
    expect(await client.simulation.getTimeS()).toBeGreaterThan(0);
  });
});

describe('TraCI client failures', () => {
  it('SUMO killed mid-call rejects the pending call and every later one, naming the signal', async () => {
    const run = await start();
    const pid = run.process.pid as number;
    await run.client.simulationStep();
    process.kill(pid, 'SIGSTOP'); // SUMO cannot answer: the next call is surely pending
    const pending = run.client.simulationStep();
    process.kill(pid, 'SIGKILL');
    const error = await rejection(pending);
    expect(error.code).toBe('TRACI_SUMO_EXITED');
    expect(error.message).toContain('killed by SIGKILL');
    const later = await rejection(run.client.simulation.getTimeS());
    expect(later.code).toBe('TRACI_SUMO_EXITED');
    await run.close();
    await run.close(); // twice is fine
  });

  it('a SUMO that stops answering fails the call with TRACI_TIMEOUT when callTimeoutMs is set', async () => {
    const run = await startSumo({
      net: files.net,
      routes: [files.routes],
      sumoBinary,
      env: SUMO_ENV,
      cwd: files.dir,
      callTimeoutMs: 300,
    });
    const pid = run.process.pid as number;
    await run.client.simulationStep();
    process.kill(pid, 'SIGSTOP');
    try {
      const error = await rejection(run.client.simulationStep());
      expect(error.code).toBe('TRACI_TIMEOUT');
      expect((await rejection(run.client.simulation.getTimeS())).code).toBe('TRACI_TIMEOUT');
    } finally {
      process.kill(pid, 'SIGKILL');
      await run.close();
    }
  });

  it('every error code is documented in the README', async () => {
    const readme = await readFile(new URL('../../traci/README.md', import.meta.url), 'utf8');
    const source = await readFile(new URL('../../traci/errors.ts', import.meta.url), 'utf8');
    const codes = [...source.matchAll(/'(TRACI_[A-Z_]+)'/g)].map((m) => m[1]);
    expect(codes.length).toBeGreaterThan(5);
    for (const code of codes) expect(readme).toContain(`\`${code}\``);
  });

  it('SUMO exiting at start-up (a bad network) is reported with its own error text', async () => {
    const error = await rejection(
      startSumo({
        net: `${files.dir}/no-such.net.xml`,
        sumoBinary,
        env: SUMO_ENV,
        cwd: files.dir,
      }),
    );
    expect(error.code).toBe('TRACI_SUMO_EXITED');
    expect(error.message).toMatch(/exited with code [1-9]/);
    expect(error.message).toContain('no-such.net.xml');
  });

  it('a version this client does not accept is a clear error', async () => {
    const error = await rejection(start({ apiVersions: [999] }));
    expect(error.code).toBe('TRACI_VERSION_MISMATCH');
    expect(error.message).toMatch(/TraCI API \d+; this client accepts 999/);
  });

  it('a missing sumo binary fails with the install hint', async () => {
    const error = await rejection(
      startSumo({ net: files.net, sumoBinary: '/nonexistent/sumo', env: SUMO_ENV }),
    );
    expect(error.code).toBe('TRACI_SUMO_NOT_FOUND');
    expect(error.message).toContain('apt-get install -y sumo');
  });

  it('nothing listening is a connect error, not a hang', async () => {
    const port = await freePort();
    const error = await rejection(connectTraci({ port, connectTimeoutMs: 200 }));
    expect(error.code).toBe('TRACI_CONNECT_FAILED');
    expect(error.message).toContain(String(port));
  });
});
