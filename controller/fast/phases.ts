/**
 * A config's phases compiled for the fast controllers (pure, built once): movements as
 * positions in the aggregation's movement list, so a decision loops over small integer arrays
 * instead of looking names up.
 */
import type { Phase } from '../../protocol/index.ts';
import type { AggregationState } from '../aggregation.ts';
import type { createTarget } from '../algorithms/common.ts';
import type { StateReader } from './reader.ts';

export interface CompiledPhases {
  phases: readonly Phase[];
  /** phase id → position of the first phase with that id (as `config.phases.find`) */
  indexOf: ReadonlyMap<string, number>;
  /** per phase, its movements as positions, in its order (repeats kept) */
  movements: Int32Array[];
  /** per phase, its movements as positions, each once, in first-seen order */
  unique: Int32Array[];
  /** per phase, 1 for each movement position it serves */
  serves: Uint8Array[];
  /** scratch of `nextCalled`: per movement position, 1 when it calls and is not green */
  calling: Uint8Array;
  /** the id `phaseIndex` was last asked for and its answer (the phase changes seldom) */
  lastId: string | undefined;
  lastIndex: number | undefined;
}

/**
 * `indexOf.get(id)`, the last answer kept: the current phase's id is the same string most
 * decisions, so a pointer compare instead of a map lookup (its hash table is one more cache
 * miss per decision at city scale).
 */
export function phaseIndex(c: CompiledPhases, id: string): number | undefined {
  if (id === c.lastId) return c.lastIndex;
  const i = c.indexOf.get(id);
  c.lastId = id;
  c.lastIndex = i;
  return i;
}

export function compilePhases(s: AggregationState): CompiledPhases {
  const phases = s.config.phases;
  const nM = s.movementList.length;
  const pos = new Map(s.movementList.map((m, i) => [m.movement, i]));
  const at = (m: string) => {
    const i = pos.get(m);
    // every phase movement is served, so it has a position
    if (i === undefined) throw new Error(`movement '${m}' is not served`);
    return i;
  };
  const indexOf = new Map<string, number>();
  phases.forEach((p, i) => {
    if (!indexOf.has(p.id)) indexOf.set(p.id, i);
  });
  const movements = phases.map((p) => Int32Array.from(p.movements, at));
  const unique = movements.map((ms) => Int32Array.from(new Set(ms)));
  const serves = movements.map((ms) => {
    const x = new Uint8Array(nM);
    for (const m of ms) x[m] = 1;
    return x;
  });
  const calling = new Uint8Array(nM);
  return {
    phases,
    indexOf,
    movements,
    unique,
    serves,
    calling,
    lastId: undefined,
    lastIndex: undefined,
  };
}

/**
 * The next phase with a call, as common.ts `nextCalledPhase`: the first after `current` in
 * service order whose movements (not green now) call, replaced by a later one whose calls are
 * a strict superset. `call(m)` says whether movement position m calls.
 */
export function nextCalled(
  c: CompiledPhases,
  currentId: string,
  call: (m: number) => boolean,
): string | undefined {
  const n = c.phases.length;
  // the first phase with that id, as `findIndex` (-1: none)
  const cur = phaseIndex(c, currentId);
  const start = cur ?? -1;
  const green = cur === undefined ? undefined : c.serves[cur];
  // per movement: 1 if it calls and is not green (each movement asked once)
  const calling = c.calling;
  for (let m = 0; m < calling.length; m++) calling[m] = !green?.[m] && call(m) ? 1 : 0;
  let best = -1;
  let bestSize = 0;
  for (let k = 1; k < n; k++) {
    const p = (start + k) % n;
    let size = 0;
    for (const m of c.unique[p]!) size += calling[m]!;
    if (size === 0) continue;
    if (best < 0 || (size > bestSize && callsWithin(c, best, p))) {
      best = p;
      bestSize = size;
    }
  }
  return best < 0 ? undefined : c.phases[best]!.id;
}

/** Every calling movement of phase `a` is a movement of phase `b`. */
function callsWithin(c: CompiledPhases, a: number, b: number): boolean {
  const serves = c.serves[b]!;
  for (const m of c.unique[a]!) if (c.calling[m] && !serves[m]) return false;
  return true;
}

/**
 * As common.ts `blindQueueUnserved`: a movement of phase `p` calls with a guessed queue of
 * half a vehicle or more and one of its detectors has failed (`movementFailed`, by position).
 */
export function blindQueue(
  c: CompiledPhases,
  p: number,
  movementFailed: Uint8Array,
  call: (m: number) => boolean,
  queueVeh: (m: number) => number,
): boolean {
  for (const m of c.movements[p]!) {
    if (!call(m) || queueVeh(m) < 0.5) continue;
    if (movementFailed[m]) return true;
  }
  return false;
}

/** Where the twins' common rules leave a decision that goes on: the phase and its green. */
export interface Ongoing {
  /** position of the current phase */
  cp: number;
  /** ms of green so far (0 outside green) */
  elapsedMs: number;
}

/**
 * The rules every twin applies first, in their reference's order: a change under way is kept
 * asked for, an unknown phase asks for the first, and a green shorter than its minimum holds.
 * Returns the decision those rules make, or undefined with `out` filled for the twin's own.
 */
export function commonRules(
  r: StateReader,
  c: CompiledPhases,
  target: ReturnType<typeof createTarget>,
  atMs: number,
  out: Ongoing,
): string | undefined {
  const view = r.current;
  const pending = target.pending(view);
  if (pending !== undefined) return pending;
  const current = view.signal.phase;
  const cp = phaseIndex(c, current);
  if (cp === undefined) return c.phases[0]!.id;
  const elapsed = view.signal.interval === 'green' ? atMs - view.signal.sinceMs : 0;
  if (elapsed < c.phases[cp]!.minGreenS * 1000) return current;
  out.cp = cp;
  out.elapsedMs = elapsed;
  return undefined;
}
