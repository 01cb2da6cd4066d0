/**
 * Days and time-of-day bins on the deployment's clock (an IANA zone, through the shared helper
 * protocol/time-zone.ts). A bin is a slot of the wall clock (08:00–08:15 local), so the same
 * bin of two days is the same time of day whatever the UTC offset. On the day the clock goes
 * back, the repeated hour's counts and covered time add up in its slots (the flow stays right);
 * on the day it goes forward, the skipped hour has no data and is filled like any gap.
 */
import { assertTimeZone, instantOf, offsetMs } from '../protocol/index.ts';

const DAY_MS = 86_400_000;

/** A local day (or a time-of-day window of it): `YYYY-MM-DD` and the epoch ms it spans. */
export interface Day {
  date: string;
  timeZone: string;
  startMs: number;
  endMs: number;
  /** local time of day at `startMs`, ms since midnight (0 for a whole day) */
  offsetMs: number;
  /** length on the wall clock, ms (24 h for a whole day, even when the clock changes) */
  clockMs: number;
}

function ymd(date: string): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (!m || !Number.isFinite(t) || new Date(t).toISOString().slice(0, 10) !== date.trim())
    throw new Error(`'${date}' is not a date like 2026-03-02`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** Parses `YYYY-MM-DD` into the local day it names in `timeZone`; throws in plain words. */
export function dayOf(date: string, timeZone = 'UTC'): Day {
  assertTimeZone(timeZone, '--time-zone');
  const [y, m, d] = ymd(date);
  return windowOf(
    {
      date: date.trim(),
      timeZone,
      startMs: instantOf(timeZone, y, m, d),
      endMs: instantOf(timeZone, y, m, d + 1),
      offsetMs: 0,
      clockMs: DAY_MS,
    },
    0,
    DAY_MS,
  );
}

/** The window [fromMs, toMs) of local time of day (ms since midnight) of a day. */
export function windowOf(day: Day, fromMs: number, toMs: number): Day {
  const [y, m, d] = ymd(day.date);
  const at = (ms: number) =>
    instantOf(
      day.timeZone,
      y,
      m,
      d,
      Math.floor(ms / 3_600_000),
      Math.floor((ms % 3_600_000) / 60_000),
    );
  return { ...day, startMs: at(fromMs), endMs: at(toMs), offsetMs: fromMs, clockMs: toMs - fromMs };
}

/** The same window `n` days after `day`. */
export function addDays(day: Day, n: number): Day {
  const [y, m, d] = ymd(day.date);
  const date = new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
  return windowOf(dayOf(date, day.timeZone), day.offsetMs, day.offsetMs + day.clockMs);
}

/** Parses `HH:MM-HH:MM` (local times of day, end up to 24:00) into ms since midnight. */
export function parseHours(text: string): { fromMs: number; toMs: number } {
  const m = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/.exec(text.trim());
  const fromMs = m ? (Number(m[1]) * 60 + Number(m[2])) * 60_000 : Number.NaN;
  const toMs = m ? (Number(m[3]) * 60 + Number(m[4])) * 60_000 : Number.NaN;
  if (
    !m ||
    !(fromMs >= 0 && toMs > fromMs && toMs <= DAY_MS) ||
    Number(m[2]) > 59 ||
    Number(m[4]) > 59
  )
    throw new Error(`'${text}' is not a time-of-day window like 06:00-10:00`);
  return { fromMs, toMs };
}

/**
 * A function giving the wall-clock slot of an instant within a day's window (slot k covers
 * offsetMs + k·binMs … on the clock), or −1 outside it. Offsets are looked up once per hour.
 */
export function slotter(timeZone: string, binMs: number): (day: Day, tMs: number) => number {
  const offsets = new Map<number, number>();
  return (day, tMs) => {
    if (tMs < day.startMs || tMs >= day.endMs) return -1;
    const hour = Math.floor(tMs / 3_600_000);
    let off = offsets.get(hour);
    if (off === undefined) {
      off = offsetMs(tMs, timeZone);
      offsets.set(hour, off);
    }
    const clock = ((((tMs + off) % DAY_MS) + DAY_MS) % DAY_MS) - day.offsetMs;
    const k = Math.floor(clock / binMs);
    return k >= 0 && k * binMs < day.clockMs ? k : -1;
  };
}

/** `HH:MM` of an offset into a day. */
export const clockOf = (ms: number) =>
  `${String(Math.floor(ms / 3_600_000)).padStart(2, '0')}:${String(Math.floor((ms % 3_600_000) / 60_000)).padStart(2, '0')}`;
