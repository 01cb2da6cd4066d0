/**
 * NTCIP 1202 v03 (actuated signal controller) objects used by the gateway and the emulator.
 * Every object sits under the ASC node; a *group* is 8 phases as a bitmask (bit 0 = the
 * group's first phase): group 1 = phases 1–8, group 2 = phases 9–16.
 */

/** NTCIP 1202 ASC node: iso.org.dod.internet.private.enterprises.nema.transportation.devices.asc */
export const ASC = '1.3.6.1.4.1.1206.4.2.1';

/** phaseEntry columns (append `.{phase}`). */
export const PHASE_ENTRY = `${ASC}.1.2.1`;
export const PHASE_COLUMNS = {
  phaseNumber: 1,
  phaseMinimumGreen: 4, // s
  phasePassage: 5, // tenths of s
  phaseMaximum1: 6, // s
  phaseYellowChange: 8, // tenths of s
  phaseRedClear: 9, // tenths of s
  phaseRing: 22,
} as const;

/** maxPhases.0, maxPhaseGroups.0 */
export const MAX_PHASES = `${ASC}.1.1`;
export const MAX_PHASE_GROUPS = `${ASC}.1.3`;

/** phaseStatusGroupEntry columns (append `.{group}`), read-only. */
export const STATUS_ENTRY = `${ASC}.1.4.1`;
export const STATUS_COLUMNS = {
  phaseStatusGroupNumber: 1,
  phaseStatusGroupReds: 2,
  phaseStatusGroupYellows: 3,
  phaseStatusGroupGreens: 4,
  phaseStatusGroupVehCalls: 8,
  phaseStatusGroupPhaseOns: 10,
  phaseStatusGroupPhaseNexts: 11,
} as const;

/** phaseControlGroupEntry columns (append `.{group}`), read-write. */
export const CONTROL_ENTRY = `${ASC}.1.5.1`;
export const CONTROL_COLUMNS = {
  phaseControlGroupNumber: 1,
  phaseControlGroupPhaseOmit: 2,
  phaseControlGroupPedOmit: 3,
  phaseControlGroupHold: 4,
  phaseControlGroupForceOff: 5,
  phaseControlGroupVehCall: 6,
  phaseControlGroupPedCall: 7,
} as const;

export const MAX_NTCIP_PHASES = 16;

/** Splits a phase bitmask (bit 0 = phase 1) into per-group bytes: [group1, group2]. */
export function toGroups(mask: number, groups: number): number[] {
  return Array.from({ length: groups }, (_, g) => (mask >>> (8 * g)) & 0xff);
}

/** Joins per-group bytes back into one phase bitmask. */
export function fromGroups(bytes: readonly number[]): number {
  return bytes.reduce((m, b, g) => m | ((b & 0xff) << (8 * g)), 0);
}

export const groupsFor = (phases: number) => Math.max(1, Math.ceil(phases / 8));
