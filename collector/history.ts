/**
 * Reading stored counts back per detector and time bin, with the time each bin's counts cover
 * (pure types and helpers). Every sink with a history reader answers the same query
 * (collector/sinks/NAME/history.ts); `openphase scenario from-store` builds demand from it.
 *
 * Coverage: a counts point carries `intervalMs` (its message's `to − from`). Points stored
 * before that field existed get the detector's interval from the spacing of its points
 * ({@link intervalsFromSpacing}), so old data stays readable.
 */
import type { Point } from './point.ts';
import { MEASUREMENTS } from './schema.ts';

export interface HistoryQuery {
  /** intersections to read; empty or absent: all */
  intersections?: readonly string[];
  fromMs: number;
  /** exclusive */
  toMs: number;
  /** bin width, ms; bins start at multiples of it since the epoch (UTC), as in InfluxQL */
  binMs: number;
}

/** One detector's counts in one bin. */
export interface DetectorBin {
  /** bin start, epoch ms UTC */
  t: number;
  intersection: string;
  detector: string;
  /** vehicles counted */
  count: number;
  /** counts points in the bin */
  messages: number;
  /** time the counts cover, ms (sum of their intervals) */
  coveredMs: number;
  /** true when the interval was taken from the spacing of the points (no `intervalMs` stored) */
  estimated?: boolean;
}

export interface HistoryReader {
  detectorBins(q: HistoryQuery): Promise<DetectorBin[]>;
  close?(): Promise<void>;
}

/**
 * The reporting interval of each key (a detector) from the times of its stored counts: the
 * smallest positive gap between two of its consecutive points. For counts stored without their
 * interval length; a key with a single point has none.
 * @example intervalsFromSpacing([{ key: 'd', timeMs: 0 }, { key: 'd', timeMs: 60_000 }]) // d → 60000
 */
export function intervalsFromSpacing(
  points: readonly { key: string; timeMs: number }[],
): Map<string, number> {
  const times = new Map<string, number[]>();
  for (const p of points) {
    const list = times.get(p.key);
    if (list) list.push(p.timeMs);
    else times.set(p.key, [p.timeMs]);
  }
  const out = new Map<string, number>();
  for (const [key, list] of times) {
    list.sort((a, b) => a - b);
    let best = Number.POSITIVE_INFINITY;
    for (let k = 1; k < list.length; k++) {
      const gap = list[k]! - list[k - 1]!;
      if (gap > 0 && gap < best) best = gap;
    }
    if (Number.isFinite(best)) out.set(key, best);
  }
  return out;
}

const key = (intersection: string, detector: string) => `${intersection}\u0000${detector}`;

/** Checks a query's numbers; throws in plain words. */
export function checkHistoryQuery(q: HistoryQuery): void {
  for (const k of ['fromMs', 'toMs', 'binMs'] as const) {
    if (!Number.isSafeInteger(q[k])) throw new Error(`${k} must be an integer (ms)`);
  }
  if (q.binMs <= 0) throw new Error('binMs must be positive');
  if (q.toMs <= q.fromMs) throw new Error('the end must be after the start');
}

/**
 * Fills `coveredMs` of bins read without a stored interval: messages × the detector's interval
 * from the spacing of `times` (its points' times). Bins whose interval stays unknown (a single
 * point) are dropped: their coverage cannot be told.
 */
export function fillEstimatedCoverage(
  bins: DetectorBin[],
  times: readonly { intersection: string; detector: string; timeMs: number }[],
): DetectorBin[] {
  if (!bins.some((b) => b.estimated)) return bins;
  const every = intervalsFromSpacing(
    times.map((p) => ({ key: key(p.intersection, p.detector), timeMs: p.timeMs })),
  );
  const out: DetectorBin[] = [];
  for (const b of bins) {
    if (!b.estimated) {
      out.push(b);
      continue;
    }
    const ms = every.get(key(b.intersection, b.detector));
    if (ms !== undefined) out.push({ ...b, coveredMs: b.messages * ms });
  }
  return out;
}

/**
 * Bins `counts` points (the embedded store's files, parsed): one row per intersection,
 * detector and bin, sorted by time. A point seen twice (same series and time) counts once,
 * as in InfluxDB.
 */
export function binPoints(points: Iterable<Point>, q: HistoryQuery): DetectorBin[] {
  const wanted = q.intersections?.length ? new Set(q.intersections) : undefined;
  const seen = new Map<string, Point>();
  for (const p of points) {
    if (p.measurement !== MEASUREMENTS.counts) continue;
    const { intersection, detector } = p.tags;
    if (!intersection || !detector) continue;
    if (wanted && !wanted.has(intersection)) continue;
    if (p.timeMs < q.fromMs || p.timeMs >= q.toMs) continue;
    const series = Object.entries(p.tags)
      .filter(([, v]) => v)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    seen.set(`${series}\u0000${p.timeMs}\u0000${p.subMsNs ?? 0}`, p);
  }
  const bins = new Map<string, DetectorBin>();
  const times: { intersection: string; detector: string; timeMs: number }[] = [];
  for (const p of seen.values()) {
    const intersection = p.tags.intersection!;
    const detector = p.tags.detector!;
    const c = p.fields.count;
    const count = typeof c === 'object' ? c.int : typeof c === 'number' ? c : 0;
    const iv = p.fields.intervalMs;
    const intervalMs = typeof iv === 'object' ? iv.int : typeof iv === 'number' ? iv : undefined;
    const t = Math.floor(p.timeMs / q.binMs) * q.binMs;
    const k = `${t}\u0000${key(intersection, detector)}`;
    let b = bins.get(k);
    if (!b) {
      b = { t, intersection, detector, count: 0, messages: 0, coveredMs: 0 };
      bins.set(k, b);
    }
    b.count += count;
    b.messages++;
    if (intervalMs !== undefined) b.coveredMs += intervalMs;
    else {
      b.estimated = true;
      times.push({ intersection, detector, timeMs: p.timeMs });
    }
  }
  const sorted = [...bins.values()].sort(
    (a, b) =>
      a.t - b.t ||
      a.intersection.localeCompare(b.intersection) ||
      a.detector.localeCompare(b.detector),
  );
  return fillEstimatedCoverage(sorted, times);
}
