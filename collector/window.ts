/**
 * The embedded store's in-memory window of recent counts (pure, bounded), queryable like
 * InfluxDB: sum of `count` per time bucket and approach. A point is keyed like an InfluxDB
 * series point (intersection, detector, sensor, time), so a redelivered message overwrites itself
 * here too. Bound: `maxPointsPerIntersection` (oldest inserted dropped first) and `maxAgeMs`
 * behind the newest point seen.
 */
import type { Point } from './point.ts';
import { MEASUREMENTS } from './schema.ts';

export interface CountsQuery {
  intersection: string;
  fromMs: number;
  /** exclusive */
  toMs: number;
  /** bucket width, ms; buckets start at multiples of `everyMs` since the epoch, as in InfluxQL */
  everyMs: number;
}

export interface CountsRow {
  /** bucket start, epoch ms */
  t: number;
  /** approach from the intersection config; `unknown` for unenriched points */
  approach: string;
  /** vehicles counted in the bucket */
  count: number;
}

/** Anything that can answer a counts query: InfluxDB 1.x, the embedded store. */
export interface CountsReader {
  queryCounts(q: CountsQuery): Promise<CountsRow[]>;
}

export interface WindowOptions {
  maxPointsPerIntersection: number;
  maxAgeMs: number;
  maxIntersections: number;
}

export const DEFAULT_WINDOW_OPTIONS: WindowOptions = {
  maxPointsPerIntersection: 200_000,
  maxAgeMs: 6 * 3600_000,
  maxIntersections: 1000,
};

interface Entry {
  t: number;
  approach: string;
  count: number;
}

export interface RecentWindow extends CountsReader {
  /** Feeds a point; anything but a `counts` point is ignored. */
  add(point: Point): void;
  size(): number;
}

/** Groups rows into buckets: sum per (bucket, approach), sorted by time then approach. */
export function bucketCounts(
  rows: Iterable<{ t: number; approach: string; count: number }>,
  q: CountsQuery,
): CountsRow[] {
  const every = Math.max(1, Math.trunc(q.everyMs));
  const sums = new Map<string, CountsRow>();
  for (const r of rows) {
    if (r.t < q.fromMs || r.t >= q.toMs) continue;
    const t = Math.floor(r.t / every) * every;
    const key = `${t}\u0000${r.approach}`;
    const row = sums.get(key);
    if (row) row.count += r.count;
    else sums.set(key, { t, approach: r.approach, count: r.count });
  }
  return [...sums.values()].sort((a, b) => a.t - b.t || a.approach.localeCompare(b.approach));
}

export function createRecentWindow(options: Partial<WindowOptions> = {}): RecentWindow {
  const opts = { ...DEFAULT_WINDOW_OPTIONS, ...options };
  const byIntersection = new Map<string, Map<string, Entry>>();
  let newest = 0;
  let total = 0;

  function prune(m: Map<string, Entry>) {
    const cutoff = newest - opts.maxAgeMs;
    for (const [k, e] of m) {
      if (m.size <= opts.maxPointsPerIntersection && e.t >= cutoff) break;
      m.delete(k);
      total--;
    }
  }

  return {
    add(p) {
      if (p.measurement !== MEASUREMENTS.counts) return;
      const { intersection, detector = '', sensor = '', approach } = p.tags;
      const c = p.fields.count;
      if (!intersection || typeof c !== 'object') return;
      let m = byIntersection.get(intersection);
      if (!m) {
        if (byIntersection.size >= opts.maxIntersections) return;
        m = new Map();
        byIntersection.set(intersection, m);
      }
      const key = `${detector}\u0000${sensor}\u0000${p.timeMs}\u0000${p.subMsNs ?? 0}`;
      if (!m.has(key)) total++;
      m.set(key, { t: p.timeMs, approach: approach || 'unknown', count: c.int });
      if (p.timeMs > newest) newest = p.timeMs;
      prune(m);
    },
    size: () => total,
    async queryCounts(q) {
      const m = byIntersection.get(q.intersection);
      return m ? bucketCounts(m.values(), q) : [];
    },
  };
}
