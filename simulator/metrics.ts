/**
 * Run metrics, under the names the scorecard and `simulate --json` report (pure). Accumulators live in typed arrays; the
 * report is built on demand without changing them, so a live dashboard can ask mid-run.
 * Control delay = departure − arrival at the stop line in the vertical-queue model, i.e. time
 * in the intersection's influence area minus free-flow time. Vehicles still queued count with
 * the delay they have so far; a vehicle stops when its delay reaches STOP_DELAY_S.
 */
import { quantileOfHistogram } from '../metrics/index.ts';
import { OVERRIDE_KINDS, type OverrideKind } from '../protocol/index.ts';
import type { Net } from './network.ts';

/** A vehicle delayed this long had to stop (Webster's "proportion stopped" counts any delay). */
export const STOP_DELAY_S = 1;

export type OverrideCounts = Record<OverrideKind, number>;

export interface RunMetrics {
  arrived: number;
  served: number;
  queuedAtEnd: number;
  meanDelayS: number;
  p95DelayS: number;
  maxWaitS: number;
  meanQueueVeh: number;
  maxQueueVeh: number;
  stopsPerVehicle: number;
  throughputVph: number;
  phaseChangesPerHour: number;
  overrides: OverrideCounts;
  missedDeadlines: number;
  decisionLatencyMs: { p50: number; p99: number };
}

export interface MovementCounts {
  arrived: number;
  served: number;
  queuedAtEnd: number;
}

export interface ApproachMetrics {
  approach: string;
  arrived: number;
  served: number;
  queuedAtEnd: number;
  meanDelayS: number;
  maxWaitS: number;
  meanQueueVeh: number;
  maxQueueVeh: number;
  stopsPerVehicle: number;
  throughputVph: number;
  movements: Record<string, MovementCounts>;
}

export interface IntersectionMetrics extends RunMetrics {
  intersection: string;
  perApproach: ApproachMetrics[];
}

// Delay histogram: 0.25 s bins below 120 s, then 1 % log bins up to a week.
const LINEAR_BINS = 480;
const LOG_BASE = Math.log(1.01);
export const HIST_BINS = LINEAR_BINS + 860;

export function binOf(delayS: number): number {
  if (delayS < 120) return delayS <= 0 ? 0 : Math.floor(delayS * 4);
  return Math.min(HIST_BINS - 1, LINEAR_BINS + Math.floor(Math.log(delayS / 120) / LOG_BASE));
}

function binLow(b: number): number {
  return b < LINEAR_BINS ? b / 4 : 120 * 1.01 ** (b - LINEAR_BINS);
}

/** q-quantile of a delay histogram (metrics/quantile.ts: nearest rank, interpolated in the bin). */
export const quantile = (hist: Uint32Array | Float64Array, q: number): number =>
  quantileOfHistogram(hist, q, binLow);

export const emptyOverrides = (): OverrideCounts =>
  Object.fromEntries(OVERRIDE_KINDS.map((k) => [k, 0])) as OverrideCounts;

export class MetricsAcc {
  readonly movArrived: Float64Array;
  readonly movServed: Float64Array;
  readonly apprDelaySum: Float64Array;
  readonly apprDelayMax: Float64Array;
  readonly apprStops: Float64Array;
  readonly apprQueueSum: Float64Array;
  readonly apprQueueMax: Float64Array;
  readonly hist: Uint32Array;
  readonly phaseChanges: Float64Array;
  readonly overrides: OverrideCounts[];

  constructor(readonly net: Net) {
    const nm = net.movName.length;
    const na = net.approachName.length;
    const ni = net.intersections.length;
    this.movArrived = new Float64Array(nm);
    this.movServed = new Float64Array(nm);
    this.apprDelaySum = new Float64Array(na);
    this.apprDelayMax = new Float64Array(na);
    this.apprStops = new Float64Array(na);
    this.apprQueueSum = new Float64Array(na);
    this.apprQueueMax = new Float64Array(na);
    this.hist = new Uint32Array(ni * HIST_BINS);
    this.phaseChanges = new Float64Array(ni);
    this.overrides = net.intersections.map(emptyOverrides);
  }

  /** A vehicle of global movement m left after `delayMs` of control delay. */
  served(m: number, delayMs: number): void {
    const net = this.net;
    const a = net.movApproach[m]!;
    const delayS = delayMs / 1000;
    this.movServed[m]!++;
    this.apprDelaySum[a]! += delayS;
    if (delayS > this.apprDelayMax[a]!) this.apprDelayMax[a] = delayS;
    if (delayS >= STOP_DELAY_S) this.apprStops[a]!++;
    this.hist[net.movIntersection[m]! * HIST_BINS + binOf(delayS)]!++;
  }
}

export interface Stranded {
  /** global movement index per stranded vehicle */
  movement: number[];
  delayS: number[];
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

/** Builds the report at simulated time `elapsedMs` after the start. */
export function buildReport(
  acc: MetricsAcc,
  stranded: Stranded,
  elapsedMs: number,
): { metrics: RunMetrics; perIntersection: IntersectionMetrics[] } {
  const net = acc.net;
  const hours = Math.max(elapsedMs, 1) / 3_600_000;
  const elapsedS = Math.max(elapsedMs, 1) / 1000;
  const nm = net.movName.length;
  const na = net.approachName.length;
  const queued = new Float64Array(nm);
  const delaySum = Float64Array.from(acc.apprDelaySum);
  const delayMax = Float64Array.from(acc.apprDelayMax);
  const stops = Float64Array.from(acc.apprStops);
  const hist = Float64Array.from(acc.hist);
  stranded.movement.forEach((m, k) => {
    const d = stranded.delayS[k]!;
    const a = net.movApproach[m]!;
    queued[m]!++;
    delaySum[a]! += d;
    if (d > delayMax[a]!) delayMax[a] = d;
    if (d >= STOP_DELAY_S) stops[a]!++;
    hist[net.movIntersection[m]! * HIST_BINS + binOf(d)]!++;
  });
  const apprArrived = new Float64Array(na);
  const apprServed = new Float64Array(na);
  const apprQueued = new Float64Array(na);
  const movements: Record<string, MovementCounts>[] = net.approachName.map(() => ({}));
  for (let m = 0; m < nm; m++) {
    const a = net.movApproach[m]!;
    apprArrived[a]! += acc.movArrived[m]!;
    apprServed[a]! += acc.movServed[m]!;
    apprQueued[a]! += queued[m]!;
    movements[a]![net.movName[m]!] = {
      arrived: acc.movArrived[m]!,
      served: acc.movServed[m]!,
      queuedAtEnd: queued[m]!,
    };
  }
  const total = emptyOverrides();
  const overallHist = new Float64Array(HIST_BINS);
  const sums = { arrived: 0, served: 0, queued: 0, delay: 0, max: 0, stops: 0, qMean: 0, qMax: 0 };
  let phaseChanges = 0;
  const perIntersection = net.intersections.map((it, ii): IntersectionMetrics => {
    const s = { arrived: 0, served: 0, queued: 0, delay: 0, max: 0, stops: 0, qMean: 0, qMax: 0 };
    const perApproach = it.approaches.map((a): ApproachMetrics => {
      const arrived = apprArrived[a]!;
      const meanQ = acc.apprQueueSum[a]! / elapsedS;
      s.arrived += arrived;
      s.served += apprServed[a]!;
      s.queued += apprQueued[a]!;
      s.delay += delaySum[a]!;
      s.max = Math.max(s.max, delayMax[a]!);
      s.stops += stops[a]!;
      s.qMean += meanQ;
      s.qMax = Math.max(s.qMax, acc.apprQueueMax[a]!);
      return {
        approach: net.approachName[a]!,
        arrived,
        served: apprServed[a]!,
        queuedAtEnd: apprQueued[a]!,
        meanDelayS: r3(arrived > 0 ? delaySum[a]! / arrived : 0),
        maxWaitS: r3(delayMax[a]!),
        meanQueueVeh: r3(meanQ),
        maxQueueVeh: acc.apprQueueMax[a]!,
        stopsPerVehicle: r3(arrived > 0 ? stops[a]! / arrived : 0),
        throughputVph: r3(apprServed[a]! / hours),
        movements: movements[a]!,
      };
    });
    const h = hist.subarray(ii * HIST_BINS, (ii + 1) * HIST_BINS);
    for (let b = 0; b < HIST_BINS; b++) overallHist[b]! += h[b]!;
    for (const k of Object.keys(total) as OverrideKind[]) total[k] += acc.overrides[ii]![k];
    phaseChanges += acc.phaseChanges[ii]!;
    for (const k of Object.keys(sums) as (keyof typeof sums)[]) {
      sums[k] = k === 'max' || k === 'qMax' ? Math.max(sums[k], s[k]) : sums[k] + s[k];
    }
    return {
      intersection: it.config.id,
      ...summary(s, quantile(h, 0.95), it.approaches.length, hours),
      phaseChangesPerHour: r3(acc.phaseChanges[ii]! / hours),
      overrides: { ...acc.overrides[ii]! },
      missedDeadlines: 0,
      decisionLatencyMs: { p50: 0, p99: 0 },
      perApproach,
    };
  });
  const metrics: RunMetrics = {
    ...summary(sums, quantile(overallHist, 0.95), na, hours),
    phaseChangesPerHour: r3(phaseChanges / Math.max(1, net.intersections.length) / hours),
    overrides: total,
    missedDeadlines: 0,
    decisionLatencyMs: { p50: 0, p99: 0 },
  };
  return { metrics, perIntersection };
}

function summary(
  s: {
    arrived: number;
    served: number;
    queued: number;
    delay: number;
    max: number;
    stops: number;
    qMean: number;
    qMax: number;
  },
  p95: number,
  approaches: number,
  hours: number,
) {
  return {
    arrived: s.arrived,
    served: s.served,
    queuedAtEnd: s.queued,
    meanDelayS: r3(s.arrived > 0 ? s.delay / s.arrived : 0),
    p95DelayS: r3(p95),
    maxWaitS: r3(s.max),
    // per approach: time-averaged mean over approaches, and the peak of any one approach
    meanQueueVeh: r3(approaches > 0 ? s.qMean / approaches : 0),
    maxQueueVeh: s.qMax,
    stopsPerVehicle: r3(s.arrived > 0 ? s.stops / s.arrived : 0),
    throughputVph: r3(s.served / hours),
  };
}
