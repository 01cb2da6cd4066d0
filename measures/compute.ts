/**
 * The ATSPM measures of one intersection (pure): from the stored signal changes, detector
 * actuations and counts over [fromMs, toMs), per lane group and per local time bin.
 * Definitions (docs/measures.md): arrivals on green and platoon ratio (Purdue / HCM), approach
 * delay (ATSPM: arrivals on red wait until the next green), split failures by the green and red
 * occupancy ratios (GOR and ROR5 both above 0.79), yellow and red actuations, phase termination,
 * approach volume, and the data of the Purdue coordination diagram.
 */
import {
  detectorsOf,
  type IntersectionConfig,
  laneGroups,
  localBins,
  zoneOf,
} from '../protocol/index.ts';
import { occupancyRatio, unionOnTimes } from './occupancy.ts';
import {
  coveredMs,
  greenTimeMs,
  laneGroupTimeline,
  type Segment,
  segmentAt,
  services,
} from './timeline.ts';
import type {
  ApproachVolume,
  ArrivalMeasures,
  BinMeasures,
  CoordinationDiagram,
  DetectorActuation,
  LaneGroupMeasures,
  Measures,
  MeasuresData,
  MeasuresOptions,
  PhaseTermination,
  SplitFailureMeasures,
  YellowRedMeasures,
} from './types.ts';

export const DEFAULTS = {
  binMs: 900_000,
  approachSpeedKmh: 50,
  gorThreshold: 0.79,
  rorThreshold: 0.79,
  rorWindowS: 5,
  severeRedS: 5,
  maxDiagramArrivals: 20_000,
};

/** Tolerance for "ended at the maximum green": signal times come in whole steps. */
const MAX_OUT_TOLERANCE_MS = 500;

const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d;
const pct = (a: number, b: number) => (b > 0 ? round((100 * a) / b) : null);

/** Index of the first of the sorted `xs` after t (xs.length when none). */
function firstAfter(xs: readonly number[], t: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid]! <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the bin holding t (bins sorted, contiguous), or -1. */
function binOf(bins: readonly { fromMs: number; toMs: number }[], t: number): number {
  let lo = 0;
  let hi = bins.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = bins[mid]!;
    if (t < b.fromMs) hi = mid - 1;
    else if (t >= b.toMs) lo = mid + 1;
    else return mid;
  }
  return -1;
}

interface ArrivalAcc {
  arrivals: number;
  onGreen: number;
  delayMs: number;
}

function arrivalMeasures(a: ArrivalAcc, greenMs: number, spanMs: number): ArrivalMeasures {
  const aogPct = pct(a.onGreen, a.arrivals);
  const greenPct = pct(greenMs, spanMs);
  return {
    arrivals: a.arrivals,
    arrivalsOnGreen: a.onGreen,
    aogPct,
    greenPct,
    platoonRatio:
      aogPct !== null && greenPct !== null && greenPct > 0 ? round(aogPct / greenPct, 2) : null,
    delayVehS: round(a.delayMs / 1000),
    delayPerVehS: a.arrivals > 0 ? round(a.delayMs / 1000 / a.arrivals) : null,
  };
}

const splitMeasures = (cycles: number, failures: number): SplitFailureMeasures => ({
  cycles,
  failures,
  pct: pct(failures, cycles),
});

/**
 * All measures of one intersection.
 * @example computeMeasures(config, data, { fromMs, toMs, timeZone: 'Europe/Paris' }).laneGroups[0].arrivals.aogPct
 */
export function computeMeasures(
  config: IntersectionConfig,
  data: MeasuresData,
  options: MeasuresOptions,
): Measures {
  const o = { ...DEFAULTS, ...options };
  const { fromMs, toMs } = o;
  if (!(toMs > fromMs)) throw new Error('the range is empty: --to must be after --from');
  const zone = zoneOf(config.timeZone, options.timeZone);
  const bins = localBins(fromMs, toMs, o.binMs, zone);
  const spanOf = (b: { fromMs: number; toMs: number }) =>
    Math.min(b.toMs, toMs) - Math.max(b.fromMs, fromMs);
  const notes: string[] = [];
  const dets = detectorsOf(config);
  const byDetector = new Map<string, DetectorActuation[]>();
  for (const a of data.actuations) {
    let list = byDetector.get(a.detector);
    if (!list) {
      list = [];
      byDetector.set(a.detector, list);
    }
    list.push(a);
  }
  const countsOf = (ids: ReadonlySet<string>) =>
    data.counts.filter((c) => ids.has(c.detector) && c.atMs >= fromMs && c.atMs < toMs);
  const speedMps = o.approachSpeedKmh / 3.6;
  if (data.signals.length === 0)
    notes.push(
      'no signal history in the range: no arrivals on green, split failures or terminations',
    );
  if (data.actuations.length === 0)
    notes.push(
      'no detector actuations stored (sensors must send actuations): arrivals, split failures and yellow/red actuations are empty',
    );

  const groups: LaneGroupMeasures[] = laneGroups(config).map((g) => {
    const mine = dets.filter((d) => d.movements.some((m) => g.movements.includes(m)));
    const advance = mine.filter((d) => d.kind === 'advance');
    const stop = mine.filter((d) => d.kind === 'stop-bar');
    const volumeDets = advance.length > 0 ? advance : stop;
    const phases = config.phases
      .filter((p) => p.movements.some((m) => g.movements.includes(m)))
      .map((p) => p.id);
    const segments = laneGroupTimeline(data.signals, new Set(phases), toMs);
    const svc = services(segments);

    // volume: stored counts of one kind of detector (advance, else stop-bar)
    const volBins = bins.map(() => 0);
    let volume = 0;
    for (const c of countsOf(new Set(volumeDets.map((d) => d.id)))) {
      volume += c.count;
      const b = binOf(bins, c.atMs);
      if (b >= 0) volBins[b]! += c.count;
    }

    // arrivals at the stop bar: advance on-events moved by distance / speed
    const arrivalDets = advance;
    const arrivals: number[] = [];
    for (const d of arrivalDets) {
      const travelMs = ((d.distanceM ?? 0) / speedMps) * 1000;
      for (const a of byDetector.get(d.id) ?? []) {
        const t = a.onMs + travelMs;
        if (t >= fromMs && t < toMs) arrivals.push(t);
      }
    }
    arrivals.sort((a, b) => a - b);
    const total: ArrivalAcc = { arrivals: 0, onGreen: 0, delayMs: 0 };
    const perBin = bins.map(() => ({ arrivals: 0, onGreen: 0, delayMs: 0 }));
    const greenStarts = segments.filter((s) => s.light === 'G').map((s) => s.fromMs);
    for (const t of arrivals) {
      const k = segmentAt(segments, t);
      if (k < 0) continue; // no signal known then
      const b = perBin[binOf(bins, t)];
      const light = segments[k]!.light;
      let delay = 0;
      if (light === 'R') {
        const next = greenStarts[firstAfter(greenStarts, t)];
        if (next !== undefined) delay = next - t;
      }
      for (const acc of b ? [total, b] : [total]) {
        acc.arrivals++;
        if (light === 'G') acc.onGreen++;
        acc.delayMs += delay;
      }
    }

    // split failures: GOR over the green, ROR over the first seconds of red
    const occ = unionOnTimes(stop.flatMap((d) => byDetector.get(d.id) ?? []));
    const sfBins = bins.map(() => ({ cycles: 0, failures: 0 }));
    let sfCycles = 0;
    let sfFailures = 0;
    const rorMs = o.rorWindowS * 1000;
    if (stop.length > 0) {
      for (const s of svc) {
        if (s.greenStartMs < fromMs || s.greenStartMs >= toMs) continue;
        const redEnd = Math.min(s.redStartMs + rorMs, s.nextGreenMs ?? s.redStartMs + rorMs);
        if (redEnd > toMs && s.nextGreenMs === undefined) continue;
        const gor = occupancyRatio(occ, s.greenStartMs, s.yellowStartMs);
        const ror = occupancyRatio(occ, s.redStartMs, redEnd);
        const failed = gor > o.gorThreshold && ror > o.rorThreshold;
        sfCycles++;
        if (failed) sfFailures++;
        const b = sfBins[binOf(bins, s.greenStartMs)];
        if (b) {
          b.cycles++;
          if (failed) b.failures++;
        }
      }
    }

    // yellow and red actuations at the stop bar
    const yr = (): YellowRedMeasures => ({ yellow: 0, red: 0, severeRed: 0 });
    const yrTotal = yr();
    const yrBins = bins.map(yr);
    for (const d of stop) {
      for (const a of byDetector.get(d.id) ?? []) {
        if (a.onMs < fromMs || a.onMs >= toMs) continue;
        const k = segmentAt(segments, a.onMs);
        if (k < 0) continue;
        const seg = segments[k]!;
        const b = yrBins[binOf(bins, a.onMs)];
        for (const acc of b ? [yrTotal, b] : [yrTotal]) {
          if (seg.light === 'Y') acc.yellow++;
          else if (seg.light === 'R') {
            acc.red++;
            if (a.onMs - seg.fromMs > o.severeRedS * 1000) acc.severeRed++;
          }
        }
      }
    }

    const diagram = coordinationDiagram(segments, arrivals, fromMs, toMs, o.maxDiagramArrivals);
    const known = coveredMs(segments, fromMs, toMs);
    const binMeasures: BinMeasures[] = bins.map((b, i) => {
      const span = spanOf(b);
      return {
        fromMs: b.fromMs,
        toMs: b.toMs,
        label: b.label,
        offset: b.offset,
        volume: volBins[i]!,
        flowVph: round((volBins[i]! * 3_600_000) / span),
        arrivals: arrivalMeasures(
          perBin[i]!,
          greenTimeMs(segments, Math.max(b.fromMs, fromMs), Math.min(b.toMs, toMs)),
          coveredMs(segments, Math.max(b.fromMs, fromMs), Math.min(b.toMs, toMs)),
        ),
        splitFailures: splitMeasures(sfBins[i]!.cycles, sfBins[i]!.failures),
        yellowRed: yrBins[i]!,
      };
    });
    return {
      laneGroup: g.id,
      approach: g.approach,
      movements: g.movements,
      phases,
      volumeDetectors: volumeDets.map((d) => d.id),
      arrivalDetectors: arrivalDets.map((d) => d.id),
      stopBarDetectors: stop.map((d) => d.id),
      volume,
      flowVph: round((volume * 3_600_000) / (toMs - fromMs)),
      arrivals: arrivalMeasures(total, greenTimeMs(segments, fromMs, toMs), known),
      splitFailures: splitMeasures(sfCycles, sfFailures),
      yellowRed: yrTotal,
      bins: binMeasures,
      diagram,
    };
  });

  if (groups.some((g) => g.arrivalDetectors.length === 0))
    notes.push(
      `no advance detector on ${groups
        .filter((g) => g.arrivalDetectors.length === 0)
        .map((g) => g.laneGroup)
        .join(
          ', ',
        )}: arrivals on green, platoon ratio, delay and the coordination diagram need one`,
    );

  for (const g of groups) {
    if (g.arrivalDetectors.length === 0 || g.volume === 0) continue;
    if (g.arrivals.arrivals < 0.9 * g.volume)
      notes.push(
        `${g.laneGroup}: the advance detector saw ${g.arrivals.arrivals} arrivals of ${g.volume} counted ` +
          '(a queue over the detector holds it on, or the sensor sends no actuations): arrivals on green and delay are from the vehicles seen',
      );
  }

  return {
    intersection: config.id,
    fromMs,
    toMs,
    timeZone: zone,
    binMs: o.binMs,
    approaches: approachVolumes(config, groups, data, bins, fromMs, toMs),
    laneGroups: groups,
    phases: terminations(config, data, fromMs, toMs),
    notes,
  };
}

/** Approach volume: the distinct volume detectors of its lane groups, summed. */
function approachVolumes(
  config: IntersectionConfig,
  groups: LaneGroupMeasures[],
  data: MeasuresData,
  bins: { fromMs: number; toMs: number; label: string; offset: string }[],
  fromMs: number,
  toMs: number,
): ApproachVolume[] {
  return Object.keys(config.approaches).map((approach) => {
    const ids = new Set(
      groups.filter((g) => g.approach === approach).flatMap((g) => g.volumeDetectors),
    );
    const perBin = bins.map(() => 0);
    let volume = 0;
    for (const c of data.counts) {
      if (!ids.has(c.detector) || c.atMs < fromMs || c.atMs >= toMs) continue;
      volume += c.count;
      const b = binOf(bins, c.atMs);
      if (b >= 0) perBin[b]! += c.count;
    }
    return {
      approach,
      detectors: [...ids],
      volume,
      flowVph: round((volume * 3_600_000) / (toMs - fromMs)),
      bins: bins.map((b, i) => {
        const span = Math.min(b.toMs, toMs) - Math.max(b.fromMs, fromMs);
        return {
          fromMs: b.fromMs,
          label: b.label,
          offset: b.offset,
          volume: perBin[i]!,
          flowVph: round((perBin[i]! * 3_600_000) / span),
        };
      }),
    };
  });
}

/**
 * The Purdue coordination diagram: cycles from one red start (end of yellow) to the next, and
 * each arrival at the stop bar at its seconds into its cycle.
 */
function coordinationDiagram(
  segments: readonly Segment[],
  arrivals: readonly number[],
  fromMs: number,
  toMs: number,
  maxArrivals: number,
): CoordinationDiagram {
  const redStarts: number[] = [];
  for (let k = 0; k < segments.length; k++) {
    const s = segments[k]!;
    const prev = segments[k - 1];
    if (s.light === 'R' && prev && prev.light !== 'R') redStarts.push(s.fromMs);
  }
  const cycles = [];
  let j = 0; // segments are sorted: walk them once alongside the cycles
  for (let k = 0; k + 1 < redStarts.length; k++) {
    const start = redStarts[k]!;
    const end = redStarts[k + 1]!;
    while (j < segments.length && segments[j]!.fromMs < start) j++;
    if (end <= fromMs || start >= toMs) continue;
    let green: Segment | undefined;
    let yellow: Segment | undefined;
    for (let i = j; i < segments.length && segments[i]!.fromMs < end; i++) {
      const s = segments[i]!;
      if (s.light === 'G') green ??= s;
      else if (s.light === 'Y') yellow ??= s;
    }
    const yellowStart = yellow?.fromMs ?? green?.toMs ?? end;
    cycles.push({
      startMs: start,
      greenS: round(((green?.fromMs ?? end) - start) / 1000, 3),
      yellowS: round((yellowStart - start) / 1000, 3),
      endS: round((end - start) / 1000, 3),
    });
  }
  const points: [number, number][] = [];
  let truncated = 0;
  let c = 0;
  for (const t of arrivals) {
    while (c < redStarts.length - 1 && redStarts[c + 1]! <= t) c++;
    const start = redStarts[c];
    if (start === undefined || t < start || c + 1 >= redStarts.length) continue;
    if (points.length >= maxArrivals) {
      truncated++;
      continue;
    }
    points.push([Math.round(t), round((t - start) / 1000, 2)]);
  }
  return { cycles, arrivals: points, truncated };
}

/** How each green ended: at the maximum green, or before it (gap-out or force-off). */
function terminations(
  config: IntersectionConfig,
  data: MeasuresData,
  fromMs: number,
  toMs: number,
): PhaseTermination[] {
  const sorted = [...data.signals].sort((a, b) => a.atMs - b.atMs);
  const out = new Map<string, { greens: number; maxOut: number; early: number; greenMs: number }>(
    config.phases.map((p) => [p.id, { greens: 0, maxOut: 0, early: 0, greenMs: 0 }]),
  );
  for (let k = 0; k + 1 < sorted.length; k++) {
    const c = sorted[k]!;
    if (c.interval !== 'green') continue;
    const prev = sorted[k - 1];
    if (prev && prev.phase === c.phase && prev.interval === 'green') continue;
    const end = sorted[k + 1]!.atMs;
    if (c.atMs < fromMs || end > toMs) continue;
    const acc = out.get(c.phase);
    if (!acc) continue;
    acc.greens++;
    acc.greenMs += end - c.atMs;
    if (c.maxEndMs !== undefined && end >= c.maxEndMs - MAX_OUT_TOLERANCE_MS) acc.maxOut++;
    else acc.early++;
  }
  return [...out].map(([phase, a]) => ({
    phase,
    greens: a.greens,
    maxOut: a.maxOut,
    gapOutOrForceOff: a.early,
    meanGreenS: a.greens > 0 ? round(a.greenMs / a.greens / 1000) : null,
  }));
}
