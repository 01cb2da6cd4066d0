/**
 * Stored points → the measures' input (pure): the `signal`, `actuations` and `counts` points
 * of one intersection, as the collector writes them (docs/influxdb.md, "Schema"). Used by the
 * embedded store's reader, which scans its line-protocol files.
 */
import type { FieldValue, Point } from '../collector/point.ts';
import { MEASUREMENTS } from '../collector/schema.ts';
import { INTERVALS, type Interval } from '../protocol/index.ts';
import type { MeasuresData } from './types.ts';

/** Signal changes before the range are needed to know what showed at its start. */
export const SIGNAL_LOOKBACK_MS = 15 * 60_000;

const num = (v: FieldValue | undefined): number | undefined =>
  typeof v === 'object' ? v.int : typeof v === 'number' ? v : undefined;

export interface PointRange {
  intersection: string;
  fromMs: number;
  toMs: number;
}

/** Collects the points of one intersection in range (signals from a look-back before it). */
export function createDataCollector(q: PointRange) {
  const data: MeasuresData = { signals: [], actuations: [], counts: [] };
  const intervals = new Set<string>(INTERVALS);
  return {
    add(p: Point) {
      if (p.tags.intersection !== q.intersection) return;
      const t = p.timeMs;
      if (p.measurement === MEASUREMENTS.signal) {
        if (t < q.fromMs - SIGNAL_LOOKBACK_MS || t >= q.toMs) return;
        const { phase, interval } = p.tags;
        if (!phase || !interval || !intervals.has(interval)) return;
        const maxEndMs = num(p.fields.maxEndMs);
        const minEndMs = num(p.fields.minEndMs);
        data.signals.push({
          atMs: t,
          phase,
          interval: interval as Interval,
          ...(maxEndMs !== undefined ? { maxEndMs } : {}),
          ...(minEndMs !== undefined ? { minEndMs } : {}),
        });
      } else if (p.measurement === MEASUREMENTS.actuations) {
        // on-times up to a minute before the range may still be on, or arrive inside it
        if (t < q.fromMs - 60_000 || t >= q.toMs) return;
        const detector = p.tags.detector;
        const offMs = num(p.fields.offMs);
        if (!detector || offMs === undefined) return;
        data.actuations.push({ detector, onMs: t, offMs });
      } else if (p.measurement === MEASUREMENTS.counts) {
        if (t < q.fromMs || t >= q.toMs) return;
        const detector = p.tags.detector;
        const count = num(p.fields.count);
        if (!detector || count === undefined) return;
        data.counts.push({ detector, atMs: t, count });
      }
    },
    /** the data, deduplicated as the store would (one point per series and time) */
    result(): MeasuresData {
      const dedupe = <T>(xs: T[], key: (x: T) => string) => [
        ...new Map(xs.map((x) => [key(x), x])).values(),
      ];
      return {
        signals: dedupe(data.signals, (s) => `${s.phase}/${s.interval}/${s.atMs}`).sort(
          (a, b) => a.atMs - b.atMs,
        ),
        actuations: dedupe(data.actuations, (a) => `${a.detector}/${a.onMs}`),
        counts: dedupe(data.counts, (c) => `${c.detector}/${c.atMs}`),
      };
    },
  };
}
