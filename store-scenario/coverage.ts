/**
 * Per-detector flows per day and time-of-day bin from stored counts, corrected for coverage
 * (pure). A bin's flow is its vehicles divided by the time its counts cover (9 of 15 minutes:
 * the flow of those 9 minutes). A bin covered less than `minCoverage` is missing: it is filled
 * with the mean flow of the same bin on the other days that have it, else interpolated from
 * the nearest covered bins of the same day; every filled bin is reported, never set to zero.
 */
import type { DetectorBin } from '../collector/history.ts';
import { clockOf, type Day, slotter } from './zone.ts';

export type GapFix = 'filled' | 'interpolated';

/** A stretch of missing bins of one detector on one chosen day, and how it was filled. */
export interface Gap {
  intersection: string;
  detector: string;
  date: string;
  /** local `HH:MM`, inclusive */
  from: string;
  /** local `HH:MM`, exclusive */
  to: string;
  how: GapFix;
  /** the days whose same bins filled it (filled only) */
  fromDays: string[];
}

export interface DetectorDays {
  /** per day of the pool (same order): flow per bin, veh/h; NaN where missing */
  flowVph: Float64Array[];
  /** per day of the pool: covered share per bin, 0..1 */
  coverage: Float64Array[];
}

/** Which detector: `intersection\0detector`. */
export const detectorKey = (intersection: string, detector: string) =>
  `${intersection}\u0000${detector}`;

/**
 * Folds bins onto the pool's days: flows (veh/h) and coverage per detector, day and wall-clock
 * bin (stored bins no longer than a local bin, and dividing it). Bins outside every pool day are
 * ignored.
 */
export function foldDays(
  bins: readonly DetectorBin[],
  pool: readonly Day[],
  binMs: number,
  minCoverage: number,
): Map<string, DetectorDays> {
  const nBins = Math.round((pool[0]?.clockMs ?? 0) / binMs);
  const slot = slotter(pool[0]?.timeZone ?? 'UTC', binMs);
  const counts = new Map<string, { n: Float64Array[]; covered: Float64Array[] }>();
  for (const b of bins) {
    const d = pool.findIndex((day) => b.t >= day.startMs && b.t < day.endMs);
    if (d < 0) continue;
    const k = slot(pool[d]!, b.t);
    if (k < 0) continue;
    const key = detectorKey(b.intersection, b.detector);
    let c = counts.get(key);
    if (!c) {
      c = {
        n: pool.map(() => new Float64Array(nBins)),
        covered: pool.map(() => new Float64Array(nBins)),
      };
      counts.set(key, c);
    }
    c.n[d]![k]! += b.count;
    c.covered[d]![k]! += b.coveredMs;
  }
  const out = new Map<string, DetectorDays>();
  for (const [key, c] of counts) {
    const flowVph = c.n.map((n, d) =>
      Float64Array.from(n, (v, k) => {
        const covered = Math.min(binMs, c.covered[d]![k]!);
        return covered >= minCoverage * binMs && covered > 0
          ? (v * 3_600_000) / c.covered[d]![k]!
          : Number.NaN;
      }),
    );
    const coverage = c.covered.map((cv) => Float64Array.from(cv, (v) => Math.min(1, v / binMs)));
    out.set(key, { flowVph, coverage });
  }
  return out;
}

/**
 * The flows of one detector on pool day `d`, every missing bin filled (from the same bin on
 * the other days, else by interpolation), and the gaps it had. Undefined when the detector has
 * no covered bin at all on that day nor on any other: nothing to fill from.
 */
export function filledDay(
  dd: DetectorDays,
  d: number,
  pool: readonly Day[],
  binMs: number,
  ids: { intersection: string; detector: string },
): { flowVph: Float64Array; gaps: Gap[] } | undefined {
  const own = dd.flowVph[d]!;
  const n = own.length;
  const out = new Float64Array(n);
  const how: (GapFix | undefined)[] = new Array(n);
  const donors: string[][] = Array.from({ length: n }, () => []);
  for (let k = 0; k < n; k++) {
    if (!Number.isNaN(own[k]!)) {
      out[k] = own[k]!;
      continue;
    }
    let sum = 0;
    for (let o = 0; o < pool.length; o++) {
      const v = dd.flowVph[o]![k]!;
      if (o === d || Number.isNaN(v)) continue;
      sum += v;
      donors[k]!.push(pool[o]!.date);
    }
    if (donors[k]!.length > 0) {
      out[k] = sum / donors[k]!.length;
      how[k] = 'filled';
    } else {
      out[k] = Number.NaN;
      how[k] = 'interpolated';
    }
  }
  const known = [...out.keys()].filter((k) => !Number.isNaN(out[k]!));
  if (known.length === 0) return undefined;
  for (let k = 0; k < n; k++) {
    if (!Number.isNaN(out[k]!)) continue;
    const before = known.filter((j) => j < k).at(-1);
    const after = known.find((j) => j > k);
    if (before === undefined) out[k] = out[after!]!;
    else if (after === undefined) out[k] = out[before]!;
    else out[k] = out[before]! + ((out[after]! - out[before]!) * (k - before)) / (after - before);
  }
  const gaps: Gap[] = [];
  for (let k = 0; k < n; k++) {
    const fix = how[k];
    if (!fix) continue;
    const last = gaps.at(-1);
    const days = donors[k]!;
    if (
      last &&
      last.how === fix &&
      last.to === clockOf(pool[d]!.offsetMs + k * binMs) &&
      last.fromDays.join() === days.join()
    ) {
      last.to = clockOf(pool[d]!.offsetMs + (k + 1) * binMs);
    } else {
      gaps.push({
        ...ids,
        date: pool[d]!.date,
        from: clockOf(pool[d]!.offsetMs + k * binMs),
        to: clockOf(pool[d]!.offsetMs + (k + 1) * binMs),
        how: fix,
        fromDays: days,
      });
    }
  }
  return { flowVph: out, gaps };
}
