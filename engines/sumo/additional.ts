/**
 * What SUMO reads besides the network (pure): the drivers' vehicle type, the vehicles with
 * their exact departure times and routes, and the detectors at the scenario's positions —
 * an advance detector as an induction loop on each lane of its lane group `distanceM` before
 * the stop line, a stop-bar detector as a lane-area detector over the last metres before it.
 */
import { driversOf, type Drivers as ProtocolDrivers } from '../../protocol/index.ts';
import type { Scenario } from '../../simulator/index.ts';
import type { SumoNetwork } from './network.ts';
import type { SumoVehicle } from './routes.ts';

/** Length of a stop-bar (presence) detector's zone, metres: a vehicle standing at the line. */
export const STOP_ZONE_M = 6;
/** Where an advance detector sits when the scenario does not say, metres before the line. */
const DEFAULT_ADVANCE_M = 60;

/** The driver conventions both engines model (protocol/drivers.ts). */
export type Drivers = Required<ProtocolDrivers>;

/**
 * The driver conventions of SUMO's one vehicle type: the scenario's, read by `driversOf`
 * (protocol/drivers.ts, the one reading OpenPhase's engine uses too) at the longest yellow of
 * the scenario (they differ between intersections only when `yellowUsedS` is capped at the
 * yellow or given as `yellowUnusedS`).
 */
export function vehicleTypeDrivers(scenario: Scenario): Drivers {
  const yellowS = Math.max(...scenario.intersections.map((c) => c.yellowS));
  return driversOf(scenario, yellowS);
}

/**
 * The calibrated car: Krauss drivers without dawdling (sigma 0: the same driver every time, as
 * OpenPhase's engine has), 5 m long with 2 m standstill gaps (OpenPhase's 7 m per queued
 * vehicle), everyone at the speed limit (OpenPhase's free-flow speed). The reaction time `tauS`
 * sets the discharge headway, the acceleration the start-up lost time (docs/sumo.md,
 * "Calibration"). SUMO's own `startupDelay` is not used: SUMO 1.15 from Debian aborts on an
 * assertion in it.
 */
export interface CarModel {
  accel: number;
  decel: number;
  tauS: number;
  /**
   * SUMO's jmDriveAfterYellowTime: a vehicle reaching the line this long into the yellow still
   * goes. SUMO's drivers also go on when they cannot stop with comfortable braking, i.e. when
   * they are within v / (2·decel) seconds of the line (1.5 s at 50 km/h): the yellow used is
   * the sum, so this is `yellowUsedS` less that reach (never below 0).
   */
  driveAfterYellowS: number;
}

/**
 * Measured on SUMO 1.15 (a standing queue of 40 on one lane, green at t = 100 s, sigma 0,
 * 50 km/h, 1 s steps, crossing times interpolated between steps): the headway of vehicles 5 to
 * 30 is 0.516 s + tau, and vehicle k crosses at green + L + (k − ½)·headway, with the start-up
 * lost time L set by the acceleration (m/s² → s) below.
 */
export const HEADWAY_BASE_S = 0.516;
const LOST_BY_ACCEL: [number, number][] = [
  [1.2, 3.31],
  [1.4, 2.71],
  [1.6, 2.1],
  [1.7, 1.9],
  [1.8, 1.68],
  [2.0, 1.35],
  [2.2, 1.07],
  [2.4, 0.72],
  [2.6, 0.54],
  [3.0, 0.1],
];

/** The acceleration that gives a start-up lost time of `lostS` (clamped to the table). */
export function accelForLostTime(lostS: number): number {
  const t = LOST_BY_ACCEL;
  if (lostS >= t[0]![1]) return t[0]![0];
  for (let k = 1; k < t.length; k++) {
    const [a1, l1] = t[k]!;
    const [a0, l0] = t[k - 1]!;
    if (lostS >= l1) return a0 + ((lostS - l0) / (l1 - l0)) * (a1 - a0);
  }
  return t[t.length - 1]![0];
}

/** The car for a scenario's saturation flow and drivers. */
export function carModel(satFlowVphpl: number, freeFlowKmh: number, drivers: Drivers): CarModel {
  const decel = 4.5;
  const brakingReachS = freeFlowKmh / 3.6 / (2 * decel);
  return {
    accel: Math.round(accelForLostTime(drivers.startUpLostS) * 1000) / 1000,
    decel,
    tauS: Math.max(0.1, 3600 / satFlowVphpl - HEADWAY_BASE_S),
    driveAfterYellowS: Math.max(0, drivers.yellowUsedS - brakingReachS),
  };
}

const f3 = (x: number) => (Math.round(x * 1000) / 1000).toString();

export function routesXml(vehicles: SumoVehicle[], car: CarModel): string {
  const lines = [
    '<routes>',
    `  <vType id="car" vClass="passenger" carFollowModel="Krauss" length="5" minGap="2" accel="${car.accel}" decel="${car.decel}" emergencyDecel="9" sigma="0" tau="${f3(car.tauS)}" speedFactor="1" speedDev="0" jmDriveAfterYellowTime="${f3(car.driveAfterYellowS)}"/>`,
  ];
  for (const v of vehicles) {
    lines.push(
      `  <vehicle id="${v.id}" type="car" depart="${f3(v.departS)}" departLane="${v.departLane}" departPos="base" departSpeed="max"><route edges="${v.edges.join(' ')}"/></vehicle>`,
    );
  }
  lines.push('</routes>', '');
  return lines.join('\n');
}

export interface DetectorLane {
  /** SUMO detector id */
  id: string;
  /** OpenPhase detector (global index in net.detectors) */
  detector: number;
  kind: 'e1' | 'e2';
}

/** The detectors, one per lane of each OpenPhase detector. */
export function detectorLanes(
  sn: SumoNetwork,
  drivers: Drivers,
): { lanes: DetectorLane[]; xml: string } {
  const net = sn.net;
  const lanes: DetectorLane[] = [];
  const lines = ['<additional>'];
  net.detectors.forEach((d, di) => {
    const it = net.intersections[d.intersection]!;
    const config = it.config;
    const spec = (config.detectors ?? []).find((x) => x.id === d.id);
    const distanceM = spec?.distanceM ?? (d.kind === 'advance' ? DEFAULT_ADVANCE_M : 0);
    for (const g of d.groups) {
      const a = net.groupApproach[g]!;
      const edge = sn.approachEdge[a]!;
      const lengthM = sn.approachLengthM[a]!;
      for (const lane of sn.groupLanes[g]!) {
        const id = `d${di}_${g}_${lane}`;
        const laneId = `${edge}_${lane}`;
        if (d.kind === 'advance') {
          // Without occlusion the loop sits where vehicles enter the approach: it counts every
          // arrival, as OpenPhase's engine does when a standing queue does not occlude it.
          const pos = drivers.advanceOcclusion ? Math.max(0.5, lengthM - distanceM) : 0.5;
          lines.push(
            `  <inductionLoop id="${id}" lane="${laneId}" pos="${f3(pos)}" period="86400" file="NUL"/>`,
          );
          lanes.push({ id, detector: di, kind: 'e1' });
        } else {
          const end = Math.max(1, lengthM - distanceM - 0.1);
          const start = Math.max(0, end - STOP_ZONE_M);
          lines.push(
            `  <laneAreaDetector id="${id}" lane="${laneId}" pos="${f3(start)}" endPos="${f3(end)}" period="86400" file="NUL"/>`,
          );
          lanes.push({ id, detector: di, kind: 'e2' });
        }
      }
    }
  });
  lines.push('</additional>', '');
  return { lanes, xml: lines.join('\n') };
}
