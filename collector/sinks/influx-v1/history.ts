/**
 * The history reader of InfluxDB (InfluxQL): per detector and bin, the vehicles counted, the
 * points and the time they cover (`sum("intervalMs")`). InfluxDB 1.x answers it on `/query`;
 * InfluxDB 2.x/3.x answer the same InfluxQL on their v1-compatible `/query` (influx-v2/history.ts).
 */
import { assertId } from '../../../protocol/index.ts';
import {
  checkHistoryQuery,
  type DetectorBin,
  fillEstimatedCoverage,
  type HistoryQuery,
  type HistoryReader,
} from '../../history.ts';
import { MEASUREMENTS } from '../../schema.ts';
import { type InfluxV1Options, influxClient } from './sink.ts';

/** One InfluxQL statement → its series (the /query JSON, `epoch=ms`). */
export type InfluxQL = (
  q: string,
) => Promise<{ tags?: Record<string, string>; columns: string[]; values: unknown[][] }[]>;

/** The WHERE clause of a history query; ids are checked (^[A-Za-z0-9_-]+$), safe inside quotes. */
function whereOf(q: HistoryQuery): string {
  const ids = q.intersections ?? [];
  for (const id of ids) assertId('intersection', id);
  const which =
    ids.length > 0 ? ` AND (${ids.map((i) => `"intersection" = '${i}'`).join(' OR ')})` : '';
  return `time >= ${q.fromMs}ms AND time < ${q.toMs}ms${which}`;
}

const column = (columns: string[], name: string) => columns.indexOf(name);

/** The history reader over any InfluxQL endpoint. */
export function influxqlHistory(run: InfluxQL): HistoryReader {
  return {
    async detectorBins(q) {
      checkHistoryQuery(q);
      const where = whereOf(q);
      const series = await run(
        `SELECT sum("count") AS n, count("count") AS messages, sum("intervalMs") AS covered ` +
          `FROM "${MEASUREMENTS.counts}" WHERE ${where} ` +
          `GROUP BY time(${q.binMs}ms), "intersection", "detector" fill(none)`,
      );
      const bins: DetectorBin[] = [];
      for (const s of series) {
        const intersection = s.tags?.intersection;
        const detector = s.tags?.detector;
        if (!intersection || !detector) continue;
        const [ti, ni, mi, ci] = ['time', 'n', 'messages', 'covered'].map((c) =>
          column(s.columns, c),
        );
        for (const v of s.values) {
          const messages = Number(v[mi!] ?? 0);
          if (!messages) continue;
          const covered = v[ci!];
          bins.push({
            t: Number(v[ti!]),
            intersection,
            detector,
            count: Number(v[ni!] ?? 0),
            messages,
            coveredMs: typeof covered === 'number' ? covered : 0,
            ...(typeof covered === 'number' ? {} : { estimated: true }),
          });
        }
      }
      bins.sort(
        (a, b) =>
          a.t - b.t ||
          a.intersection.localeCompare(b.intersection) ||
          a.detector.localeCompare(b.detector),
      );
      if (!bins.some((b) => b.estimated)) return bins;
      // Counts stored before they kept their interval: the interval from their spacing.
      const sample = await run(
        `SELECT "count" FROM "${MEASUREMENTS.counts}" WHERE ${where} ` +
          `GROUP BY "intersection", "detector" LIMIT 100`,
      );
      const times = sample.flatMap((s) =>
        s.values.map((v) => ({
          intersection: s.tags?.intersection ?? '',
          detector: s.tags?.detector ?? '',
          timeMs: Number(v[column(s.columns, 'time')]),
        })),
      );
      return fillEstimatedCoverage(bins, times);
    },
  };
}

/**
 * @example await createInfluxV1History({ url, database: 'openphase' })
 *   .detectorBins({ fromMs, toMs, binMs: 900_000 })
 */
export function createInfluxV1History(opts: InfluxV1Options): HistoryReader {
  const client = influxClient(opts);
  return influxqlHistory(async (q) => {
    const raw = (await client.queryRaw(q, { precision: 'ms' })) as {
      results: {
        error?: string;
        series?: { tags?: Record<string, string>; columns: string[]; values: unknown[][] }[];
      }[];
    };
    const r = raw.results[0];
    if (r?.error) throw new Error(`InfluxDB: ${r.error}`);
    return r?.series ?? [];
  });
}
