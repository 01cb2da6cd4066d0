/**
 * The vehicles of a scenario, for SUMO (pure): the same arrivals per seed as OpenPhase's engine
 * (the arrival process of simulator/demand.ts on the same random streams, so the same vehicles
 * at the same times), each with its whole route. OpenPhase draws a vehicle's turn at the next
 * intersection when it gets there; SUMO needs the route at departure, so the turns are drawn
 * here, with the links' turning shares, in order of departure (the same shares, another order:
 * the same vehicles leave the network, not necessarily by the same legs).
 */
import { DEFAULT_SEED } from '../../protocol/index.ts';
import { createArrivals } from '../../simulator/demand.ts';
import type { Scenario } from '../../simulator/index.ts';
import { STREAM, stream } from '../../simulator/rng.ts';
import type { SumoNetwork } from './network.ts';

/** A route never goes through more intersections than this (grids let vehicles circle). */
export const MAX_PASSAGES = 64;

export interface SumoVehicle {
  id: string;
  /** OpenPhase's arrival time: at the stop line of its first intersection, s since the start */
  arriveS: number;
  /** SUMO time it enters its first approach: at free flow it reaches the line at arriveS + lead */
  departS: number;
  /** the lane it enters its first approach on (SUMO index) */
  departLane: number;
  /** the edges it drives, in order */
  edges: string[];
  /** the movement (global index) of each intersection it passes, in order */
  passages: Int32Array;
}

/** Length of SUMO's car (its front is this far into the lane when it is let in), metres. */
export const CAR_LENGTH_M = 5;

export interface SumoDemand {
  /** every vehicle arriving before `durationS`, sorted by SUMO departure */
  vehicles: SumoVehicle[];
  /**
   * SUMO runs this long (s) before OpenPhase's t = 0, so that a vehicle entering the longest
   * approach at its start reaches the stop line at its arrival time (OpenPhase's vehicles
   * appear at the stop line: a vertical queue)
   */
  leadS: number;
}

/** The vehicles, with SUMO times, for a SUMO step of `stepS` seconds. */
export function sumoVehicles(
  scenario: Scenario,
  sn: SumoNetwork,
  seed: number | undefined,
  stepS: number,
): SumoDemand {
  const s = seed ?? scenario.seed ?? DEFAULT_SEED;
  const net = sn.net;
  const endS = net.durationMs / 1000;
  const index = new Map(net.intersections.map((it, i) => [it.config.id, i]));
  const starts: { departS: number; m: number; k: number }[] = [];
  scenario.demand.forEach((d, k) => {
    const it = net.intersections[index.get(d.intersection)!]!;
    const m = it.movementBase + it.movements.indexOf(d.movement);
    const p = createArrivals(d.flowVph, net.arrivals, stream(s, STREAM.arrivals, k));
    // the engine lets a vehicle in during the step that contains its arrival: before the end
    for (let t = p.peek(); t < endS; p.advance(), t = p.peek()) starts.push({ departS: t, m, k });
  });
  starts.sort((a, b) => a.departS - b.departS || a.k - b.k);
  const ffMps = net.freeFlowKmh / 3.6;
  const toLineS = (m: number) =>
    Math.max(0, sn.approachLengthM[net.movApproach[m]!]! - CAR_LENGTH_M) / ffMps;
  let lead = 0;
  for (const d of new Set(starts.map((v) => v.m))) lead = Math.max(lead, toLineS(d));
  const leadS = Math.ceil(lead / stepS - 1e-9) * stepS;
  const turn = net.links.map((_, l) => stream(s, STREAM.turning, l));
  // Each movement's vehicles take its lanes in turn (SUMO's "best" lane sends them all to one).
  const nextLane = new Int32Array(net.movName.length);
  const vehicles = starts.map((v): SumoVehicle => {
    const edges = [sn.approachEdge[net.movApproach[v.m]!]!];
    const passages = [v.m];
    let m = v.m;
    for (;;) {
      const l = net.movExitLink[m]!;
      edges.push(sn.movExitEdge[m]!);
      if (l < 0 || passages.length >= MAX_PASSAGES) break;
      const link = net.links[l]!;
      const u = turn[l]!();
      let k = 0;
      while (k < link.turnCum.length - 1 && u >= link.turnCum[k]!) k++;
      m = link.turnMov[k]!;
      passages.push(m);
    }
    const lanes = sn.movLanes[v.m]!;
    const departLane = lanes[nextLane[v.m]!++ % lanes.length]!;
    return {
      id: '',
      arriveS: v.departS,
      departS: v.departS + leadS - toLineS(v.m),
      departLane,
      edges,
      passages: Int32Array.from(passages),
    };
  });
  // SUMO reads its vehicles in order of departure; a vehicle's id is its place in that order
  vehicles.sort((a, b) => a.departS - b.departS);
  vehicles.forEach((v, i) => {
    v.id = `v${i}`;
  });
  return { vehicles, leadS };
}
