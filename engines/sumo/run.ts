/**
 * One scenario run in SUMO over TraCI, as an engine run the one loop drives (engines/engine.ts).
 * Each step: every intersection's request goes through the signal room's stepper (the safety
 * monitor inside), the movement states it approves are set on SUMO's traffic lights, SUMO steps
 * once, and one subscription answer brings back the detectors, the queues and every vehicle's
 * road and time loss. SUMO's own signal program is never in charge.
 *
 * The detectors feed the same sensor bank as OpenPhase's engine (simulator/sensors.ts), so the
 * counts messages have the same shape, sensors, sequence numbers, boots and faults; the metrics
 * go through the same accumulators (simulator/metrics.ts), so they have the same names and
 * definitions (docs/sumo.md lists how each is measured in SUMO).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MovementState } from '../../protocol/index.ts';
import { DEFAULT_SEED } from '../../protocol/index.ts';
import {
  createFastSignalStepper,
  type Request,
  type SignalStepper,
  type Transition,
} from '../../signal/index.ts';
import type { Scenario, StepOptions, StepOutput } from '../../simulator/index.ts';
import { buildReport, MetricsAcc } from '../../simulator/metrics.ts';
import { createSensors } from '../../simulator/sensors.ts';
import { DOMAIN, type StepResult, type SumoRun, startSumo, VAR } from '../../traci/index.ts';
import type { EngineOptions, EngineRun } from '../engine.ts';
import { carModel, detectorLanes, routesXml, vehicleTypeDrivers } from './additional.ts';
import { buildNet, sumoEnv } from './build.ts';
import { sumoNetwork } from './network.ts';
import { sumoVehicles } from './routes.ts';

export interface SumoRunOptions extends EngineOptions {
  /** `sumo` binary (default on PATH) */
  sumoBinary?: string;
  /** `netconvert` binary (default on PATH) */
  netconvertBinary?: string;
  /** write SUMO's files here and keep them (default: a temp dir, removed on close) */
  workDir?: string;
  /** more SUMO arguments, e.g. ['--tripinfo-output', 'trips.xml'] (relative to workDir) */
  sumoArgs?: string[];
}

const LETTER: Record<MovementState, string> = {
  dark: 'O',
  'stop-And-Remain': 'r',
  'protected-Movement-Allowed': 'G',
  'permissive-Movement-Allowed': 'g',
  'protected-clearance': 'y',
  'permissive-clearance': 'y',
};

export async function createSumoRun(
  scenario0: Scenario,
  o: SumoRunOptions = {},
): Promise<EngineRun> {
  const scenario: Scenario = {
    ...scenario0,
    ...(o.durationS !== undefined ? { durationS: o.durationS } : {}),
    ...(o.startAtMs !== undefined ? { startAtMs: o.startAtMs } : {}),
  };
  const seed = o.seed ?? scenario.seed ?? DEFAULT_SEED;
  const sn = sumoNetwork(scenario);
  const net = sn.net;
  const drivers = vehicleTypeDrivers(scenario);
  const { vehicles, leadS } = sumoVehicles(scenario, sn, seed, net.stepMs / 1000);
  const byArrival = vehicles
    .map((_, v) => v)
    .sort((a, b) => vehicles[a]!.arriveS - vehicles[b]!.arriveS);
  const dets = detectorLanes(sn, drivers);
  const dir = o.workDir ?? (await mkdtemp(join(tmpdir(), 'openphase-sumo-')));
  const file = (name: string) => join(dir, name);
  await Promise.all([
    writeFile(
      file('run.rou.xml'),
      routesXml(vehicles, carModel(net.satFlowVphpl, net.freeFlowKmh, drivers)),
    ),
    writeFile(file('detectors.add.xml'), dets.xml),
  ]);
  let sumo: SumoRun | undefined;
  try {
    const netFile = await buildNet(dir, sn, o.netconvertBinary);
    sumo = await startSumo({
      net: netFile,
      routes: [file('run.rou.xml')],
      additional: [file('detectors.add.xml')],
      args: [
        '--step-length',
        String(net.stepMs / 1000),
        '--seed',
        String(seed),
        '--time-to-teleport',
        '-1',
        ...(o.sumoArgs ?? []),
      ],
      env: sumoEnv(),
      cwd: dir,
      ...(o.sumoBinary ? { sumoBinary: o.sumoBinary } : {}),
    });
  } catch (e) {
    await sumo?.close();
    if (!o.workDir) await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const traci = sumo.client;

  const start = net.startAtMs;
  const stepMs = net.stepMs;
  const endMs = start + net.durationMs;
  const ints = net.intersections;
  const index = new Map(ints.map((it, i) => [it.config.id, i]));
  const acc = new MetricsAcc(net);
  const sensing = createSensors(net, scenario, seed, false);
  const bank = sensing.bank;
  const nA = net.approachName.length;

  // The signal room: one stepper per intersection, requests in, approved states out.
  const create = o.signalStepper ?? createFastSignalStepper;
  const steppers: SignalStepper[] = ints.map((it) => create(it.config, start, {}));
  const lastGreen = steppers.map((s) => s.state.phase);
  const pending: Transition[][] = ints.map(() => []);
  const shownState: string[] = ints.map(() => '');
  const stateCache = ints.map(() => new Map<string, string>());
  const stateOf = (i: number, t: Pick<Transition, 'phase' | 'interval' | 'next'>): string => {
    const key = `${t.phase}/${t.interval}/${t.next ?? ''}`;
    let s = stateCache[i]!.get(key);
    if (s === undefined) {
      const states = steppers[i]!.movementsAt({ ...t, sinceMs: 0 } as Transition);
      const it = ints[i]!;
      s = Array.from(
        sn.tlsLinks[i]!,
        (m) => LETTER[states[it.movements[m - it.movementBase]!]!] ?? 'r',
      ).join('');
      stateCache[i]!.set(key, s);
    }
    return s;
  };
  async function show(i: number, state: string): Promise<void> {
    if (state === shownState[i]) return;
    shownState[i] = state;
    await traci.trafficLight.setRedYellowGreenState(ints[i]!.config.id, state);
  }
  for (let i = 0; i < ints.length; i++) await show(i, stateOf(i, steppers[i]!.state));

  // Subscriptions: one answer per step brings everything back.
  await traci.subscribe(DOMAIN.simulation, '', [VAR.departedVehicleIds, VAR.arrivedVehicleIds]);
  const detVars = [VAR.lastStepVehicleIds, VAR.lastStepOccupancy, VAR.lastStepMeanSpeed];
  for (const d of dets.lanes)
    await traci.subscribe(d.kind === 'e1' ? DOMAIN.inductionLoop : DOMAIN.laneArea, d.id, detVars);
  const approachLanes: string[][] = net.approachName.map(() => []);
  for (let g = 0; g < net.groupId.length; g++) {
    const a = net.groupApproach[g]!;
    for (const lane of sn.groupLanes[g]!) approachLanes[a]!.push(`${sn.approachEdge[a]}_${lane}`);
  }
  for (const lanes of approachLanes)
    for (const lane of lanes) await traci.subscribe(DOMAIN.lane, lane, [VAR.lastStepHaltingNumber]);

  // Vehicles: where each is on its route, and its time loss when it reached its approach.
  const nV = vehicles.length;
  const passage = new Int32Array(nV); // index into its passages
  const crossed = new Uint8Array(nV);
  const entryLossS = new Float64Array(nV);
  const lossS = new Float64Array(nV);
  const departLateS = new Float64Array(nV);
  const inserted = new Uint8Array(nV);
  const gone = new Uint8Array(nV);
  // The passage whose arrival has been counted (−1: none yet). OpenPhase's vehicles arrive at
  // the stop line: at the first intersection at their arrival time, at the next ones when they
  // would reach the line at free flow after entering the link's edge (`dueS`, SUMO time).
  const arrivedPass = new Int32Array(nV).fill(-1);
  const dueS = new Float64Array(nV);
  let dueList: number[] = [];
  const ffMps = net.freeFlowKmh / 3.6;
  let nextArrival = 0; // in byArrival
  let nextDue = 0; // in vehicles (SUMO departure order)
  const waiting = new Float64Array(nA); // due in SUMO, not yet let in, per approach
  const prevIds = dets.lanes.map(() => new Set<string>());
  const nD = net.detectors.length;
  const occFrac = new Float64Array(nD);
  const sampleMs = (net.durationMs <= 600_000 ? 10 : 60) * 1000;
  const series = { tS: [] as number[], byIntersection: ints.map(() => [] as number[]) };
  const apprQueue = new Float64Array(nA);
  let now = start;
  const ceilStep = (tS: number) => Math.ceil(tS / (stepMs / 1000) - 1e-9) * (stepMs / 1000);

  /**
   * Follows the vehicles after a SUMO step that ended at SUMO time `sumoS`: departures (then
   * subscribed: road and time loss), stop-line crossings (served, with their delay), entries
   * to the next intersection's approach (arrived there), and vehicles leaving the network.
   */
  async function track(res: StepResult, sumoS: number): Promise<void> {
    const stepS = stepMs / 1000;
    while (nextDue < nV && vehicles[nextDue]!.departS < sumoS) {
      waiting[net.movApproach[vehicles[nextDue]!.passages[0]!]!]!++;
      nextDue++;
    }
    const simVals = res.get(DOMAIN.simulation, '');
    const departed = (simVals?.get(VAR.departedVehicleIds) ?? []) as string[];
    const arrivedIds = (simVals?.get(VAR.arrivedVehicleIds) ?? []) as string[];
    for (const r of res.responses) {
      if (r.subscribeId !== DOMAIN.vehicle.subscribe) continue;
      const v = Number(r.objectId.slice(1));
      const road = r.values.get(VAR.roadId) as string;
      const loss = r.values.get(VAR.timeLoss) as number;
      lossS[v] = loss;
      const veh = vehicles[v]!;
      if (!crossed[v] && road !== veh.edges[passage[v]!]) serve(v, loss);
      if (
        crossed[v] &&
        passage[v]! + 1 < veh.passages.length &&
        road === veh.edges[passage[v]! + 1]
      ) {
        passage[v]!++;
        crossed[v] = 0;
        entryLossS[v] = loss;
        // it entered during the step: at its middle, on average, at the start of the edge
        const a = net.movApproach[veh.passages[passage[v]!]!]!;
        dueS[v] = sumoS - stepS / 2 + sn.approachLengthM[a]! / ffMps;
        dueList.push(v);
      }
    }
    if (dueList.length > 0) {
      for (const v of dueList) if (dueS[v]! <= sumoS) arrive(v);
      dueList = dueList.filter((v) => arrivedPass[v]! < passage[v]!);
    }
    for (const id of arrivedIds) {
      const v = Number(id.slice(1));
      if (!crossed[v] && passage[v]! < vehicles[v]!.passages.length) serve(v, lossS[v]!);
      gone[v] = 1;
    }
    // SUMO let them in during the step that began at sumoS − step. Waiting for the first SUMO
    // step at or after the departure time (less than a step) is not delay; more is.
    for (const id of departed) {
      const v = Number(id.slice(1));
      inserted[v] = 1;
      waiting[net.movApproach[vehicles[v]!.passages[0]!]!]!--;
      departLateS[v] = Math.max(0, sumoS - stepS - ceilStep(vehicles[v]!.departS));
      await traci.subscribe(DOMAIN.vehicle, id, [VAR.roadId, VAR.timeLoss]);
    }
  }

  /** Counts the arrival of vehicle v at its current intersection, once. */
  function arrive(v: number): void {
    if (arrivedPass[v]! >= passage[v]!) return;
    arrivedPass[v] = passage[v]!;
    acc.movArrived[vehicles[v]!.passages[passage[v]!]!]!++;
  }

  function serve(v: number, lossNowS: number): void {
    arrive(v); // (a little faster than free flow over a link: rounding)
    const m = vehicles[v]!.passages[passage[v]!]!;
    const delayS = lossNowS - entryLossS[v]! + (passage[v] === 0 ? departLateS[v]! : 0);
    acc.served(m, Math.max(0, delayS) * 1000);
    crossed[v] = 1;
  }

  // The lead: SUMO runs ahead of t = 0 so the first vehicles reach their stop lines on time.
  async function runLead(): Promise<void> {
    const stepS = stepMs / 1000;
    for (let tS = stepS; tS <= leadS + 1e-9; tS += stepS)
      await track(await traci.simulationStep(tS), tS);
  }

  async function step(
    requests: ReadonlyMap<string, Request>,
    options?: StepOptions,
  ): Promise<StepOutput> {
    if (now >= endMs) throw new Error('the simulation is done');
    const t0 = now;
    const t1 = now + stepMs;
    const out: StepOutput = { atMs: t1, counts: [], signals: [], overrides: [] };
    for (let i = 0; i < ints.length; i++) {
      const id = ints[i]!.config.id;
      const stepper = steppers[i]!;
      const r = stepper.step(t0, t1, requests.get(id));
      for (const ov of r.overrides) {
        acc.overrides[i]![ov.kind]++;
        out.overrides.push({ intersection: id, override: ov });
      }
      for (const tr of r.transitions) {
        pending[i]!.push({ ...tr });
        if (tr.interval === 'green' && tr.phase !== lastGreen[i]) {
          acc.phaseChanges[i]!++;
          lastGreen[i] = tr.phase;
        }
      }
      out.signals.push({
        intersection: id,
        signal: stepper.signal,
        changed: r.transitions.length > 0,
      });
      // SUMO shows, for the whole step, the interval in force at its start (a boundary inside
      // the step counts from the nearer step edge).
      const p = pending[i]!;
      let k = 0;
      while (k < p.length && p[k]!.sinceMs < t0 + stepMs / 2) k++;
      if (k > 0) {
        await show(i, stateOf(i, p[k - 1]!));
        p.splice(0, k);
      }
    }
    // Arrivals: a vehicle arrives (OpenPhase's `arrived`) at its departure time, inserted or not.
    const t1S = (t1 - start) / 1000;
    while (nextArrival < nV && vehicles[byArrival[nextArrival]!]!.arriveS < t1S) {
      arrive(byArrival[nextArrival]!);
      nextArrival++;
    }
    const res = await traci.simulationStep(leadS + t1S);
    now = t1;
    await track(res, leadS + t1S);

    // Detectors: new vehicles on a loop are passages; occupancy is the busiest lane's.
    occFrac.fill(0);
    dets.lanes.forEach((d, k) => {
      const vals = res.get(d.kind === 'e1' ? DOMAIN.inductionLoop : DOMAIN.laneArea, d.id);
      if (!vals) return;
      const ids = vals.get(VAR.lastStepVehicleIds) as string[];
      // A loop's occupancy is the share of the step it was covered; a lane area's is the share
      // of its length covered, so a presence zone is on for the step when anyone is in it.
      const occ =
        d.kind === 'e1'
          ? (vals.get(VAR.lastStepOccupancy) as number) / 100
          : ids.length > 0
            ? 1
            : 0;
      const speed = vals.get(VAR.lastStepMeanSpeed) as number;
      const prev = prevIds[k]!;
      let fresh = 0;
      for (const id of ids) if (!prev.has(id)) fresh++;
      if (fresh > 0) {
        const kmh = speed >= 0 ? speed * 3.6 : net.freeFlowKmh;
        for (let n = 0; n < fresh; n++) bank.passage(d.detector, t0, t0, kmh);
      }
      prevIds[k] = new Set(ids);
      if (occ > occFrac[d.detector]!) occFrac[d.detector] = occ;
    });
    for (let d = 0; d < nD; d++)
      if (occFrac[d]! > 0) bank.occupy(d, t0, t0 + Math.min(1, occFrac[d]!) * stepMs);

    // Queues: halting vehicles on each approach, and those waiting to get in.
    const dtS = stepMs / 1000;
    for (let a = 0; a < nA; a++) {
      let q = waiting[a]!;
      for (const lane of approachLanes[a]!)
        q += (res.get(DOMAIN.lane, lane)?.get(VAR.lastStepHaltingNumber) as number) ?? 0;
      apprQueue[a] = q;
      acc.apprQueueSum[a]! += q * dtS;
      if (q > acc.apprQueueMax[a]!) acc.apprQueueMax[a] = q;
    }
    if ((t1 - start) % sampleMs === 0) {
      series.tS.push((t1 - start) / 1000);
      ints.forEach((it, i) => {
        let sum = 0;
        for (const a of it.approaches) sum += apprQueue[a]!;
        series.byIntersection[i]!.push(sum);
      });
    }
    if (nD > 0 && (t1 - start) % net.countIntervalMs === 0)
      out.counts = sensing.close(t1, () => Number.NaN, options?.counts ?? true);
    return out;
  }

  /** Vehicles that arrived at an intersection and have not crossed it, with their delay so far. */
  function stranded() {
    const movement: number[] = [];
    const delayS: number[] = [];
    const nowS = (now - start) / 1000;
    for (let v = 0; v < nV; v++) {
      if (arrivedPass[v] !== passage[v] || gone[v] || crossed[v]) continue;
      const veh = vehicles[v]!;
      movement.push(veh.passages[passage[v]!]!);
      if (!inserted[v]) delayS.push(Math.max(0, leadS + nowS - ceilStep(veh.departS)));
      else
        delayS.push(
          Math.max(0, lossS[v]! - entryLossS[v]! + (passage[v] === 0 ? departLateS[v]! : 0)),
        );
    }
    return { movement, delayS };
  }

  try {
    await runLead();
  } catch (e) {
    await sumo.close();
    if (!o.workDir) await rm(dir, { recursive: true, force: true });
    throw e;
  }
  let closing: Promise<void> | undefined;
  const report = () => buildReport(acc, stranded(), now - start);
  return {
    engine: 'sumo',
    startAtMs: start,
    stepMs,
    seed,
    nowMs: () => now,
    done: () => now >= endMs,
    configs: () => ints.map((it) => it.config),
    sensors: () =>
      net.sensors.map((s) => ({ intersection: ints[s.intersection]!.config.id, sensor: s.id })),
    step,
    signal(intersection) {
      const i = index.get(intersection);
      if (i === undefined) throw new Error(`unknown intersection '${intersection}'`);
      return steppers[i]!.signal;
    },
    metrics: () => report().metrics,
    report,
    queueSeries: () => ({
      tS: [...series.tS],
      byIntersection: Object.fromEntries(
        ints.map((it, i) => [it.config.id, [...series.byIntersection[i]!]]),
      ),
    }),
    close() {
      closing ??= (async () => {
        await sumo.close();
        if (!o.workDir) await rm(dir, { recursive: true, force: true });
      })();
      return closing;
    },
  };
}
