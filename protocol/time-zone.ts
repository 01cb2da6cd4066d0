/**
 * Local time in an IANA time zone (pure): the one place OpenPhase turns an epoch-ms instant
 * into a wall-clock date, a time-of-day bin or a printed time. The store stays UTC; only
 * binning and display are local.
 *
 * Uses `Intl.DateTimeFormat` (the platform's tz database), so daylight saving is the wall
 * clock's: in Europe/Paris the last Sunday of March has 23 hours (02:00-03:00 never shows)
 * and the last Sunday of October 25 (02:00-03:00 shows twice, first at +02:00 then +01:00).
 * Bins are cut on the local wall clock: an hour bin starts at a local HH:00, a day at local
 * midnight, and each bin lasts its real length (the repeated hour is two bins of one hour).
 */

export const DEFAULT_TIME_ZONE = 'UTC';

/** Formatters are costly to build; one per zone, and at most this many zones kept. */
const MAX_ZONES = 64;
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    if (formatters.size >= MAX_ZONES) formatters.delete(formatters.keys().next().value!);
    formatters.set(timeZone, f);
  }
  return f;
}

/** True when the platform knows the IANA zone (e.g. `Europe/Paris`). */
export function isTimeZone(timeZone: string): boolean {
  if (typeof timeZone !== 'string' || timeZone === '') return false;
  try {
    formatter(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** Throws a plain-words error unless `timeZone` is an IANA zone; returns it. */
export function assertTimeZone(timeZone: string, what = 'time zone'): string {
  if (!isTimeZone(timeZone))
    throw new Error(
      `${what} '${timeZone}' is not an IANA time zone (e.g. Europe/Paris, America/New_York, UTC)`,
    );
  return timeZone;
}

/**
 * The zone that applies: the intersection's own (its config `timeZone`), else the
 * deployment's (`--time-zone`), else UTC.
 */
export function zoneOf(intersectionZone?: string, deploymentZone?: string): string {
  return intersectionZone ?? deploymentZone ?? DEFAULT_TIME_ZONE;
}

export interface WallClock {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall clock at `atMs` in `timeZone` (whole seconds). */
export function wallClock(atMs: number, timeZone: string = DEFAULT_TIME_ZONE): WallClock {
  const parts = formatter(timeZone).formatToParts(new Date(atMs));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour') % 24,
    minute: get('minute'),
    second: get('second'),
  };
}

/** UTC offset at `atMs` in `timeZone`, ms (Paris: +3,600,000 in winter, +7,200,000 in summer). */
export function offsetMs(atMs: number, timeZone: string = DEFAULT_TIME_ZONE): number {
  const w = wallClock(atMs, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(atMs / 1000) * 1000;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
const ymd = (y: number, m: number, d: number) => `${pad(y, 4)}-${pad(m)}-${pad(d)}`;

/** `+02:00`, `-05:00`, `+05:45`, `Z` never (always an offset). */
export function formatOffset(ms: number): string {
  const sign = ms < 0 ? '-' : '+';
  const min = Math.round(Math.abs(ms) / 60_000);
  return `${sign}${pad(Math.floor(min / 60))}:${pad(min % 60)}`;
}

export interface LocalTime {
  /** local calendar date, YYYY-MM-DD */
  date: string;
  /** 0 = Monday … 6 = Sunday */
  weekday: number;
  /** minutes since local midnight, as the wall clock shows */
  minutes: number;
}

/**
 * Wall-clock date and time at `atMs` in `timeZone`.
 * @example localTime(Date.UTC(2026, 2, 29, 1, 30), 'Europe/Paris') // { date: '2026-03-29', weekday: 6, minutes: 210 }
 */
export function localTime(atMs: number, timeZone: string = DEFAULT_TIME_ZONE): LocalTime {
  const w = wallClock(atMs, timeZone);
  return {
    date: ymd(w.year, w.month, w.day),
    weekday: (new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay() + 6) % 7,
    minutes: w.hour * 60 + w.minute,
  };
}

/**
 * The instant a local wall time happens in `timeZone`. A wall time that shows twice (fall
 * back) gives the first; one that never shows (spring forward) is read with the offset before
 * the change (Paris 02:30 on the last Sunday of March → 03:30 CEST), so local midnight in a
 * zone that skips it is the first instant of the day.
 */
export function instantOf(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  // The offset is at most ±14 h and changes at most once a day: try the offsets around it.
  const candidates = new Set<number>();
  for (const probe of [wall - 86_400_000, wall, wall + 86_400_000])
    candidates.add(offsetMs(probe, timeZone));
  const hits = [...candidates]
    .map((off) => wall - off)
    .filter((t) => offsetMs(t, timeZone) === wall - t)
    .sort((a, b) => a - b);
  if (hits.length > 0) return hits[0]!;
  // In a gap: the wall time does not exist; the gap ends where the later offset begins.
  const before = offsetMs(wall - 86_400_000, timeZone);
  return wall - before;
}

/** Local midnight starting the day that holds `atMs`, epoch ms. */
export function startOfLocalDay(atMs: number, timeZone: string = DEFAULT_TIME_ZONE): number {
  const w = wallClock(atMs, timeZone);
  return instantOf(timeZone, w.year, w.month, w.day);
}

export interface LocalDay {
  /** YYYY-MM-DD */
  date: string;
  /** local midnight, epoch ms (inclusive) */
  fromMs: number;
  /** next local midnight, epoch ms (exclusive); 23, 24 or 25 hours later */
  toMs: number;
}

/** The local days that [fromMs, toMs) touches, each whole. */
export function localDays(fromMs: number, toMs: number, timeZone: string): LocalDay[] {
  const out: LocalDay[] = [];
  let start = startOfLocalDay(fromMs, timeZone);
  while (start < toMs) {
    const w = wallClock(start, timeZone);
    const next = instantOf(timeZone, w.year, w.month, w.day + 1);
    out.push({ date: ymd(w.year, w.month, w.day), fromMs: start, toMs: next });
    start = next;
  }
  return out;
}

/**
 * Start of the local bin of `binMs` (e.g. 15 min, 1 h) that holds `atMs`: the wall clock
 * floored to the bin, as an instant. Bins of a whole number of minutes that divide an hour
 * and hour bins are cut at the same wall times every day.
 * @example localBinStart(Date.parse('2026-10-25T01:40Z'), 3_600_000, 'Europe/Paris') // 01:00Z (02:00 CET, the second 02:00)
 */
export function localBinStart(atMs: number, binMs: number, timeZone: string): number {
  if (!(binMs > 0)) throw new Error('binMs must be positive');
  const off = offsetMs(atMs, timeZone);
  const wall = atMs + off;
  if (binMs >= 86_400_000) return startOfLocalDay(atMs, timeZone);
  return wall - (((wall % binMs) + binMs) % binMs) - off;
}

export interface LocalBin {
  /** bin start, epoch ms (inclusive) */
  fromMs: number;
  /** bin end, epoch ms (exclusive) */
  toMs: number;
  /** local wall time of the start, `YYYY-MM-DD HH:MM` */
  label: string;
  /** UTC offset at the start, `+01:00`: tells the two 02:00 bins of a fall-back night apart */
  offset: string;
}

/** The local bins covering [fromMs, toMs), cut on the wall clock (see {@link localBinStart}). */
export function localBins(
  fromMs: number,
  toMs: number,
  binMs: number,
  timeZone: string,
): LocalBin[] {
  const out: LocalBin[] = [];
  let t = localBinStart(fromMs, binMs, timeZone);
  let guard = 0;
  while (t < toMs && guard++ < 1_000_000) {
    // the next bin starts at the first instant whose bin differs from this one
    let next = binMs >= 86_400_000 ? localDays(t, t + 1, timeZone)[0]!.toMs : t + binMs;
    const nb = localBinStart(next, binMs, timeZone);
    if (nb > t && nb < next) next = nb;
    const w = wallClock(t, timeZone);
    out.push({
      fromMs: t,
      toMs: next,
      label: `${ymd(w.year, w.month, w.day)} ${pad(w.hour)}:${pad(w.minute)}`,
      offset: formatOffset(offsetMs(t, timeZone)),
    });
    t = next;
  }
  return out;
}

export interface FormatOptions {
  /** append the UTC offset, `+02:00` (default true) */
  offset?: boolean;
  /** seconds too (default false) */
  seconds?: boolean;
  /** leave the date out (default false) */
  timeOnly?: boolean;
}

/**
 * A readable local time: `2026-03-29 03:00 +02:00`.
 * @example formatLocal(Date.parse('2026-07-01T12:00Z'), 'Europe/Paris') // '2026-07-01 14:00 +02:00'
 */
export function formatLocal(atMs: number, timeZone: string, o: FormatOptions = {}): string {
  const w = wallClock(atMs, timeZone);
  const time = `${pad(w.hour)}:${pad(w.minute)}${o.seconds ? `:${pad(w.second)}` : ''}`;
  const date = o.timeOnly ? '' : `${ymd(w.year, w.month, w.day)} `;
  const off = o.offset === false ? '' : ` ${formatOffset(offsetMs(atMs, timeZone))}`;
  return `${date}${time}${off}`;
}

/** `Europe/Paris (UTC+01:00)` at `atMs`: how a table names its zone. */
export function describeZone(timeZone: string, atMs: number): string {
  return `${timeZone} (UTC${formatOffset(offsetMs(atMs, timeZone))})`;
}

/**
 * A time given by a person: epoch ms, an ISO time with its offset (`2026-03-29T01:00Z`), or a
 * local date or wall time in `timeZone` (`2026-03-29`, `2026-03-29 08:00`, `2026-03-29T08:00:30`).
 * Throws in plain words.
 * @example parseLocalTime('2026-10-25', 'Europe/Paris') // Date.parse('2026-10-24T22:00Z')
 */
export function parseLocalTime(text: string, timeZone: string): number {
  const s = text.trim();
  if (/^\d+$/.test(s)) return Number(s);
  const local = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(s);
  if (local) {
    const [y, mo, d, h, mi, se] = local.slice(1).map((x) => (x === undefined ? 0 : Number(x)));
    if (mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h! > 23 || mi! > 59 || se! > 59)
      throw new Error(`'${text}' is not a valid date and time`);
    return instantOf(timeZone, y!, mo!, d!, h!, mi!) + se! * 1000;
  }
  if (/[zZ]$|[+-]\d{2}:?\d{2}$/.test(s)) {
    const ms = Date.parse(s);
    if (Number.isFinite(ms)) return ms;
  }
  throw new Error(
    `'${text}' is not a time: give YYYY-MM-DD, YYYY-MM-DD HH:MM (local, in ${timeZone}), an ISO time with its offset, or epoch ms`,
  );
}
