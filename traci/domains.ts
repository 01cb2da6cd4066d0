/** Typed getters and setters per TraCI domain, built on the client's generic get and set. */
import { DOMAIN, type DomainIds, VAR } from './constants.ts';
import { TraciError } from './errors.ts';
import { type TraciValue, Writer } from './storage.ts';

/** The generic calls the domain helpers are built on. */
export interface VariableAccess {
  getVariable(domain: DomainIds, variableId: number, objectId: string): Promise<TraciValue>;
  setVariable(
    domain: DomainIds,
    variableId: number,
    objectId: string,
    value: Buffer,
  ): Promise<void>;
}

function expectNumber(value: TraciValue, what: string): number {
  if (typeof value !== 'number') throw mismatch(value, what, 'a number');
  return value;
}
function expectString(value: TraciValue, what: string): string {
  if (typeof value !== 'string') throw mismatch(value, what, 'a string');
  return value;
}
function expectStrings(value: TraciValue, what: string): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw mismatch(value, what, 'a string list');
  }
  return value as string[];
}
function mismatch(value: TraciValue, what: string, expected: string): TraciError {
  return new TraciError(
    'TRACI_PROTOCOL',
    `${what}: expected ${expected} from SUMO, got ${JSON.stringify(value)}`,
  );
}

function getters(access: VariableAccess, domain: DomainIds) {
  const label = (varId: number, id: string) => `${domain.name} 0x${varId.toString(16)} of '${id}'`;
  return {
    num: async (varId: number, id: string) =>
      expectNumber(await access.getVariable(domain, varId, id), label(varId, id)),
    str: async (varId: number, id: string) =>
      expectString(await access.getVariable(domain, varId, id), label(varId, id)),
    strs: async (varId: number, id: string) =>
      expectStrings(await access.getVariable(domain, varId, id), label(varId, id)),
  };
}

export function simulationDomain(access: VariableAccess) {
  const g = getters(access, DOMAIN.simulation);
  return {
    /** Current simulation time in seconds. */
    getTimeS: () => g.num(VAR.time, ''),
    /** Length of one step in seconds. */
    getDeltaTS: () => g.num(VAR.deltaT, ''),
    /** Vehicles running plus those still to depart; 0 when the demand is done. */
    getMinExpectedNumber: () => g.num(VAR.minExpectedVehicles, ''),
    getDepartedIds: () => g.strs(VAR.departedVehicleIds, ''),
    getArrivedIds: () => g.strs(VAR.arrivedVehicleIds, ''),
  };
}

export function trafficLightDomain(access: VariableAccess) {
  const d = DOMAIN.trafficLight;
  const g = getters(access, d);
  const set = (varId: number, id: string, value: Buffer) => access.setVariable(d, varId, id, value);
  return {
    getIds: () => g.strs(VAR.idList, ''),
    /** One letter per controlled link, e.g. 'GrGr' (see SUMO's signal state letters). */
    getRedYellowGreenState: (id: string) => g.str(VAR.tlRedYellowGreenState, id),
    setRedYellowGreenState: (id: string, state: string) =>
      set(VAR.tlRedYellowGreenState, id, new Writer().typedString(state).bytes()),
    getPhase: (id: string) => g.num(VAR.tlCurrentPhase, id),
    setPhase: (id: string, index: number) =>
      set(VAR.tlPhaseIndex, id, new Writer().typedInt(index).bytes()),
    getProgram: (id: string) => g.str(VAR.tlCurrentProgram, id),
    setProgram: (id: string, programId: string) =>
      set(VAR.tlProgram, id, new Writer().typedString(programId).bytes()),
    /** Duration of the current phase in seconds. */
    getPhaseDurationS: (id: string) => g.num(VAR.tlPhaseDuration, id),
    /** Sets the remaining duration of the current phase in seconds. */
    setPhaseDurationS: (id: string, remainingS: number) =>
      set(VAR.tlPhaseDuration, id, new Writer().typedDouble(remainingS).bytes()),
    /** Absolute simulation time (s) of the next programmed switch. */
    getNextSwitchS: (id: string) => g.num(VAR.tlNextSwitch, id),
    /** Incoming lane of each controlled link, in link order. */
    getControlledLanes: (id: string) => g.strs(VAR.tlControlledLanes, id),
  };
}

export function inductionLoopDomain(access: VariableAccess) {
  const g = getters(access, DOMAIN.inductionLoop);
  return {
    getIds: () => g.strs(VAR.idList, ''),
    /** Vehicles on the loop during the last step. */
    getVehicleNumber: (id: string) => g.num(VAR.lastStepVehicleNumber, id),
    getVehicleIds: (id: string) => g.strs(VAR.lastStepVehicleIds, id),
    /** Mean speed (m/s) over the last step; -1 when no vehicle was there. */
    getMeanSpeedMps: (id: string) => g.num(VAR.lastStepMeanSpeed, id),
    /** Percentage (0–100) of the last step the loop was occupied. */
    getOccupancyPct: (id: string) => g.num(VAR.lastStepOccupancy, id),
    getTimeSinceDetectionS: (id: string) => g.num(VAR.lastStepTimeSinceDetection, id),
  };
}

export function laneAreaDomain(access: VariableAccess) {
  const g = getters(access, DOMAIN.laneArea);
  return {
    getIds: () => g.strs(VAR.idList, ''),
    getVehicleNumber: (id: string) => g.num(VAR.lastStepVehicleNumber, id),
    getVehicleIds: (id: string) => g.strs(VAR.lastStepVehicleIds, id),
    getMeanSpeedMps: (id: string) => g.num(VAR.lastStepMeanSpeed, id),
    getOccupancyPct: (id: string) => g.num(VAR.lastStepOccupancy, id),
    getHaltingNumber: (id: string) => g.num(VAR.lastStepHaltingNumber, id),
    getJamLengthVehicles: (id: string) => g.num(VAR.jamLengthVehicles, id),
    getJamLengthM: (id: string) => g.num(VAR.jamLengthM, id),
  };
}

export function laneDomain(access: VariableAccess) {
  const g = getters(access, DOMAIN.lane);
  return {
    getIds: () => g.strs(VAR.idList, ''),
    getVehicleNumber: (id: string) => g.num(VAR.lastStepVehicleNumber, id),
    getVehicleIds: (id: string) => g.strs(VAR.lastStepVehicleIds, id),
    getHaltingNumber: (id: string) => g.num(VAR.lastStepHaltingNumber, id),
    getMeanSpeedMps: (id: string) => g.num(VAR.lastStepMeanSpeed, id),
    getOccupancyPct: (id: string) => g.num(VAR.lastStepOccupancy, id),
    /** Summed waiting time (s) of the vehicles on the lane. */
    getWaitingTimeS: (id: string) => g.num(VAR.waitingTime, id),
  };
}

export function vehicleDomain(access: VariableAccess) {
  const g = getters(access, DOMAIN.vehicle);
  return {
    getIds: () => g.strs(VAR.idList, ''),
    getSpeedMps: (id: string) => g.num(VAR.speed, id),
    getLaneId: (id: string) => g.str(VAR.laneId, id),
    getRoadId: (id: string) => g.str(VAR.roadId, id),
    getLanePositionM: (id: string) => g.num(VAR.lanePosition, id),
    /** Time (s) lost against driving at the desired speed so far. */
    getTimeLossS: (id: string) => g.num(VAR.timeLoss, id),
    getWaitingTimeS: (id: string) => g.num(VAR.waitingTime, id),
  };
}
