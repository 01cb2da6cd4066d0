/**
 * The traffic engine (pure: no I/O, no wall clock). A mesoscopic vertical-queue model with
 * vehicle-level records in typed arrays. Step order is fixed, as in SUMO: signals (through
 * the safety monitor), arrivals, discharge, detectors, metrics. Same scenario + seed →
 * the same outputs, byte for byte.
 *
 * Discharge: the head of a lane group's FIFO leaves at max(saturation headway after the
 * previous departure, its arrival, the next effective-green instant of its movement), if that
 * falls inside the step and the downstream approach has room (spillback). External vehicles
 * always join their queue; those beyond the approach's storage are "waiting outside" and block
 * upstream links, and their delay counts like any other.
 */

import {
  DEFAULT_SEED,
  type IntersectionConfig,
  type Override,
  type Scenario,
  type Signal,
} from '../protocol/index.ts';
import type { Request, SignalStepperFactory } from '../signal/index.ts';
import { type ArrivalProcess, createArrivals } from './demand.ts';
import { CRAWL_SPEED_KMH, DISCHARGE_SPEED_KMH, passMs } from './detectors.ts';
import { FifoBank } from './fifo.ts';
import {
  buildReport,
  type IntersectionMetrics,
  MetricsAcc,
  type RunMetrics,
  STOP_DELAY_S,
} from './metrics.ts';
import { compileNetwork } from './network.ts';
import { RngBank, STREAM, stream } from './rng.ts';
import { type CountsOut, createSensors } from './sensors.ts';
import {
  createSignalStep,
  createTrack,
  createWindows,
  greenFrom,
  nextGreenFrom,
  stepSignal,
} from './signals.ts';

export type { CountsOut } from './sensors.ts';

export interface SimulationOptions {
  /** random seed; default the scenario's */
  seed?: number;
  /** simulated duration, seconds; default the scenario's */
  durationS?: number;
  /** record raw detector actuations in counts messages (off by default: costs time) */
  actuations?: boolean;
  /** queue-series sampling period, seconds (default 60, or 10 for runs up to 10 min) */
  sampleS?: number;
  /** the signal room's stepper for every intersection (default: the fast one) */
  signalStepper?: SignalStepperFactory;
}

export interface StepOutput {
  atMs: number;
  counts: CountsOut[];
  signals: { intersection: string; signal: Signal; changed: boolean }[];
  overrides: { intersection: string; override: Override }[];
}

export interface StepOptions {
  /** make the counts messages due this step (default true) */
  counts?: boolean;
}

export interface Simulation {
  readonly startAtMs: number;
  readonly stepMs: number;
  readonly seed: number;
  nowMs(): number;
  done(): boolean;
  configs(): IntersectionConfig[];
  sensors(): { intersection: string; sensor: string }[];
  /**
   * Advances one step; `requests` holds the phase wanted per intersection (absent: none).
   * `{ counts: false }`: the caller reads no counts messages this step, so none are made
   * (`out.counts` is empty); the detectors and the vehicles run exactly as otherwise.
   */
  step(requests: ReadonlyMap<string, Request>, options?: StepOptions): StepOutput;
  signal(intersection: string): Signal;
  metrics(): RunMetrics;
  report(): { metrics: RunMetrics; perIntersection: IntersectionMetrics[] };
  queueSeries(): { tS: number[]; byIntersection: Record<string, number[]> };
}

/**
 * @example
 * const sim = createSimulation(await loadScenario('two-phase'), { seed: 1 });
 * while (!sim.done()) sim.step(new Map());
 * sim.metrics().meanDelayS;
 */
export function createSimulation(scenario: Scenario, opts: SimulationOptions = {}): Simulation {
  const seed = opts.seed ?? scenario.seed ?? DEFAULT_SEED;
  const net = compileNetwork(
    opts.durationS === undefined ? scenario : { ...scenario, durationS: opts.durationS },
  );
  const start = net.startAtMs;
  const endMs = start + net.durationMs;
  const nG = net.groupId.length;
  const nA = net.approachName.length;
  const ints = net.intersections;
  const w = createWindows(net.movName.length);
  const tracks = ints.map((it) =>
    createTrack(net, it, w, opts.signalStepper ? { stepper: opts.signalStepper } : {}),
  );
  const index = new Map(ints.map((it, i) => [it.config.id, i]));
  const ids = ints.map((it) => it.config.id);
  // intersection i's lane groups: igList[igOff[i] … igOff[i + 1] − 1]
  const [igOff, igList] = flatten(ints.map((it) => it.groups));
  const nL = net.links.length;
  // Per-vehicle paths read flat arrays only (queues, links, detectors by index): a thousand
  // intersections' worth of small objects cost a cache miss at every hop.
  const movGroup = net.movGroup;
  const movLocal = net.movLocal;
  const movExitLink = net.movExitLink;
  const groupApproach = net.groupApproach;
  const groupHeadwayMs = net.groupHeadwayMs;
  const approachCapacity = net.approachCapacity;
  /** the vehicles queued in each lane group (arrival time, global movement) */
  const queues = new FifoBank(nG);
  /** the vehicles in transit on each link (arrival time downstream, movement there) */
  const inTransit = new FifoBank(nL);
  /** arrival time of the first vehicle in transit on each link (Infinity: none) */
  const linkNext = new Float64Array(nL).fill(Number.POSITIVE_INFINITY);
  const linkApproach = Int32Array.from(net.links, (l) => l.approach);
  const linkTravelMs = Float64Array.from(net.links, (l) => l.travelMs);
  // link l's turning choices are turnCum/turnMov[turnOff[l] … turnOff[l + 1] − 1]
  const turnOff = new Int32Array(nL + 1);
  for (let l = 0; l < nL; l++) turnOff[l + 1] = turnOff[l]! + net.links[l]!.turnMov.length;
  const turnCum = new Float64Array(turnOff[nL]!);
  const turnMov = new Int32Array(turnOff[nL]!);
  net.links.forEach((link, l) => {
    turnCum.set(link.turnCum, turnOff[l]!);
    turnMov.set(link.turnMov, turnOff[l]!);
  });
  /** turning stream l draws what stream(seed, STREAM.turning, l) would */
  const turnRng = new RngBank(seed, STREAM.turning, nL);
  const occupancy = new Float64Array(nA);
  const lastDep = new Float64Array(nG).fill(Number.NEGATIVE_INFINITY);
  const nextCross = new Float64Array(nG).fill(Number.NEGATIVE_INFINITY);
  /**
   * Per lane group, a time before which `discharge` provably lets nobody go: the head vehicle's
   * next effective-green instant, or +∞ while its windows are closed. Reset (−∞) when the
   * intersection's signal changes or a new vehicle becomes the head of the queue.
   */
  const wake = new Float64Array(nG).fill(Number.NEGATIVE_INFINITY);
  // Each lane group's queue length and head vehicle (arrival time, movement), mirrored in flat
  // arrays: the per-step loops over every group read these instead of touching each queue.
  const qSize = queues.size;
  const qHeadT = new Float64Array(nG);
  const qHeadV = new Int32Array(nG);
  const syncHead = (g: number) => {
    if (qSize[g]! > 0) {
      qHeadT[g] = queues.headTime(g);
      qHeadV[g] = queues.headValue(g);
    }
  };
  const apprQueue = new Float64Array(nA);
  const acc = new MetricsAcc(net);
  const sensing = createSensors(net, scenario, seed, opts.actuations ?? false);
  const bank = sensing.bank;

  // External demand: one arrival process per demand entry, its next arrival cached in ms.
  const srcMov = new Int32Array(scenario.demand.length);
  const srcNext = new Float64Array(scenario.demand.length);
  const sources: ArrivalProcess[] = scenario.demand.map((d, k) => {
    const it = ints[index.get(d.intersection)!]!;
    srcMov[k] = it.movementBase + it.movements.indexOf(d.movement);
    const p = createArrivals(d.flowVph, net.arrivals, stream(seed, STREAM.arrivals, k));
    srcNext[k] = start + p.peek() * 1000;
    return p;
  });

  const nD = net.detectors.length;
  const detStop = Uint8Array.from(net.detectors, (d) => (d.kind === 'stop-bar' ? 1 : 0));
  const detMask = Int32Array.from(net.detectors, (d) => d.mask);
  const detCover = Float64Array.from(net.detectors, (d) => d.coverQueueVeh);
  // detector d's lane groups: dgList[dgOff[d] … dgOff[d + 1] − 1]; group g's detectors likewise
  const [dgOff, dgList] = flatten(net.detectors.map((d) => d.groups));
  const [gdOff, gdList] = flatten(net.groupDetectors);
  const groupCover = Float64Array.from(net.groupDetectors, (ds) =>
    Math.min(
      Number.POSITIVE_INFINITY,
      ...[...ds].filter((d) => !detStop[d]).map((d) => detCover[d]!),
    ),
  );
  const occlusion = net.advanceOcclusion;
  const ffKmh = net.freeFlowKmh;
  const ffPassMs = passMs(ffKmh);
  const crawlPassMs = passMs(CRAWL_SPEED_KMH);
  const dischargePassMs = passMs(DISCHARGE_SPEED_KMH);
  const stopMs = STOP_DELAY_S * 1000;

  const sampleMs = (opts.sampleS ?? (net.durationMs <= 600_000 ? 10 : 60)) * 1000;
  const series = { tS: [] as number[], byIntersection: ints.map(() => [] as number[]) };
  let now = start;
  const scratch = createSignalStep();

  function arrive(m: number, t: number): void {
    const g = movGroup[m]!;
    const bit = 1 << movLocal[m]!;
    for (let k = gdOff[g]!; k < gdOff[g + 1]!; k++) {
      const d = gdList[k]!;
      if (detStop[d] || !(detMask[d]! & bit)) continue;
      const covered = qSize[g]! >= detCover[d]!;
      // Under a standing queue a real loop cannot see who joins behind it (occlusion): the
      // vehicle is counted later, when it rolls over the loop as the queue discharges.
      if (covered && occlusion) bank.occupy(d, t, t + crawlPassMs);
      else
        bank.passage(
          d,
          t,
          t + (covered ? crawlPassMs : ffPassMs),
          covered ? CRAWL_SPEED_KMH : ffKmh,
        );
    }
    if (qSize[g] === 0 || t < qHeadT[g]!) wake[g] = Number.NEGATIVE_INFINITY;
    queues.push(g, t, m);
    syncHead(g);
    acc.movArrived[m]!++;
  }

  function discharge(g: number, t0: number, t1: number): void {
    if (qSize[g] === 0) return;
    const h = groupHeadwayMs[g]!;
    const d0 = gdOff[g]!;
    const d1 = gdOff[g + 1]!;
    // A queued vehicle crosses the stop line in the middle of its saturation-headway slot, so
    // k queued vehicles cross at g + (k − ½)·h: on average the fluid model of the formulas.
    const lead = h / 2;
    let cursor = Math.max(nextCross[g]!, t0);
    while (qSize[g]! > 0) {
      const arr = queues.headTime(g);
      const m = queues.headValue(g);
      const dep = greenFrom(w, m, Math.max(cursor, arr), t1, lead);
      if (dep < 0) {
        // Nobody leaves before the head's next green instant (+∞: its windows are closed), as
        // long as the windows and the head stay the same: later steps may skip this group.
        wake[g] = nextGreenFrom(w, m, Math.max(cursor, arr), lead);
        break;
      }
      const l = movExitLink[m]!;
      const down = l >= 0 ? linkApproach[l]! : -1;
      if (down >= 0 && occupancy[down]! >= approachCapacity[down]!) break;
      if (occlusion) rollOver(g, dep);
      queues.shift(g);
      const delay = dep - arr;
      const stopped = delay >= stopMs;
      const headSince = Math.max(arr, lastDep[g]!);
      const bit = 1 << movLocal[m]!;
      for (let k = d0; k < d1; k++) {
        const d = gdList[k]!;
        if (!detStop[d] || !(detMask[d]! & bit)) continue;
        bank.passage(
          d,
          headSince,
          dep + (stopped ? dischargePassMs : ffPassMs),
          stopped ? DISCHARGE_SPEED_KMH : ffKmh,
        );
      }
      lastDep[g] = dep;
      occupancy[groupApproach[g]!]!--;
      acc.served(m, delay);
      if (down >= 0) {
        const u = turnRng.next(l);
        let k = turnOff[l]!;
        const last = turnOff[l + 1]! - 1;
        while (k < last && u >= turnCum[k]!) k++;
        const at = dep + linkTravelMs[l]!;
        inTransit.push(l, at, turnMov[k]!);
        if (at < linkNext[l]!) linkNext[l] = at;
        occupancy[down]!++;
      }
      cursor = dep + h;
    }
    syncHead(g);
    nextCross[g] = cursor;
  }

  /**
   * The head of group g's queue leaves at `dep`: the vehicle `cover` places behind it moves up
   * over each advance detector that the queue covers. Vehicles at or beyond a detector's cover
   * joined while it was covered (the queue only shortens from the head), so each occluded
   * arrival is counted exactly once, here.
   */
  function rollOver(g: number, dep: number): void {
    const size = qSize[g]!;
    if (size <= groupCover[g]!) return;
    for (let k = gdOff[g]!; k < gdOff[g + 1]!; k++) {
      const d = gdList[k]!;
      if (detStop[d]) continue;
      const cover = Math.ceil(detCover[d]!);
      if (size <= cover) continue;
      const m = queues.valueAt(g, cover);
      if (!(detMask[d]! & (1 << movLocal[m]!))) continue;
      bank.passage(d, dep, dep + dischargePassMs, DISCHARGE_SPEED_KMH);
    }
  }

  /** Since when a vehicle has stood on stop-bar detector d (NaN: nobody there). */
  function presence(d: number): number {
    let since = Number.NaN;
    for (let k = dgOff[d]!; k < dgOff[d + 1]!; k++) {
      const g = dgList[k]!;
      if (qSize[g] === 0 || !(detMask[d]! & (1 << movLocal[qHeadV[g]!]!))) continue;
      const s = Math.max(qHeadT[g]!, lastDep[g]!);
      if (!(s >= since)) since = s;
    }
    return since;
  }

  function step(requests: ReadonlyMap<string, Request>, options?: StepOptions): StepOutput {
    if (now >= endMs) throw new Error('the simulation is done');
    const t0 = now;
    const t1 = now + net.stepMs;
    const out: StepOutput = { atMs: t1, counts: [], signals: [], overrides: [] };
    for (let i = 0; i < ints.length; i++) {
      const id = ids[i]!;
      const r = stepSignal(net, ints[i]!, tracks[i]!, w, t0, t1, requests.get(id), scratch);
      if (r.phaseChanges > 0) acc.phaseChanges[i]! += r.phaseChanges;
      if (r.changed) {
        // new effective-green windows: every lane group of the intersection looks again
        for (let k = igOff[i]!; k < igOff[i + 1]!; k++) wake[igList[k]!] = Number.NEGATIVE_INFINITY;
      }
      for (const o of r.overrides) {
        acc.overrides[i]![o.kind]++;
        out.overrides.push({ intersection: id, override: o });
      }
      out.signals.push({ intersection: id, signal: tracks[i]!.stepper.signal, changed: r.changed });
    }
    for (let k = 0; k < sources.length; k++) {
      while (srcNext[k]! < t1) {
        const m = srcMov[k]!;
        occupancy[net.movApproach[m]!]!++;
        arrive(m, srcNext[k]!);
        sources[k]!.advance();
        srcNext[k] = start + sources[k]!.peek() * 1000;
      }
    }
    const transitSize = inTransit.size;
    for (let l = 0; l < nL; l++) {
      // linkNext is the head's arrival time: a link with nobody due costs one read
      let t = linkNext[l]!;
      if (!(t < t1)) continue;
      for (;;) {
        const m = inTransit.headValue(l);
        inTransit.shift(l);
        arrive(m, t);
        if (transitSize[l] === 0) {
          t = Number.POSITIVE_INFINITY;
          break;
        }
        t = inTransit.headTime(l);
        if (!(t < t1)) break;
      }
      linkNext[l] = t;
    }
    apprQueue.fill(0);
    for (let g = 0; g < nG; g++) {
      if (wake[g]! < t1) discharge(g, t0, t1);
      const size = qSize[g]!;
      apprQueue[groupApproach[g]!]! += size;
      if (size >= groupCover[g]!) {
        // The queue has backed over the advance detector: it is on for the whole step.
        for (let k = gdOff[g]!; k < gdOff[g + 1]!; k++) {
          const d = gdList[k]!;
          if (!detStop[d] && size >= detCover[d]!) bank.occupy(d, t0, t1);
        }
      }
    }
    const dtS = net.stepMs / 1000;
    for (let a = 0; a < nA; a++) {
      const qa = apprQueue[a]!;
      acc.apprQueueSum[a]! += qa * dtS;
      if (qa > acc.apprQueueMax[a]!) acc.apprQueueMax[a] = qa;
    }
    if ((t1 - start) % sampleMs === 0) {
      series.tS.push((t1 - start) / 1000);
      ints.forEach((it, i) => {
        let sum = 0;
        for (const a of it.approaches) sum += apprQueue[a]!;
        series.byIntersection[i]!.push(sum);
      });
    }
    if (nD > 0 && (t1 - start) % net.countIntervalMs === 0)
      out.counts = sensing.close(t1, presence, options?.counts ?? true);
    now = t1;
    return out;
  }

  function stranded() {
    const movement: number[] = [];
    const delayS: number[] = [];
    for (let g = 0; g < nG; g++) {
      for (let i = 0; i < qSize[g]!; i++) {
        movement.push(queues.valueAt(g, i));
        delayS.push(Math.max(0, now - queues.timeAt(g, i)) / 1000);
      }
    }
    return { movement, delayS };
  }

  const report = () => buildReport(acc, stranded(), now - start);
  return {
    startAtMs: start,
    stepMs: net.stepMs,
    seed,
    nowMs: () => now,
    done: () => now >= endMs,
    configs: () => ints.map((it) => it.config),
    sensors: () =>
      net.sensors.map((s) => ({ intersection: ints[s.intersection]!.config.id, sensor: s.id })),
    step,
    signal(intersection) {
      const i = index.get(intersection);
      if (i === undefined) throw new Error(`unknown intersection '${intersection}'`);
      return tracks[i]!.stepper.signal;
    },
    metrics: () => report().metrics,
    report,
    queueSeries: () => ({
      tS: [...series.tS],
      byIntersection: Object.fromEntries(
        ints.map((it, i) => [it.config.id, [...series.byIntersection[i]!]]),
      ),
    }),
  };
}

/** Lists of indices as one array and offsets: list i is out[off[i] … off[i + 1] − 1]. */
function flatten(lists: readonly ArrayLike<number>[]): [Int32Array, Int32Array] {
  const off = new Int32Array(lists.length + 1);
  for (let i = 0; i < lists.length; i++) off[i + 1] = off[i]! + lists[i]!.length;
  const out = new Int32Array(off[lists.length]!);
  lists.forEach((list, i) => {
    for (let k = 0; k < list.length; k++) out[off[i]! + k] = list[k]!;
  });
  return [off, out];
}
