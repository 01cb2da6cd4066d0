/**
 * TraCI protocol ids used by this client, named as in SUMO's TraCI documentation
 * (https://sumo.dlr.de/docs/TraCI/Protocol.html). Only the ids the client uses are listed.
 */

/** Command ids of the control commands. */
export const CMD = {
  getVersion: 0x00,
  load: 0x01,
  simulationStep: 0x02,
  close: 0x7f,
} as const;

/**
 * One TraCI domain: the command ids to get and set a variable and to subscribe to variables.
 * SUMO answers a get with `get + 0x10` and a subscription with `subscribe + 0x10`.
 */
export interface DomainIds {
  readonly name: string;
  readonly get: number;
  readonly set: number | null;
  readonly subscribe: number;
}

export const DOMAIN = {
  inductionLoop: { name: 'inductionloop', get: 0xa0, set: null, subscribe: 0xd0 },
  trafficLight: { name: 'trafficlight', get: 0xa2, set: 0xc2, subscribe: 0xd2 },
  lane: { name: 'lane', get: 0xa3, set: 0xc3, subscribe: 0xd3 },
  vehicle: { name: 'vehicle', get: 0xa4, set: 0xc4, subscribe: 0xd4 },
  simulation: { name: 'simulation', get: 0xab, set: 0xcb, subscribe: 0xdb },
  laneArea: { name: 'lanearea', get: 0xad, set: null, subscribe: 0xdd },
} as const satisfies Record<string, DomainIds>;

/** Offset from a get or subscribe command id to the id of SUMO's answer. */
export const RESPONSE_OFFSET = 0x10;

/** Data type tags that precede every typed value. */
export const TYPE = {
  position2d: 0x01,
  position3d: 0x03,
  polygon: 0x06,
  ubyte: 0x07,
  byte: 0x08,
  integer: 0x09,
  double: 0x0b,
  string: 0x0c,
  stringList: 0x0e,
  compound: 0x0f,
  doubleList: 0x10,
  color: 0x11,
} as const;

/** Result codes of a status response. */
export const RESULT = { ok: 0x00, notImplemented: 0x01, error: 0xff } as const;

/** Variable ids shared by several domains. */
export const VAR = {
  idList: 0x00,
  idCount: 0x01,
  // detectors and lanes: values of the last step
  lastStepVehicleNumber: 0x10,
  lastStepMeanSpeed: 0x11,
  lastStepVehicleIds: 0x12,
  lastStepOccupancy: 0x13,
  lastStepHaltingNumber: 0x14,
  lastStepTimeSinceDetection: 0x16,
  jamLengthVehicles: 0x18,
  jamLengthM: 0x19,
  waitingTime: 0x7a,
  // traffic lights
  tlRedYellowGreenState: 0x20,
  /** set only; the current phase is read with tlCurrentPhase */
  tlPhaseIndex: 0x22,
  tlProgram: 0x23,
  tlPhaseDuration: 0x24,
  tlControlledLanes: 0x26,
  tlCurrentPhase: 0x28,
  tlCurrentProgram: 0x29,
  tlNextSwitch: 0x2d,
  // vehicles
  speed: 0x40,
  position: 0x42,
  roadId: 0x50,
  laneId: 0x51,
  lanePosition: 0x56,
  timeLoss: 0x8c,
  // simulation
  time: 0x66,
  departedVehicleIds: 0x74,
  arrivedVehicleIds: 0x7a,
  deltaT: 0x7b,
  minExpectedVehicles: 0x7d,
} as const;

/** SUMO's "no value" for a subscription's begin and end: the whole simulation. */
export const INVALID_DOUBLE = -1073741824.0;

/** The TraCI API versions this client was tested against (SUMO 1.15 speaks 20). */
export const SUPPORTED_API_VERSIONS: readonly number[] = [20];
