/**
 * Days and time-of-day bins of the deployment's clock. One small function on purpose: until
 * the shared time-zone helper exists, days are UTC days; switching is this file only.
 */

const DAY_MS = 86_400_000;

/** A local day (or a time-of-day window of it): `YYYY-MM-DD` and the epoch ms it spans. */
export interface Day {
  date: string;
  startMs: number;
  endMs: number;
  /** local time of day at `startMs`, ms since midnight (0 for a whole day) */
  offsetMs: number;
}

/** Parses `YYYY-MM-DD` into the day it names (UTC for now); throws in plain words. */
export function dayOf(date: string): Day {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date.trim());
  const startMs = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : Number.NaN;
  if (
    !m ||
    !Number.isFinite(startMs) ||
    new Date(startMs).toISOString().slice(0, 10) !== date.trim()
  )
    throw new Error(`'${date}' is not a date like 2026-03-02`);
  return { date: date.trim(), startMs, endMs: startMs + DAY_MS, offsetMs: 0 };
}

/** The same window `n` days after `day`. */
export function addDays(day: Day, n: number): Day {
  const next = dayOf(new Date(day.startMs - day.offsetMs + n * DAY_MS).toISOString().slice(0, 10));
  return windowOf(next, day.offsetMs, day.offsetMs + (day.endMs - day.startMs));
}

/** The window [fromMs, toMs) of local time of day (ms since midnight) of a whole day. */
export function windowOf(day: Day, fromMs: number, toMs: number): Day {
  const midnight = day.startMs - day.offsetMs;
  return { date: day.date, startMs: midnight + fromMs, endMs: midnight + toMs, offsetMs: fromMs };
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

/** The zone days and bins are counted in (shown in reports and the scenario's origin). */
export const ZONE = 'UTC';

/** `HH:MM` of an offset into a day. */
export const clockOf = (ms: number) =>
  `${String(Math.floor(ms / 3_600_000)).padStart(2, '0')}:${String(Math.floor((ms % 3_600_000) / 60_000)).padStart(2, '0')}`;
