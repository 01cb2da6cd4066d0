/**
 * The counts reader of InfluxDB 1.x: sum of `count` per time bucket and approach for one
 * intersection (InfluxQL `GROUP BY time(…), approach`). The dashboard uses it through
 * `createCollector(…).reader`.
 */
import { assertId } from '../../../protocol/index.ts';
import { MEASUREMENTS } from '../../schema.ts';
import type { CountsQuery, CountsReader, CountsRow } from '../../window.ts';
import { type InfluxV1Options, influxClient } from './sink.ts';

function checkQuery(q: CountsQuery) {
  assertId('intersection', q.intersection);
  for (const k of ['fromMs', 'toMs', 'everyMs'] as const) {
    if (!Number.isSafeInteger(q[k])) throw new Error(`${k} must be an integer (ms)`);
  }
  if (q.everyMs <= 0) throw new Error('everyMs must be positive');
}

/**
 * @example await createInfluxV1Reader({ url, database: 'openphase' })
 *   .queryCounts({ intersection: 'a', fromMs, toMs, everyMs: 60_000 })
 */
export function createInfluxV1Reader(opts: InfluxV1Options): CountsReader {
  const client = influxClient(opts);
  return {
    async queryCounts(q) {
      checkQuery(q);
      if (q.toMs <= q.fromMs) return [];
      // The id is checked against ^[A-Za-z0-9_-]+$ above, so it is safe inside quotes.
      const sql =
        `SELECT sum("count") AS "count" FROM "${MEASUREMENTS.counts}" ` +
        `WHERE "intersection" = '${q.intersection}' AND time >= ${q.fromMs}ms AND time < ${q.toMs}ms ` +
        `GROUP BY time(${q.everyMs}ms), "approach" fill(none)`;
      const rows = (await client.query(sql, { precision: 'ms' })) as unknown as Array<{
        time: { getTime(): number };
        approach?: string;
        count: number | null;
      }>;
      const out: CountsRow[] = rows
        .filter((r) => r.count !== null)
        .map((r) => ({
          t: r.time.getTime(),
          approach: r.approach || 'unknown',
          count: Number(r.count),
        }));
      return out.sort((a, b) => a.t - b.t || a.approach.localeCompare(b.approach));
    },
  };
}
