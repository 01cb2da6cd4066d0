/**
 * A scenario as a SUMO network in plain XML (pure): nodes, edges, connections and one traffic
 * light per intersection, for `netconvert`. Every approach of the scenario is one edge ending at
 * its intersection; a link between two intersections is one edge from one to the other (the
 * upstream exit and the downstream approach at once); a boundary leg gets an edge in from, and
 * an edge out to, a node of its own. Lanes: a shared approach has `lanes` lanes (left turns from
 * the leftmost, right turns from the rightmost, through from every lane); exclusive lanes are
 * laid right, through, left. Each movement's connections carry the traffic light's link indices,
 * so the signal room's movement states map to SUMO's state string letter by letter.
 */
import { exitApproach, type IntersectionConfig, parseMovement } from '../../protocol/index.ts';
import { createFastSignalStepper, type Transition } from '../../signal/index.ts';
import type { Scenario } from '../../simulator/index.ts';
import { compileNetwork, type Net } from '../../simulator/network.ts';

/** Length of a boundary approach when the scenario gives none (as OpenPhase's engine), metres. */
export const DEFAULT_APPROACH_M = 300;
/** Length of the edge a vehicle leaves the network by, metres. */
export const EXIT_EDGE_M = 100;
/** Distance between intersections that no link relates, metres (they never meet). */
const APART_M = 5000;

export interface SumoNetwork {
  /** OpenPhase's compiled network of the same scenario (indices shared with its engine) */
  net: Net;
  /** edge a vehicle of each approach (global approach index) drives on to its stop line */
  approachEdge: string[];
  /** length of each approach edge, metres */
  approachLengthM: Float64Array;
  /** SUMO lane indices of each lane group (global group index) on its approach edge */
  groupLanes: number[][];
  /** edge each movement (global index) leaves its intersection by */
  movExitEdge: string[];
  /** lanes (SUMO indices) each movement (global index) leaves its approach from */
  movLanes: number[][];
  /** per intersection: the movement (global index) of each traffic-light link index */
  tlsLinks: Int32Array[];
  xml: { nodes: string; edges: string; connections: string; tls: string };
}

const esc = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const f2 = (x: number) => (Math.round(x * 100) / 100).toString();

function lanesOf(config: IntersectionConfig, leg: string): number {
  const a = config.approaches[leg];
  if (!a) return 1;
  if (typeof a.lanes === 'number') return a.lanes;
  return (a.lanes.left ?? 0) + (a.lanes.through ?? 0) + (a.lanes.right ?? 0);
}

/** Unit vector of a compass bearing (N = 0° up, E = 90° right). */
function dir(bearingDeg: number): [number, number] {
  const r = (bearingDeg * Math.PI) / 180;
  return [Math.sin(r), Math.cos(r)];
}

function bearingOf(config: IntersectionConfig, leg: string): number {
  const named: Record<string, number> = {
    N: 0,
    NE: 45,
    E: 90,
    SE: 135,
    S: 180,
    SW: 225,
    W: 270,
    NW: 315,
  };
  return config.approaches[leg]?.bearingDeg ?? named[leg] ?? 0;
}

/** Lanes (SUMO indices, 0 = rightmost) a movement leaves from, within its group's lanes. */
function fromLanes(config: IntersectionConfig, movement: string, group: number[]): number[] {
  const p = parseMovement(movement)!;
  const shared = typeof config.approaches[p.approach]?.lanes === 'number';
  if (!shared || group.length === 1) return group;
  if (p.turn === 'left') return [group[group.length - 1]!];
  if (p.turn === 'right') return [group[0]!];
  return group;
}

export interface SumoNetworkOptions {
  /**
   * Give each traffic light its intersection's fixed-time plan as SUMO's own program (phases in
   * plan order: green, yellow, all-red; the plan's offset), for runs without TraCI (the speed
   * benchmark's SUMO alone). Default: one all-red phase, never in charge.
   */
  fixedTimePrograms?: boolean;
}

/** SUMO's program of an intersection's fixed-time plan (see SumoNetworkOptions). */
function planProgram(
  config: IntersectionConfig,
  links: Int32Array,
  it: Net['intersections'][number],
): string {
  const plan = config.plan;
  const stepper = createFastSignalStepper(config, 0);
  const state = (phase: string, interval: 'green' | 'yellow' | 'red-clearance', next?: string) => {
    const states = stepper.movementsAt({ phase, interval, next, sinceMs: 0 } as Transition);
    return Array.from(
      links,
      (m) => PROGRAM_LETTER[states[it.movements[m - it.movementBase]!]!] ?? 'r',
    ).join('');
  };
  if (!plan)
    return `    <phase duration="86400" state="${'r'.repeat(Math.max(1, links.length))}"/>`;
  const order = config.phases.map((p) => p.id).filter((id) => (plan.greenS[id] ?? 0) > 0);
  const phases: string[] = [];
  let used = 0;
  order.forEach((id, k) => {
    const next = order[(k + 1) % order.length];
    const g = plan.greenS[id]!;
    phases.push(`    <phase duration="${g}" state="${state(id, 'green')}"/>`);
    phases.push(`    <phase duration="${config.yellowS}" state="${state(id, 'yellow', next)}"/>`);
    if (config.allRedS > 0)
      phases.push(
        `    <phase duration="${config.allRedS}" state="${state(id, 'red-clearance', next)}"/>`,
      );
    used += g + config.yellowS + config.allRedS;
  });
  if (plan.cycleS > used)
    phases.push(
      `    <phase duration="${plan.cycleS - used}" state="${'r'.repeat(links.length)}"/>`,
    );
  return phases.join('\n');
}

const PROGRAM_LETTER: Record<string, string> = {
  'stop-And-Remain': 'r',
  'protected-Movement-Allowed': 'G',
  'permissive-Movement-Allowed': 'g',
  'protected-clearance': 'y',
  'permissive-clearance': 'y',
};

export function sumoNetwork(scenario: Scenario, options: SumoNetworkOptions = {}): SumoNetwork {
  const net = compileNetwork(scenario);
  const ints = net.intersections;
  const ffMps = net.freeFlowKmh / 3.6;
  const intIndex = new Map(scenario.intersections.map((c, i) => [c.id, i]));
  const edgeId = (...parts: string[]) => parts.join('__');

  // Links: one edge each, the exit of `from` and the approach of `to`.
  const linkOut = new Map<string, { edge: string; lengthM: number; to: number }>(); // `${int}/${leg}`
  const linkIn = new Map<string, string>(); // `${int}/${leg}` → edge
  for (const l of scenario.links ?? []) {
    const from = intIndex.get(l.from)!;
    const to = intIndex.get(l.to)!;
    const toConfig = scenario.intersections[to]!;
    const lengthM = toConfig.approaches[l.entry]?.lengthM ?? Math.max(l.travelS * ffMps, 50);
    const edge = edgeId(l.from, l.exit, l.to);
    linkOut.set(`${from}/${l.exit}`, { edge, lengthM, to });
    linkIn.set(`${to}/${l.entry}`, edge);
  }

  // Positions: linked intersections where their links put them, the others far apart.
  const pos: ([number, number] | undefined)[] = ints.map(() => undefined);
  const neighbours: { to: number; dx: number; dy: number }[][] = ints.map(() => []);
  for (const l of scenario.links ?? []) {
    const from = intIndex.get(l.from)!;
    const to = intIndex.get(l.to)!;
    const { lengthM } = linkOut.get(`${from}/${l.exit}`)!;
    const [ux, uy] = dir(bearingOf(scenario.intersections[from]!, l.exit));
    neighbours[from]!.push({ to, dx: ux * lengthM, dy: uy * lengthM });
    neighbours[to]!.push({ to: from, dx: -ux * lengthM, dy: -uy * lengthM });
  }
  let cluster = 0;
  for (let s = 0; s < ints.length; s++) {
    if (pos[s]) continue;
    pos[s] = [cluster++ * APART_M, 0];
    const todo = [s];
    while (todo.length > 0) {
      const i = todo.pop()!;
      const [x, y] = pos[i]!;
      for (const n of neighbours[i]!) {
        if (pos[n.to]) continue;
        pos[n.to] = [x + n.dx, y + n.dy];
        todo.push(n.to);
      }
    }
  }

  const apprIndex = new Map<string, number>();
  net.approachName.forEach((name, a) => {
    apprIndex.set(`${net.approachIntersection[a]}/${name}`, a);
  });
  const approachEdge: string[] = new Array(net.approachName.length).fill('');
  const approachLengthM = new Float64Array(net.approachName.length);
  const groupLanes: number[][] = net.groupId.map(() => []);
  const movExitEdge: string[] = new Array(net.movName.length).fill('');
  const movLanes: number[][] = net.movName.map(() => []);
  const tlsLinks: Int32Array[] = [];
  const nodes: string[] = [];
  const edges: string[] = [];
  const connections: string[] = [];
  const tls: string[] = [];
  const tlsLogics: string[] = []; // netconvert reads a program before the links that name it
  const edgeLanes = new Map<string, number>();

  ints.forEach((it, ii) => {
    const config = it.config;
    const [x, y] = pos[ii]!;
    nodes.push(
      `  <node id="${esc(config.id)}" x="${f2(x)}" y="${f2(y)}" type="traffic_light" tl="${esc(config.id)}"/>`,
    );
    const exitLegs = new Set(it.movements.map((m) => exitApproach(config, m)!));
    for (const leg of Object.keys(config.approaches)) {
      const a = apprIndex.get(`${ii}/${leg}`);
      const [ux, uy] = dir(bearingOf(config, leg));
      const boundaryNode = edgeId(config.id, leg);
      let needsNode = false;
      if (a !== undefined) {
        const link = linkIn.get(`${ii}/${leg}`);
        if (link) {
          approachEdge[a] = link;
        } else {
          const lengthM = config.approaches[leg]?.lengthM ?? DEFAULT_APPROACH_M;
          const edge = edgeId(config.id, leg, 'in');
          approachEdge[a] = edge;
          edges.push(
            `  <edge id="${esc(edge)}" from="${esc(boundaryNode)}" to="${esc(config.id)}" numLanes="${lanesOf(config, leg)}" speed="${f2(ffMps)}" length="${f2(lengthM)}"/>`,
          );
          edgeLanes.set(edge, lanesOf(config, leg));
          needsNode = true;
        }
      }
      if (exitLegs.has(leg) && !linkOut.has(`${ii}/${leg}`)) {
        const edge = edgeId(config.id, leg, 'out');
        edges.push(
          `  <edge id="${esc(edge)}" from="${esc(config.id)}" to="${esc(boundaryNode)}" numLanes="${lanesOf(config, leg)}" speed="${f2(ffMps)}" length="${EXIT_EDGE_M}"/>`,
        );
        edgeLanes.set(edge, lanesOf(config, leg));
        needsNode = true;
      }
      if (needsNode) {
        const lengthM = Math.max(
          config.approaches[leg]?.lengthM ?? DEFAULT_APPROACH_M,
          EXIT_EDGE_M,
        );
        nodes.push(
          `  <node id="${esc(boundaryNode)}" x="${f2(x + ux * lengthM)}" y="${f2(y + uy * lengthM)}" type="priority"/>`,
        );
      }
    }
    const out = linkOut;
    for (const leg of Object.keys(config.approaches)) {
      const l = out.get(`${ii}/${leg}`);
      if (!l) continue;
      const toConfig = ints[l.to]!.config;
      const entry = (scenario.links ?? []).find((x) => x.from === config.id && x.exit === leg)!;
      const lanes = lanesOf(toConfig, entry.entry);
      edges.push(
        `  <edge id="${esc(l.edge)}" from="${esc(config.id)}" to="${esc(toConfig.id)}" numLanes="${lanes}" speed="${f2(ffMps)}" length="${f2(l.lengthM)}"/>`,
      );
      edgeLanes.set(l.edge, lanes);
    }
  });

  // Lane indices of each group on its approach edge: exclusive lanes right, through, left.
  const order = { right: 0, through: 1, left: 2 } as const;
  ints.forEach((it) => {
    const byApproach = new Map<number, number[]>();
    for (const g of it.groups) {
      const a = net.groupApproach[g]!;
      byApproach.set(a, [...(byApproach.get(a) ?? []), g]);
    }
    for (const [, gs] of byApproach) {
      const turnOf = (g: number) =>
        parseMovement(net.movName[net.movGroup.indexOf(g)]!)?.turn ?? 'through';
      gs.sort((p, q) => order[turnOf(p)] - order[turnOf(q)]);
      let next = 0;
      for (const g of gs) {
        for (let k = 0; k < net.groupLanes[g]!; k++) groupLanes[g]!.push(next++);
      }
    }
  });

  ints.forEach((it, ii) => {
    const config = it.config;
    let linkIndex = 0;
    const links: number[] = [];
    const permissive = new Set(config.phases.flatMap((p) => p.permissive ?? []));
    for (let local = 0; local < it.movements.length; local++) {
      const m = it.movementBase + local;
      const movement = it.movements[local]!;
      const leg = exitApproach(config, movement)!;
      const exit = linkOut.get(`${ii}/${leg}`)?.edge ?? edgeId(config.id, leg, 'out');
      movExitEdge[m] = exit;
      const from = approachEdge[net.movApproach[m]!]!;
      const lanes = fromLanes(config, movement, groupLanes[net.movGroup[m]!]!);
      movLanes[m] = lanes;
      const outLanes = edgeLanes.get(exit) ?? 1;
      const turn = parseMovement(movement)!.turn;
      lanes.forEach((lane) => {
        // through straight on where the exit has the lane (a lane shift in the junction is a
        // curve, which SUMO drivers take slower)
        const toLane =
          turn === 'left' ? outLanes - 1 : turn === 'right' ? 0 : Math.min(lane, outLanes - 1);
        // A movement no phase serves permissively never yields: the signal room alone keeps
        // conflicting movements apart, as in OpenPhase's engine (netconvert's own conflict
        // rules would otherwise hold back some protected movements behind others).
        const pass = permissive.has(movement) ? '' : ' pass="true"';
        connections.push(
          `  <connection from="${esc(from)}" to="${esc(exit)}" fromLane="${lane}" toLane="${toLane}"${pass}/>`,
        );
        tls.push(
          `  <connection from="${esc(from)}" to="${esc(exit)}" fromLane="${lane}" toLane="${toLane}" tl="${esc(config.id)}" linkIndex="${linkIndex++}"/>`,
        );
        links.push(m);
      });
    }
    tlsLinks.push(Int32Array.from(links));
    // SUMO's own program: one all-red phase, never in charge (every step the state the signal
    // room approved is set over TraCI), unless a run without TraCI asks for the plans.
    const program = options.fixedTimePrograms
      ? planProgram(config, tlsLinks[tlsLinks.length - 1]!, it)
      : `    <phase duration="86400" state="${'r'.repeat(Math.max(1, linkIndex))}"/>`;
    const offset = options.fixedTimePrograms ? (config.plan?.offsetS ?? 0) : 0;
    tlsLogics.push(
      `  <tlLogic id="${esc(config.id)}" type="static" programID="0" offset="${offset}">\n${program}\n  </tlLogic>`,
    );
  });

  approachEdge.forEach((edge, a) => {
    const link = [...linkOut.values()].find((l) => l.edge === edge);
    const ii = net.approachIntersection[a]!;
    const config = ints[ii]!.config;
    const name = net.approachName[a]!;
    approachLengthM[a] = link
      ? link.lengthM
      : (config.approaches[name]?.lengthM ?? DEFAULT_APPROACH_M);
  });

  return {
    net,
    approachEdge,
    approachLengthM,
    groupLanes,
    movExitEdge,
    movLanes,
    tlsLinks,
    xml: {
      nodes: `<nodes>\n${nodes.join('\n')}\n</nodes>\n`,
      edges: `<edges>\n${edges.join('\n')}\n</edges>\n`,
      connections: `<connections>\n${connections.join('\n')}\n</connections>\n`,
      tls: `<tlLogics>\n${[...tlsLogics, ...tls].join('\n')}\n</tlLogics>\n`,
    },
  };
}
