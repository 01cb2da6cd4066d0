/**
 * The bench's own safety audit (pure), independent of the safety monitor it audits: every
 * signal the heads show is checked for two conflicting movements released together.
 *
 * [MMU: conflict] A movement showing green conflicts with another showing green or yellow
 * when their paths cross or merge (protocol/intersection.ts `movementsConflict`), except a
 * permissive turn yielding to traffic from the opposing approach, the one conflict a phase
 * may hold by design (the same rule as the config check in `checkIntersection`).
 */
import {
  exitApproach,
  type IntersectionConfig,
  type MovementState,
  movementName,
  movementsConflict,
  parseMovement,
  type Signal,
} from '../protocol/index.ts';

const GREEN: ReadonlySet<MovementState> = new Set([
  'protected-Movement-Allowed',
  'permissive-Movement-Allowed',
]);
const RELEASED: ReadonlySet<MovementState> = new Set([
  ...GREEN,
  'protected-clearance',
  'permissive-clearance',
]);

export interface SafetyAudit {
  /** true when the signal shows two conflicting movements released together */
  conflicting(signal: Signal): boolean;
}

/** @example createSafetyAudit(config).conflicting(signal) // false */
export function createSafetyAudit(config: IntersectionConfig): SafetyAudit {
  const cache = new Map<string, boolean>();
  const opposite = (m: string) => {
    const p = parseMovement(m);
    return p ? exitApproach(config, movementName(p.approach, 'through')) : undefined;
  };
  /** may `a` (green) and `b` (green or clearing) be released together? */
  const allowed = (a: string, sa: MovementState, b: string, sb: MovementState): boolean => {
    const key = `${a}|${sa}|${b}|${sb}`;
    let ok = cache.get(key);
    if (ok === undefined) {
      ok = !movementsConflict(config, a, b);
      if (!ok) {
        const yielding = (m: string, s: MovementState, other: string) =>
          s.startsWith('permissive') && parseMovement(other)?.approach === opposite(m);
        ok = yielding(a, sa, b) || yielding(b, sb, a);
      }
      if (cache.size < 100_000) cache.set(key, ok); // bounded: movements² × states²
    }
    return ok;
  };
  return {
    conflicting(signal) {
      const entries = Object.entries(signal.movements) as [string, MovementState][];
      for (let i = 0; i < entries.length; i++) {
        const [a, sa] = entries[i]!;
        if (!GREEN.has(sa)) continue;
        for (let j = 0; j < entries.length; j++) {
          if (i === j) continue;
          const [b, sb] = entries[j]!;
          if (RELEASED.has(sb) && !allowed(a, sa, b, sb)) return true;
        }
      }
      return false;
    },
  };
}
