/**
 * The plausibility window: every timestamp in a message must lie within `windowMs` of the
 * receiver's clock. Schema-valid but absurd times do real harm — seconds sent as milliseconds
 * land in 1970, one far-future decision `t` moves a signal's high-water mark past every real
 * decision, and each odd year creates an InfluxDB shard — so receivers refuse them, with code
 * `implausible-time`. Pure: the receiver passes its clock's reading.
 */
import type { Counts, Decision, Signal, Status } from './messages.ts';
import type { Problem } from './problems.ts';

/** ±1 day: room for clock drift and a late batch, none for a unit mistake. */
export const DEFAULT_TIME_WINDOW_MS = 86_400_000;

export interface TimeWindow {
  /** the receiver's clock now, epoch ms (its simulated clock, in a simulation) */
  nowMs: number;
  /** how far from `nowMs` a timestamp may be, either way; default {@link DEFAULT_TIME_WINDOW_MS} */
  windowMs?: number;
}

const DAY_MS = 86_400_000;

function describeTime(field: string, value: number, w: Required<TimeWindow>): string {
  const off = value - w.nowMs;
  const days = Math.abs(off) / DAY_MS;
  const span =
    days >= 1 ? `${days.toFixed(days < 10 ? 1 : 0)} days` : `${Math.round(Math.abs(off) / 1000)} s`;
  const where = `${span} ${off < 0 ? 'before' : 'after'} the receiver's clock`;
  const window = `outside the ±${w.windowMs / 1000} s plausibility window`;
  // the usual mistakes, named: a unit off by 1000 either way
  const hint =
    Math.abs(value * 1000 - w.nowMs) <= w.windowMs
      ? ': seconds, not milliseconds?'
      : Math.abs(value / 1000 - w.nowMs) <= w.windowMs
        ? ': microseconds, not milliseconds?'
        : '';
  return `'${field}' (${value}) is ${where}, ${window}${hint}`;
}

/** The timestamps of a valid message of `kind`, as [JSON Pointer, field name, value]. */
function timestamps(kind: string, value: unknown): [string, string, number][] {
  switch (kind) {
    case 'counts': {
      const c = value as Counts;
      const out: [string, string, number][] = [
        ['/from', 'from', c.from],
        ['/to', 'to', c.to],
      ];
      (c.actuations ?? []).forEach((a, i) => {
        out.push(
          [`/actuations/${i}/onMs`, 'onMs', a.onMs],
          [`/actuations/${i}/offMs`, 'offMs', a.offMs],
        );
      });
      return out;
    }
    case 'decision':
      return [['/t', 't', (value as Decision).t]];
    case 'signal': {
      const s = value as Signal;
      return [
        ['/t', 't', s.t],
        ['/sinceMs', 'sinceMs', s.sinceMs],
        ['/minEndMs', 'minEndMs', s.minEndMs],
        ['/maxEndMs', 'maxEndMs', s.maxEndMs],
        ...s.overrides.map((o, i): [string, string, number] => [
          `/overrides/${i}/atMs`,
          'atMs',
          o.atMs,
        ]),
      ];
    }
    case 'status': {
      const at = (value as Status).atMs;
      return at === undefined ? [] : [['/atMs', 'atMs', at]];
    }
    default:
      return []; // configs carry no time
  }
}

/**
 * Problems (code `implausible-time`) of a schema-valid message whose timestamps lie outside
 * the window; at most the first three, a message with thousands of bad actuations costs little.
 * @example timeProblems('counts', { …, from: 1767225600, to: 1767225601 }, { nowMs: Date.now() })
 *   // [{ code: 'implausible-time', path: '/from', message: "… seconds, not milliseconds?" }, …]
 */
export function timeProblems(kind: string, value: unknown, window: TimeWindow): Problem[] {
  const w = { nowMs: window.nowMs, windowMs: window.windowMs ?? DEFAULT_TIME_WINDOW_MS };
  const out: Problem[] = [];
  for (const [path, field, v] of timestamps(kind, value)) {
    if (Math.abs(v - w.nowMs) <= w.windowMs) continue;
    out.push({ code: 'implausible-time', path, message: describeTime(field, v, w) });
    if (out.length >= 3) break;
  }
  return out;
}
