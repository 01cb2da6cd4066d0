/**
 * The counts query's parameters (pure): `from`, `to` (epoch ms or ISO 8601) and `every`
 * (ms, or a duration such as `10s`, `1m`, `1h`). Each problem names its parameter.
 */

export interface CountsRange {
  fromMs: number;
  toMs: number;
  everyMs: number;
}

export type RangeResult =
  | ({ ok: true } & CountsRange)
  | { ok: false; parameter: 'from' | 'to' | 'every'; message: string };

/** Default window when `from` is not given. */
export const DEFAULT_WINDOW_MS = 15 * 60_000;
/** Longest window one request may ask for. */
export const MAX_WINDOW_MS = 31 * 86_400_000;
/** The last valid JavaScript time, epoch ms (below 2^53: exact). */
const MAX_TIME_MS = 8.64e15;
/** Most buckets one request may ask for. */
export const MAX_BUCKETS = 10_000;
/** Automatic bucket widths: the smallest giving at most TARGET_BUCKETS buckets is used. */
const NICE_MS = [1, 5, 10, 30, 60, 300, 900, 3600, 6 * 3600, 86_400].map((s) => s * 1000);
const TARGET_BUCKETS = 180;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `1500` → 1500, `10s` → 10000, `1m` → 60000; undefined when not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d{1,12})(ms|s|m|h|d)?$/.exec(text.trim());
  if (!m) return undefined;
  return Number(m[1]) * (UNITS[m[2] ?? 'ms'] ?? 1);
}

/** Epoch ms (`1767225600000`) or ISO 8601 (`2026-01-01T00:00:00Z`); undefined otherwise. */
export function parseTime(text: string): number | undefined {
  const s = text.trim();
  // [bound] beyond ±8.64e15 ms a Date is invalid and 2^53 loses precision
  if (/^\d{1,16}$/.test(s)) return Number(s) <= MAX_TIME_MS ? Number(s) : undefined;
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return undefined;
  const ms = Date.parse(s);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

/**
 * @param query the raw query strings
 * @param defaultToMs the end when `to` is absent: the newest data time of the intersection
 * @example parseRange({ every: '1m' }, Date.UTC(2026, 0, 1, 1)) // last 15 min in 1-min buckets
 */
export function parseRange(
  query: { from?: string; to?: string; every?: string },
  defaultToMs: number,
): RangeResult {
  const bad = (parameter: 'from' | 'to' | 'every', message: string): RangeResult => ({
    ok: false,
    parameter,
    message,
  });
  const toMs = query.to === undefined ? defaultToMs : parseTime(query.to);
  if (toMs === undefined) {
    return bad('to', `query parameter 'to' must be epoch milliseconds or an ISO 8601 time`);
  }
  const fromMs = query.from === undefined ? toMs - DEFAULT_WINDOW_MS : parseTime(query.from);
  if (fromMs === undefined) {
    return bad('from', `query parameter 'from' must be epoch milliseconds or an ISO 8601 time`);
  }
  if (fromMs >= toMs) return bad('from', `query parameter 'from' must be before 'to'`);
  if (toMs - fromMs > MAX_WINDOW_MS) {
    return bad('from', `query parameter 'from' is more than 31 days before 'to'`);
  }
  let everyMs: number;
  if (query.every === undefined) {
    everyMs = NICE_MS.find((e) => (toMs - fromMs) / e <= TARGET_BUCKETS) ?? 86_400_000;
  } else {
    const e = parseDuration(query.every);
    if (e === undefined || e <= 0) {
      return bad('every', `query parameter 'every' must be a positive duration: 500, 10s, 1m, 1h`);
    }
    // A bucket wider than the longest window is meaningless, and past 2^53 ms not even exact.
    if (e > MAX_WINDOW_MS) {
      return bad('every', `query parameter 'every' must be at most 31 days`);
    }
    everyMs = e;
  }
  if ((toMs - fromMs) / everyMs > MAX_BUCKETS) {
    return bad('every', `query parameter 'every' gives more than ${MAX_BUCKETS} buckets`);
  }
  return { ok: true, fromMs, toMs, everyMs };
}

/** Default window of a measures query when `from` is not given. */
export const MEASURES_WINDOW_MS = 3_600_000;

export type MeasuresRangeResult =
  | { ok: true; fromMs: number; toMs: number; binMs: number }
  | { ok: false; parameter: 'from' | 'to' | 'bin'; message: string };

/**
 * The measures query's parameters: `from`, `to` as for counts (default: the last hour of data)
 * and `bin` (whole minutes, e.g. `15m`, `1h`; default 15 min).
 */
export function parseMeasuresRange(
  query: { from?: string; to?: string; bin?: string },
  defaultToMs: number,
): MeasuresRangeResult {
  const to = query.to === undefined ? defaultToMs : parseTime(query.to);
  const from =
    query.from ?? (to !== undefined ? String(Math.max(0, to - MEASURES_WINDOW_MS)) : undefined);
  const r = parseRange(
    {
      ...(from !== undefined ? { from } : {}),
      ...(query.to !== undefined ? { to: query.to } : {}),
      every: query.bin ?? '15m',
    },
    defaultToMs,
  );
  if (!r.ok) {
    const parameter = r.parameter === 'every' ? 'bin' : r.parameter;
    return { ok: false, parameter, message: r.message.replace(/'every'/g, "'bin'") };
  }
  if (r.everyMs % 60_000 !== 0 || r.everyMs > 86_400_000)
    return {
      ok: false,
      parameter: 'bin',
      message: "query parameter 'bin' must be whole minutes up to a day: 15m, 30m, 1h",
    };
  return { ok: true, fromMs: r.fromMs, toMs: r.toMs, binMs: r.everyMs };
}
