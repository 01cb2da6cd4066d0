/**
 * The history reader of InfluxDB 2.x/3.x: the same InfluxQL as InfluxDB 1.x
 * (../influx-v1/history.ts), sent to their v1-compatible `GET /query?db={bucket}` with
 * `Authorization: Token …`. InfluxDB 3.x answers it for any database; InfluxDB 2.x needs a
 * database/retention-policy mapping for the bucket (`influx v1 dbrp create --db {bucket}
 * --rp autogen --bucket-id …`), which docs/influxdb.md shows.
 */
import type { HistoryReader } from '../../history.ts';
import { influxqlHistory } from '../influx-v1/history.ts';
import type { InfluxV2Options } from './sink.ts';

/** @example createInfluxV2History({ url, token, org: 'city', bucket: 'traffic' }) */
export function createInfluxV2History(opts: InfluxV2Options): HistoryReader {
  return influxqlHistory(async (q) => {
    const u = new URL('/query', opts.url);
    u.search = new URLSearchParams({ db: opts.bucket, q, epoch: 'ms' }).toString();
    const res = await fetch(u, {
      headers: { authorization: `Token ${opts.token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(opts.timeoutMs ?? 60_000),
    });
    const text = await res.text();
    if (!res.ok)
      throw new Error(`InfluxDB ${u.origin} answered ${res.status}: ${text.slice(0, 300)}`);
    const body = JSON.parse(text) as {
      results?: {
        error?: string;
        series?: { tags?: Record<string, string>; columns: string[]; values: unknown[][] }[];
      }[];
    };
    const r = body.results?.[0];
    if (r?.error) throw new Error(`InfluxDB: ${r.error}`);
    return r?.series ?? [];
  });
}
