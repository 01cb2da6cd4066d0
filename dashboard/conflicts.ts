/**
 * Conflicting greens in a signal state as the heads show it (pure). The safety monitor never
 * lets one out; a forged or broken `signal` message still can, and the dashboard must then
 * flag it, never draw it as normal. [MMU: conflict] Two movements green together conflict when
 * their paths cross or merge, unless one of them is a permissive turn and the other comes
 * from its own or the opposing approach (a permissive turn yields to opposing traffic).
 */
import type { IntersectionConfig, MovementState } from '../protocol/index.ts';
import {
  exitApproach,
  movementName,
  movementsConflict,
  parseMovement,
} from '../protocol/intersection.ts';

const GREEN: ReadonlySet<MovementState> = new Set([
  'protected-Movement-Allowed',
  'permissive-Movement-Allowed',
]);

function yields(config: IntersectionConfig, permissive: string, other: string): boolean {
  const pm = parseMovement(permissive);
  const po = parseMovement(other);
  if (!pm || !po) return false;
  const opposite = exitApproach(config, movementName(pm.approach, 'through'));
  return po.approach === pm.approach || po.approach === opposite;
}

/**
 * The movements shown green in conflict with another green; empty when the state is safe.
 * @example conflictingGreens(config, { 'N-through': 'protected-Movement-Allowed', 'E-through': 'protected-Movement-Allowed' }) // ['E-through', 'N-through']
 */
export function conflictingGreens(
  config: IntersectionConfig,
  movements: Readonly<Record<string, MovementState>>,
): string[] {
  const green = Object.keys(movements)
    .filter((m) => GREEN.has(movements[m]!))
    .sort();
  const out = new Set<string>();
  for (let i = 0; i < green.length; i++) {
    for (let j = i + 1; j < green.length; j++) {
      const a = green[i]!;
      const b = green[j]!;
      if (!movementsConflict(config, a, b)) continue;
      const aPermissive = movements[a] === 'permissive-Movement-Allowed';
      const bPermissive = movements[b] === 'permissive-Movement-Allowed';
      if ((aPermissive && yields(config, a, b)) || (bPermissive && yields(config, b, a))) continue;
      out.add(a);
      out.add(b);
    }
  }
  return [...out].sort();
}
