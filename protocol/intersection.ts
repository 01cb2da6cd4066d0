/**
 * The intersection model (pure): movements, the conflict relation derived from geometry,
 * phase checks, lane groups and default detectors.
 *
 * Geometry: every approach leg sits at a compass bearing. A movement enters on the leg's
 * inbound side and leaves on the exit leg's outbound side (right-hand traffic: inbound just
 * counter-clockwise of the leg, outbound just clockwise). Two movements conflict when their
 * paths cross (their end points interleave on the circle) or merge (same exit point).
 * Opposing throughs do not cross; a left turn crosses the opposing through.
 */
import type { Detector, IntersectionConfig, Phase } from './intersection-schema.ts';
import { checkPlan, checkSchedule } from './plan-schedule.ts';
import type { Problem, ProblemCode } from './problems.ts';

export type Turn = 'left' | 'through' | 'right';
export const TURNS: readonly Turn[] = ['left', 'through', 'right'];

const NAMED_BEARINGS: Record<string, number> = {
  N: 0,
  NE: 45,
  E: 90,
  SE: 135,
  S: 180,
  SW: 225,
  W: 270,
  NW: 315,
};

export interface ParsedMovement {
  movement: string;
  approach: string;
  turn: Turn;
}

const MOVEMENT = /^([A-Za-z0-9_]{1,32})-(left|through|right)$/;
/** Parsed names, shared and frozen: a 1,000-intersection network asks for the same dozen names
 * tens of thousands of times while it compiles. Bounded, since names may come off the wire. */
const parsed = new Map<string, Readonly<ParsedMovement> | undefined>();
const MAX_PARSED = 4096;

/** `N-through` → `{ approach: 'N', turn: 'through' }`; undefined when not a movement name. */
export function parseMovement(movement: string): Readonly<ParsedMovement> | undefined {
  const hit = parsed.get(movement);
  if (hit !== undefined || parsed.has(movement)) return hit;
  const m = MOVEMENT.exec(movement);
  const p = m ? Object.freeze({ movement, approach: m[1]!, turn: m[2] as Turn }) : undefined;
  if (parsed.size < MAX_PARSED) parsed.set(movement, p);
  return p;
}

export function movementName(approach: string, turn: Turn): string {
  return `${approach}-${turn}`;
}

/** Bearing of an approach leg: explicit `bearingDeg`, else from its compass name. */
export function approachBearing(config: IntersectionConfig, approach: string): number | undefined {
  const a = config.approaches[approach];
  if (!a) return undefined;
  return a.bearingDeg ?? NAMED_BEARINGS[approach];
}

const norm = (deg: number) => ((deg % 360) + 360) % 360;
const angleDiff = (a: number, b: number) => Math.abs(norm(a - b + 180) - 180);

/** The leg a movement leaves by: the other leg nearest the turn's ideal heading. */
export function exitApproach(config: IntersectionConfig, movement: string): string | undefined {
  const p = parseMovement(movement);
  if (!p) return undefined;
  const from = approachBearing(config, p.approach);
  if (from === undefined) return undefined;
  // Right-hand traffic: through leaves opposite, left leaves 90° clockwise, right 90° counter-clockwise.
  const ideal = norm(from + (p.turn === 'through' ? 180 : p.turn === 'left' ? 90 : 270));
  let best: string | undefined;
  let bestDiff = Number.POSITIVE_INFINITY;
  for (const name of Object.keys(config.approaches)) {
    if (name === p.approach) continue;
    const b = approachBearing(config, name);
    if (b === undefined) continue;
    const d = angleDiff(b, ideal);
    if (d < bestDiff) {
      bestDiff = d;
      best = name;
    }
  }
  // No leg within 60° of the turn's heading: the movement does not exist here.
  return bestDiff <= 60 ? best : undefined;
}

const EPS = 1; // degrees between a leg's inbound and outbound lanes

function endpoints(config: IntersectionConfig, movement: string): [number, number] | undefined {
  const p = parseMovement(movement);
  if (!p) return undefined;
  const from = approachBearing(config, p.approach);
  const exit = exitApproach(config, movement);
  if (from === undefined || exit === undefined) return undefined;
  const to = approachBearing(config, exit)!;
  return [norm(from - EPS), norm(to + EPS)];
}

function between(x: number, a: number, b: number): boolean {
  // strictly inside the clockwise arc a → b
  const span = norm(b - a);
  const off = norm(x - a);
  return off > 0 && off < span;
}

/** True when two movements' paths cross or merge. A movement never conflicts with itself. */
export function movementsConflict(config: IntersectionConfig, m1: string, m2: string): boolean {
  if (m1 === m2) return false;
  const p1 = parseMovement(m1);
  const p2 = parseMovement(m2);
  if (!p1 || !p2) return true;
  if (p1.approach === p2.approach) return false; // same leg: they share the lanes, never cross
  const e1 = endpoints(config, m1);
  const e2 = endpoints(config, m2);
  if (!e1 || !e2) return true; // unknown geometry is treated as conflicting: fail safe
  if (e1[1] === e2[1]) return true; // merge into the same exit
  const [a, b] = e1;
  const in1 = between(e2[0], a, b);
  const in2 = between(e2[1], a, b);
  return in1 !== in2; // end points interleave: the paths cross
}

/** Every movement some phase serves, in a stable order. */
export function servedMovements(config: IntersectionConfig): string[] {
  const set = new Set<string>();
  for (const phase of config.phases) for (const m of phase.movements) set.add(m);
  return [...set].sort();
}

/** Movements a phase serves as protected (not listed as permissive). */
export function protectedMovements(phase: Phase): string[] {
  const permissive = new Set(phase.permissive ?? []);
  return phase.movements.filter((m) => !permissive.has(m));
}

/** The conflict matrix over served movements. */
export function conflictMatrix(config: IntersectionConfig): Map<string, Set<string>> {
  const movements = servedMovements(config);
  const out = new Map<string, Set<string>>();
  for (const m of movements) out.set(m, new Set());
  for (let i = 0; i < movements.length; i++) {
    for (let j = i + 1; j < movements.length; j++) {
      const a = movements[i]!;
      const b = movements[j]!;
      if (movementsConflict(config, a, b)) {
        out.get(a)!.add(b);
        out.get(b)!.add(a);
      }
    }
  }
  return out;
}

/** A lane group: the lanes and movements that share one queue. */
export interface LaneGroup {
  id: string;
  approach: string;
  movements: string[];
  lanes: number;
}

/**
 * Lane groups: with `lanes: N` every served movement of the approach shares one group
 * (id `N-left-through` etc.); with per-movement lanes each movement is its own group.
 */
export function laneGroups(config: IntersectionConfig): LaneGroup[] {
  const served = new Set(servedMovements(config));
  const groups: LaneGroup[] = [];
  for (const [approach, a] of Object.entries(config.approaches)) {
    const turns = TURNS.filter((t) => served.has(movementName(approach, t)));
    if (turns.length === 0) continue;
    if (typeof a.lanes === 'number') {
      groups.push({
        id: `${approach}-${turns.join('-')}`,
        approach,
        movements: turns.map((t) => movementName(approach, t)),
        lanes: a.lanes,
      });
    } else {
      for (const t of turns) {
        const lanes = a.lanes[t];
        if (lanes === undefined) continue; // reported by checkIntersection
        groups.push({
          id: movementName(approach, t),
          approach,
          movements: [movementName(approach, t)],
          lanes,
        });
      }
    }
  }
  return groups;
}

/** Detectors as configured, or one stop-bar and one advance detector per lane group. */
export function detectorsOf(config: IntersectionConfig): Detector[] {
  if (config.detectors && config.detectors.length > 0) return config.detectors;
  const out: Detector[] = [];
  for (const g of laneGroups(config)) {
    out.push({ id: `${g.id}-stop`, movements: g.movements, kind: 'stop-bar', distanceM: 0 });
    out.push({ id: `${g.id}-advance`, movements: g.movements, kind: 'advance', distanceM: 60 });
  }
  return out;
}

/**
 * Checks what JSON Schema cannot: geometry, conflicts, phase and detector references, plan.
 * Returns every problem; an empty list means the config is usable.
 */
export function checkIntersection(config: IntersectionConfig, basePath = ''): Problem[] {
  const problems: Problem[] = [];
  const push = (code: ProblemCode, path: string, message: string) =>
    problems.push({ code, path: basePath + path, message });

  for (const name of Object.keys(config.approaches)) {
    if (approachBearing(config, name) === undefined) {
      push(
        'approach-bearing',
        `/approaches/${name}`,
        `approach '${name}' has no compass name; give it bearingDeg`,
      );
    }
  }
  const phaseIds = new Set<string>();
  config.phases.forEach((phase, i) => {
    if (phaseIds.has(phase.id))
      push('duplicate-phase', `/phases/${i}/id`, `phase id '${phase.id}' is used twice`);
    phaseIds.add(phase.id);
    if (phase.minGreenS > phase.maxGreenS) {
      push(
        'green-range',
        `/phases/${i}/minGreenS`,
        `minGreenS ${phase.minGreenS} is above maxGreenS ${phase.maxGreenS}`,
      );
    }
    const seen = new Set<string>();
    phase.movements.forEach((m, j) => {
      const p = parseMovement(m);
      if (seen.has(m))
        push(
          'duplicate-movement',
          `/phases/${i}/movements/${j}`,
          `movement '${m}' is listed twice`,
        );
      seen.add(m);
      if (!p || !config.approaches[p.approach]) {
        push(
          'unknown-movement',
          `/phases/${i}/movements/${j}`,
          `movement '${m}' names no approach of this intersection`,
        );
        return;
      }
      const lanes = config.approaches[p.approach]!.lanes;
      if (typeof lanes !== 'number' && lanes[p.turn] === undefined) {
        push(
          'movement-lanes',
          `/phases/${i}/movements/${j}`,
          `movement '${m}' has no lanes: add lanes.${p.turn} to approach ${p.approach}`,
        );
      }
      if (exitApproach(config, m) === undefined) {
        push(
          'movement-exit',
          `/phases/${i}/movements/${j}`,
          `movement '${m}' has no leg to leave by`,
        );
      }
    });
    (phase.permissive ?? []).forEach((m, j) => {
      if (!phase.movements.includes(m)) {
        push(
          'permissive-not-in-phase',
          `/phases/${i}/permissive/${j}`,
          `permissive movement '${m}' is not among the phase's movements`,
        );
      } else if (parseMovement(m)?.turn === 'through') {
        push(
          'permissive-through',
          `/phases/${i}/permissive/${j}`,
          `a through movement cannot be permissive ('${m}')`,
        );
      }
    });
    // [MMU: conflict] two conflicting protected movements may never be green together.
    const prot = protectedMovements(phase);
    for (let a = 0; a < prot.length; a++) {
      for (let b = a + 1; b < prot.length; b++) {
        if (movementsConflict(config, prot[a]!, prot[b]!)) {
          push(
            'phase-conflict',
            `/phases/${i}/movements`,
            `phase '${phase.id}' holds conflicting movements ${prot[a]} and ${prot[b]}`,
          );
        }
      }
    }
    // A permissive turn may only yield to traffic from the opposing leg, never cross a
    // protected movement from a side street.
    for (const m of phase.permissive ?? []) {
      const pm = parseMovement(m);
      if (!pm) continue;
      const opposite = exitApproach(config, movementName(pm.approach, 'through'));
      for (const other of phase.movements) {
        const po = parseMovement(other);
        if (!po || other === m || po.approach === pm.approach || po.approach === opposite) continue;
        if (movementsConflict(config, m, other)) {
          push(
            'permissive-conflict',
            `/phases/${i}/permissive`,
            `permissive '${m}' in phase '${phase.id}' conflicts with ${other}, which is not from the opposing approach`,
          );
        }
      }
    }
  });

  if (config.plan) problems.push(...prefixed(checkPlan(config, config.plan, '/plan'), basePath));
  problems.push(...prefixed(checkSchedule(config), basePath));

  const detectorIds = new Set<string>();
  const served = new Set(servedMovements(config));
  (config.detectors ?? []).forEach((d, i) => {
    if (detectorIds.has(d.id))
      push('duplicate-detector', `/detectors/${i}/id`, `detector id '${d.id}' is used twice`);
    detectorIds.add(d.id);
    d.movements.forEach((m, j) => {
      if (!served.has(m))
        push(
          'detector-unserved',
          `/detectors/${i}/movements/${j}`,
          `detector '${d.id}' measures '${m}', which no phase serves`,
        );
    });
  });
  return problems;
}

const prefixed = (problems: Problem[], basePath: string): Problem[] =>
  basePath ? problems.map((p) => ({ ...p, path: basePath + p.path })) : problems;
