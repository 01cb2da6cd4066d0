/**
 * Compiles a validated scenario into flat, indexed arrays the engine loops over (pure).
 * Every movement, lane group, approach, link and detector gets a global index; the hot loop
 * then touches typed arrays only. Defaults of the scenario format are applied here, once.
 */
import {
  type Detector,
  type DriverFields,
  detectorsOf,
  driversOf,
  exitApproach,
  type IntersectionConfig,
  laneGroups,
  parseMovement,
  type Scenario,
  servedMovements,
} from '../protocol/index.ts';

export const DEFAULT_START_MS = Date.UTC(2026, 0, 1);
/** Road length a stopped vehicle occupies (vehicle + gap), metres. */
export const JAM_SPACING_M = 7;
/** Length of a boundary approach when the config gives none, metres. */
const DEFAULT_APPROACH_M = 300;

export interface DetectorNet {
  id: string;
  intersection: number;
  kind: 'stop-bar' | 'advance';
  /** bitmask over the intersection's local movement indices */
  mask: number;
  /** an advance detector is covered once its lane group queues this many vehicles */
  coverQueueVeh: number;
  sensor: number;
  /** lane groups whose vehicles can cross it */
  groups: Int32Array;
}

export interface SensorNet {
  id: string;
  intersection: number;
  detectors: number[];
}

export interface LinkNet {
  from: number;
  to: number;
  /** downstream approach (global index) */
  approach: number;
  travelMs: number;
  /** cumulative turning shares over `turnMov` (global movement indices) */
  turnCum: Float64Array;
  turnMov: Int32Array;
}

export interface IntersectionNet {
  config: IntersectionConfig;
  /** served movements, sorted; local index = position, global = movementBase + local */
  movements: string[];
  movementBase: number;
  groups: number[];
  approaches: number[];
  detectors: number[];
  sensors: number[];
}

export interface Net {
  startAtMs: number;
  stepMs: number;
  durationMs: number;
  countIntervalMs: number;
  arrivals: 'poisson' | 'uniform';
  satFlowVphpl: number;
  startupLostMs: number;
  /** where each intersection's yellowUsedS comes from (it depends on its yellow): driversOf */
  driverFields: DriverFields;
  /** a queue standing over an advance detector hides the vehicles that join it */
  advanceOcclusion: boolean;
  freeFlowKmh: number;
  intersections: IntersectionNet[];
  movName: string[];
  movIntersection: Int32Array;
  movGroup: Int32Array;
  movApproach: Int32Array;
  movLocal: Int32Array;
  /** link the movement leaves onto, or −1 when it leaves the network */
  movExitLink: Int32Array;
  groupId: string[];
  groupIntersection: Int32Array;
  groupApproach: Int32Array;
  groupLanes: Int32Array;
  groupHeadwayMs: Float64Array;
  groupDetectors: Int32Array[];
  approachName: string[];
  approachIntersection: Int32Array;
  approachLanes: Int32Array;
  /** vehicles the approach holds (in transit to it + queued) before it blocks upstream */
  approachCapacity: Float64Array;
  links: LinkNet[];
  detectors: DetectorNet[];
  sensors: SensorNet[];
}

/** Sensor id of a detector: its `sensor`, else `{intersection}-det` (docs/protocol.md, Timing). */
export function sensorIdOf(config: IntersectionConfig, d: Detector): string {
  return d.sensor ?? `${config.id}-det`;
}

const TURN_KEYS = ['left', 'through', 'right'] as const;

export function compileNetwork(scenario: Scenario): Net {
  const stepMs = Math.round((scenario.stepS ?? 1) * 1000);
  const countMs = Math.round((scenario.countIntervalS ?? scenario.stepS ?? 1) * 1000);
  const satFlow = scenario.saturationFlowVphpl ?? 1800;
  const freeFlowKmh = scenario.freeFlowSpeedKmh ?? 50;
  // startUpLostS and advanceOcclusion do not depend on the yellow
  const drivers = driversOf(scenario, 0);
  const net: Net = {
    startAtMs: scenario.startAtMs ?? DEFAULT_START_MS,
    stepMs,
    durationMs: Math.round(scenario.durationS * 1000),
    // Counts close at step ends: the interval is a whole number of steps.
    countIntervalMs: Math.max(1, Math.round(countMs / stepMs)) * stepMs,
    arrivals: scenario.arrivals ?? 'poisson',
    satFlowVphpl: satFlow,
    startupLostMs: drivers.startUpLostS * 1000,
    driverFields: scenario,
    advanceOcclusion: drivers.advanceOcclusion,
    freeFlowKmh,
    intersections: [],
    movName: [],
    movIntersection: new Int32Array(0),
    movGroup: new Int32Array(0),
    movApproach: new Int32Array(0),
    movLocal: new Int32Array(0),
    movExitLink: new Int32Array(0),
    groupId: [],
    groupIntersection: new Int32Array(0),
    groupApproach: new Int32Array(0),
    groupLanes: new Int32Array(0),
    groupHeadwayMs: new Float64Array(0),
    groupDetectors: [],
    approachName: [],
    approachIntersection: new Int32Array(0),
    approachLanes: new Int32Array(0),
    approachCapacity: new Float64Array(0),
    links: [],
    detectors: [],
    sensors: [],
  };
  const mov: { int: number; group: number; appr: number; local: number }[] = [];
  const grp: { int: number; appr: number; lanes: number }[] = [];
  const appr: { int: number; lanes: number; lengthM: number | undefined }[] = [];
  const apprIndex = new Map<string, number>(); // `${int}/${approach}`
  const movIndex = new Map<string, number>(); // `${int}/${movement}`

  scenario.intersections.forEach((config, ii) => {
    const movements = servedMovements(config);
    const it: IntersectionNet = {
      config,
      movements,
      movementBase: mov.length,
      groups: [],
      approaches: [],
      detectors: [],
      sensors: [],
    };
    movements.forEach((m, local) => {
      movIndex.set(`${ii}/${m}`, mov.length);
      net.movName.push(m);
      mov.push({ int: ii, group: -1, appr: -1, local });
    });
    for (const g of laneGroups(config)) {
      const key = `${ii}/${g.approach}`;
      let a = apprIndex.get(key);
      if (a === undefined) {
        a = appr.length;
        apprIndex.set(key, a);
        appr.push({ int: ii, lanes: 0, lengthM: config.approaches[g.approach]?.lengthM });
        net.approachName.push(g.approach);
        it.approaches.push(a);
      }
      appr[a]!.lanes += g.lanes;
      const gi = grp.length;
      grp.push({ int: ii, appr: a, lanes: g.lanes });
      net.groupId.push(g.id);
      it.groups.push(gi);
      for (const m of g.movements) {
        const mi = movIndex.get(`${ii}/${m}`)!;
        mov[mi]!.group = gi;
        mov[mi]!.appr = a;
      }
    }
    net.intersections.push(it);
  });

  const nMov = mov.length;
  net.movIntersection = Int32Array.from(mov, (m) => m.int);
  net.movGroup = Int32Array.from(mov, (m) => m.group);
  net.movApproach = Int32Array.from(mov, (m) => m.appr);
  net.movLocal = Int32Array.from(mov, (m) => m.local);
  net.movExitLink = new Int32Array(nMov).fill(-1);
  net.groupIntersection = Int32Array.from(grp, (g) => g.int);
  net.groupApproach = Int32Array.from(grp, (g) => g.appr);
  net.groupLanes = Int32Array.from(grp, (g) => g.lanes);
  net.groupHeadwayMs = Float64Array.from(grp, (g) => 3_600_000 / (satFlow * g.lanes));
  net.approachIntersection = Int32Array.from(appr, (a) => a.int);
  net.approachLanes = Int32Array.from(appr, (a) => a.lanes);
  net.approachCapacity = Float64Array.from(
    appr,
    (a) => (a.lanes * (a.lengthM ?? DEFAULT_APPROACH_M)) / JAM_SPACING_M,
  );

  const intIndex = new Map(scenario.intersections.map((c, i) => [c.id, i]));
  const ffMps = freeFlowKmh / 3.6;
  for (const l of scenario.links ?? []) {
    const from = intIndex.get(l.from)!;
    const to = intIndex.get(l.to)!;
    const a = apprIndex.get(`${to}/${l.entry}`);
    if (a === undefined) continue; // no served movement on the entry: rejected by checkScenario
    const toConfig = scenario.intersections[to]!;
    const turnMov: number[] = [];
    const shares: number[] = [];
    for (const t of TURN_KEYS) {
      const mi = movIndex.get(`${to}/${l.entry}-${t}`);
      if (mi === undefined) continue;
      const share = l.turning ? (l.turning[t] ?? 0) : t === 'through' ? 1 : 0;
      turnMov.push(mi);
      shares.push(share);
    }
    let total = shares.reduce((s, x) => s + x, 0);
    if (total <= 0) {
      // No share given for any served turn: spread evenly over the served turns.
      shares.fill(1);
      total = shares.length;
    }
    let acc = 0;
    const turnCum = Float64Array.from(shares, (s) => (acc += s / total));
    turnCum[turnCum.length - 1] = 1;
    const li = net.links.length;
    net.links.push({
      from,
      to,
      approach: a,
      travelMs: l.travelS * 1000,
      turnCum,
      turnMov: Int32Array.from(turnMov),
    });
    const lengthM = toConfig.approaches[l.entry]?.lengthM ?? Math.max(l.travelS * ffMps, 50);
    net.approachCapacity[a] =
      l.storageVeh ?? Math.max(1, Math.round((appr[a]!.lanes * lengthM) / JAM_SPACING_M));
    const fromConfig = scenario.intersections[from]!;
    for (const m of net.intersections[from]!.movements) {
      if (exitApproach(fromConfig, m) === l.exit) {
        net.movExitLink[movIndex.get(`${from}/${m}`)!] = li;
      }
    }
  }

  const groupDetectors: number[][] = grp.map(() => []);
  net.intersections.forEach((it, ii) => {
    const sensorIndex = new Map<string, number>();
    for (const d of detectorsOf(it.config)) {
      let mask = 0;
      const groups = new Set<number>();
      for (const m of d.movements) {
        const local = it.movements.indexOf(m);
        if (local < 0) continue;
        mask |= 1 << local;
        groups.add(mov[it.movementBase + local]!.group);
      }
      const sid = sensorIdOf(it.config, d);
      let s = sensorIndex.get(sid);
      if (s === undefined) {
        s = net.sensors.length;
        sensorIndex.set(sid, s);
        net.sensors.push({ id: sid, intersection: ii, detectors: [] });
        it.sensors.push(s);
      }
      const di = net.detectors.length;
      const lanes = Math.max(1, ...[...groups].map((g) => grp[g]!.lanes));
      const distance = d.distanceM ?? (d.kind === 'advance' ? 60 : 0);
      net.detectors.push({
        id: d.id,
        intersection: ii,
        kind: d.kind,
        mask,
        coverQueueVeh: Math.max(1, distance / JAM_SPACING_M) * lanes,
        sensor: s,
        groups: Int32Array.from(groups),
      });
      net.sensors[s]!.detectors.push(di);
      it.detectors.push(di);
      for (const g of groups) groupDetectors[g]!.push(di);
    }
  });
  net.groupDetectors = groupDetectors.map((d) => Int32Array.from(d));
  return net;
}

/** The turn of a movement name, for per-approach reports. */
export function turnOf(movement: string): string {
  return parseMovement(movement)?.turn ?? movement;
}
