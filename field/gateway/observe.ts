/**
 * From what the cabinet shows to the `signal` message (pure): the heads' lamps become the
 * protocol's phase, interval and movement states, with the interval's start as first seen.
 * And the field's own safety check: a cabinet green the monitor did not permit (within a
 * grace for the cabinet's lag) is a `cabinet` override.
 */
import {
  CABINET_OVERRIDE,
  type IntersectionConfig,
  type Interval,
  type MovementState,
  protectedMovements,
  type Signal,
  type SignalOverride,
  servedMovements,
} from '../../protocol/index.ts';
import type { CabinetState } from '../cabinet/types.ts';

export interface Observed {
  /** `phase/interval` as last seen, and since when */
  key: string;
  phase: string;
  interval: Interval;
  sinceMs: number;
}

/** The phase and interval the lamps show; all red: the red clearance after `lastPhase`. */
export function readLamps(
  cab: CabinetState,
  lastPhase: string,
): { phase: string; interval: Interval; greens: string[]; yellows: string[] } {
  const greens: string[] = [];
  const yellows: string[] = [];
  for (const [id, lamp] of Object.entries(cab.phases)) {
    if (lamp === 'green') greens.push(id);
    else if (lamp === 'yellow') yellows.push(id);
  }
  if (greens.length > 0) return { phase: greens[0]!, interval: 'green', greens, yellows };
  if (yellows.length > 0) return { phase: yellows[0]!, interval: 'yellow', greens, yellows };
  return { phase: lastPhase, interval: 'red-clearance', greens, yellows };
}

/** Movement states from lamps: green beats yellow beats red, per movement. */
export function movementsFromLamps(
  config: IntersectionConfig,
  greens: string[],
  yellows: string[],
): Record<string, MovementState> {
  const out: Record<string, MovementState> = {};
  for (const m of servedMovements(config)) out[m] = 'stop-And-Remain';
  const byId = new Map(config.phases.map((p) => [p.id, p]));
  for (const id of yellows) {
    const p = byId.get(id);
    if (!p) continue;
    const prot = new Set(protectedMovements(p));
    for (const m of p.movements)
      out[m] = prot.has(m) ? 'protected-clearance' : 'permissive-clearance';
  }
  for (const id of greens) {
    const p = byId.get(id);
    if (!p) continue;
    const prot = new Set(protectedMovements(p));
    for (const m of p.movements)
      out[m] = prot.has(m) ? 'protected-Movement-Allowed' : 'permissive-Movement-Allowed';
  }
  return out;
}

/**
 * The `signal` message for what the cabinet shows at `atMs`, and the observation to keep.
 * Interval bounds follow the config's timing from the interval's first sighting.
 */
export function signalFromCabinet(
  config: IntersectionConfig,
  cab: CabinetState,
  prev: Observed | undefined,
  controller: string,
  overrides: SignalOverride[],
): { signal: Signal; observed: Observed } {
  const lastPhase = prev?.phase ?? config.phases[0]!.id;
  const lamps = readLamps(cab, lastPhase);
  const key = `${lamps.phase}/${lamps.interval}`;
  const sinceMs = prev && prev.key === key ? prev.sinceMs : cab.atMs;
  const phase = config.phases.find((p) => p.id === lamps.phase) ?? config.phases[0]!;
  const yellowMs = Math.max(config.yellowS, 3) * 1000;
  const [minMs, maxMs] =
    lamps.interval === 'green'
      ? [phase.minGreenS * 1000, phase.maxGreenS * 1000]
      : lamps.interval === 'yellow'
        ? [yellowMs, yellowMs]
        : [config.allRedS * 1000, config.allRedS * 1000];
  return {
    signal: {
      v: 1,
      t: cab.atMs,
      phase: lamps.phase,
      interval: lamps.interval,
      sinceMs,
      minEndMs: sinceMs + minMs,
      maxEndMs: sinceMs + maxMs,
      movements: movementsFromLamps(config, lamps.greens, lamps.yellows),
      controller,
      overrides: overrides.slice(-16),
    },
    observed: { key, phase: lamps.phase, interval: lamps.interval, sinceMs },
  };
}

/**
 * Cabinet greens the monitor did not permit: a phase green at the cabinet that the monitor has
 * not shown green within `graceMs` (the cabinet follows a tick or two behind), or two greens.
 * `permittedAt` holds, per phase, the last time the monitor had it green.
 */
export function cabinetMismatch(
  cab: CabinetState,
  permittedAt: ReadonlyMap<string, number>,
  graceMs: number,
): SignalOverride | undefined {
  const greens = Object.keys(cab.phases).filter((id) => cab.phases[id] === 'green');
  if (greens.length > 1)
    return {
      kind: CABINET_OVERRIDE,
      atMs: cab.atMs,
      detail: `cabinet shows ${greens.join(' and ')} green together`,
    };
  for (const id of greens) {
    const at = permittedAt.get(id);
    if (at === undefined || cab.atMs - at > graceMs)
      return {
        kind: CABINET_OVERRIDE,
        atMs: cab.atMs,
        requested: id,
        detail: `cabinet shows '${id}' green, which the safety monitor did not permit`,
      };
  }
  return undefined;
}
