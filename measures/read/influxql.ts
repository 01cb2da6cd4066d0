/**
 * The measures' reader over InfluxQL: InfluxDB 1.x on `/query`, and InfluxDB 2.x/3.x on their
 * v1-compatible `/query` (a token; 2.x needs a database/retention-policy mapping of the bucket).
 * Three statements: the signal changes, the actuations, and the counts summed per minute and
 * detector (a minute never straddles a bin: bins are whole minutes of local time).
 */
import { MEASUREMENTS } from '../../collector/schema.ts';
import { assertId, INTERVALS, type Interval } from '../../protocol/index.ts';
import { SIGNAL_LOOKBACK_MS } from '../points.ts';
import type { MeasuresData } from '../types.ts';
import type { MeasuresReader } from './types.ts';

export type Series = { tags?: Record<string, string>; columns: string[]; values: unknown[][] };
/** One InfluxQL statement → its series (the /query JSON with `epoch=ms`). */
export type InfluxQL = (q: string) => Promise<Series[]>;

const col = (s: Series, name: string) => s.columns.indexOf(name);
const n = (v: unknown) => (typeof v === 'number' ? v : undefined);

export function influxqlMeasures(run: InfluxQL): MeasuresReader {
  return {
    async read(q) {
      assertId('intersection', q.intersection);
      if (!Number.isSafeInteger(q.fromMs) || !Number.isSafeInteger(q.toMs))
        throw new Error('the range must be whole milliseconds');
      // the id is checked against ^[A-Za-z0-9_-]+$ above: safe inside quotes
      const who = `"intersection" = '${q.intersection}'`;
      const range = (from: number) => `time >= ${from}ms AND time < ${q.toMs}ms`;
      const [signals, actuations, counts] = await Promise.all([
        run(
          `SELECT "maxEndMs", "minEndMs" FROM "${MEASUREMENTS.signal}" WHERE ${who} AND ` +
            `${range(q.fromMs - SIGNAL_LOOKBACK_MS)} GROUP BY "phase", "interval"`,
        ),
        run(
          `SELECT "offMs" FROM "${MEASUREMENTS.actuations}" WHERE ${who} AND ` +
            `${range(q.fromMs - 60_000)} GROUP BY "detector"`,
        ),
        run(
          `SELECT sum("count") AS n FROM "${MEASUREMENTS.counts}" WHERE ${who} AND ` +
            `${range(q.fromMs)} GROUP BY time(1m), "detector" fill(none)`,
        ),
      ]);
      const data: MeasuresData = { signals: [], actuations: [], counts: [] };
      const intervals = new Set<string>(INTERVALS);
      for (const s of signals) {
        const phase = s.tags?.phase;
        const interval = s.tags?.interval;
        if (!phase || !interval || !intervals.has(interval)) continue;
        const [t, mx, mn] = [col(s, 'time'), col(s, 'maxEndMs'), col(s, 'minEndMs')];
        for (const v of s.values) {
          const maxEndMs = n(v[mx]);
          const minEndMs = n(v[mn]);
          data.signals.push({
            atMs: Number(v[t]),
            phase,
            interval: interval as Interval,
            ...(maxEndMs !== undefined ? { maxEndMs } : {}),
            ...(minEndMs !== undefined ? { minEndMs } : {}),
          });
        }
      }
      data.signals.sort((a, b) => a.atMs - b.atMs);
      for (const s of actuations) {
        const detector = s.tags?.detector;
        if (!detector) continue;
        const [t, off] = [col(s, 'time'), col(s, 'offMs')];
        for (const v of s.values) {
          const offMs = n(v[off]);
          if (offMs !== undefined) data.actuations.push({ detector, onMs: Number(v[t]), offMs });
        }
      }
      for (const s of counts) {
        const detector = s.tags?.detector;
        if (!detector) continue;
        const [t, c] = [col(s, 'time'), col(s, 'n')];
        for (const v of s.values) {
          const count = n(v[c]);
          // the first minute starts before the range when it does not start on a minute
          if (count !== undefined)
            data.counts.push({ detector, atMs: Math.max(q.fromMs, Number(v[t])), count });
        }
      }
      return data;
    },
  };
}

async function query(url: URL, headers: Record<string, string>, timeoutMs: number) {
  const res = await fetch(url, {
    headers: { accept: 'application/json', ...headers },
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (!res.ok)
    throw new Error(`InfluxDB ${url.origin} answered ${res.status}: ${text.slice(0, 300)}`);
  const body = JSON.parse(text) as { results?: { error?: string; series?: Series[] }[] };
  const r = body.results?.[0];
  if (r?.error) throw new Error(`InfluxDB: ${r.error}`);
  return r?.series ?? [];
}

export interface InfluxV1ReadOptions {
  url: string;
  database: string;
  username?: string;
  password?: string;
  timeoutMs?: number;
}

/** InfluxDB 1.x: `/query?db=…`, basic authentication when a user is given (never in the URL). */
export function influxV1Measures(o: InfluxV1ReadOptions): MeasuresReader {
  const headers: Record<string, string> = o.username
    ? {
        authorization: `Basic ${Buffer.from(`${o.username}:${o.password ?? ''}`).toString('base64')}`,
      }
    : {};
  return influxqlMeasures((q) => {
    const u = new URL('/query', o.url);
    u.search = new URLSearchParams({ db: o.database, q, epoch: 'ms' }).toString();
    return query(u, headers, o.timeoutMs ?? 60_000);
  });
}

export interface InfluxV2ReadOptions {
  url: string;
  bucket: string;
  token: string;
  timeoutMs?: number;
}

/**
 * InfluxDB 2.x/3.x through their v1-compatible `/query?db={bucket}` with the token. Untested
 * against a real 2.x/3.x server (none could be installed here).
 */
export function influxV2Measures(o: InfluxV2ReadOptions): MeasuresReader {
  return influxqlMeasures((q) => {
    const u = new URL('/query', o.url);
    u.search = new URLSearchParams({ db: o.bucket, q, epoch: 'ms' }).toString();
    return query(u, { authorization: `Token ${o.token}` }, o.timeoutMs ?? 60_000);
  });
}
