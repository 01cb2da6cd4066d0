/**
 * Time-of-day fixed-time plans from stored counts (pure): the core of `openphase plan`.
 * Counts per detector and period (e.g. 15 min) over several days are folded onto the clock
 * (time of day), turned into flows per lane group, and each period gets a Webster plan;
 * consecutive periods with the same greens are merged into one time-of-day plan.
 *
 * Flows are corrected for missing data: a period's coverage is the time its counts cover (the
 * stored interval lengths, e.g. 9 of 15 minutes = 60 %), and its flow is the vehicles counted
 * divided by that time, so a sensor outage lowers the confidence, not the flow. Rows without the
 * covered time (data stored before counts kept their interval) fall back to comparing messages
 * with the most messages any period held for that detector.
 */
import {
  detectorsOf,
  type IntersectionConfig,
  laneGroups,
  localTime,
  zoneOf,
} from '../protocol/index.ts';
import { type WebsterOptions, type WebsterPlan, websterPlan } from './webster.ts';

/** One aggregated row: a detector's counts in one period (e.g. an InfluxDB GROUP BY time). */
export interface CountRow {
  /** period start, epoch ms UTC */
  timeMs: number;
  detector: string;
  /** vehicles counted in the period */
  count: number;
  /** counts messages received in the period */
  messages: number;
  /** time the counts cover, ms (sum of the stored interval lengths); absent for old data */
  coveredMs?: number;
}

export interface TodOptions extends WebsterOptions {
  /** period length, ms (default 15 min); must divide a day */
  periodMs?: number;
  /**
   * the deployment's IANA zone, used when the config names no `timeZone` (default UTC).
   * Periods are cut on the local wall clock, so daylight saving moves no count to the wrong hour.
   */
  timeZone?: string;
  /** merge consecutive periods with identical greens (default true) */
  merge?: boolean;
}

export interface TodPlan {
  /** local time of day, 'HH:MM', inclusive */
  from: string;
  /** local time of day, 'HH:MM', exclusive ('24:00' for midnight) */
  to: string;
  /** lane-group flows, veh/h, averaged over the days with data (first period of a merge) */
  flowVph: Record<string, number>;
  webster: WebsterPlan;
  /** share of the period's detector time covered by stored counts, 0..1 */
  completeness: number;
  /** distinct days that contributed */
  days: number;
}

const DAY_MS = 86_400_000;

const hhmm = (ms: number) =>
  `${String(Math.floor(ms / 3_600_000)).padStart(2, '0')}:${String(Math.floor((ms % 3_600_000) / 60_000)).padStart(2, '0')}`;

/** Parses '15m', '1h', '30min', '900s' into ms; throws a plain-words error otherwise. */
export function parsePeriod(text: string): number {
  const m = /^(\d+)\s*(s|m|min|h)$/.exec(text.trim());
  if (!m) throw new Error(`period '${text}' is not like 15m, 30m or 1h`);
  const n = Number(m[1]);
  const ms = n * (m[2] === 's' ? 1000 : m[2] === 'h' ? 3_600_000 : 60_000);
  if (ms <= 0 || DAY_MS % ms !== 0) throw new Error(`period '${text}' must divide a day`);
  return ms;
}

/**
 * Webster plans per time-of-day period.
 * @example plansByTimeOfDay(config, rows, { periodMs: 900_000 })[0] // { from: '00:00', to: '…', webster }
 */
export function plansByTimeOfDay(
  config: IntersectionConfig,
  rows: CountRow[],
  options: TodOptions = {},
): TodPlan[] {
  const periodMs = options.periodMs ?? 900_000;
  const zone = zoneOf(config.timeZone, options.timeZone);
  const dets = detectorsOf(config);
  const known = new Set(dets.map((d) => d.id));
  // The most messages any period held, per detector: what "complete" looks like.
  const full = new Map<string, number>();
  for (const r of rows)
    if (known.has(r.detector))
      full.set(r.detector, Math.max(full.get(r.detector) ?? 0, r.messages));
  // Per slot (time of day) and detector: vehicles, covered periods, days.
  const slots = new Map<
    number,
    { count: Map<string, number>; covered: Map<string, number>; days: Set<string> }
  >();
  for (const r of rows) {
    if (!known.has(r.detector) || r.messages <= 0) continue;
    const local = localTime(r.timeMs, zone);
    const slot = Math.floor((local.minutes * 60_000) / periodMs);
    let s = slots.get(slot);
    if (!s) {
      s = { count: new Map(), covered: new Map(), days: new Set() };
      slots.set(slot, s);
    }
    s.count.set(r.detector, (s.count.get(r.detector) ?? 0) + r.count);
    const share =
      r.coveredMs !== undefined
        ? Math.min(1, r.coveredMs / periodMs)
        : r.messages / full.get(r.detector)!;
    s.covered.set(r.detector, (s.covered.get(r.detector) ?? 0) + share);
    s.days.add(local.date);
  }
  const out: TodPlan[] = [];
  for (const slot of [...slots.keys()].sort((a, b) => a - b)) {
    const s = slots.get(slot)!;
    const flowOf = (id: string) => {
      const covered = s.covered.get(id) ?? 0;
      return covered > 0 ? ((s.count.get(id) ?? 0) * 3_600_000) / (covered * periodMs) : 0;
    };
    const flowVph: Record<string, number> = {};
    for (const g of laneGroups(config)) {
      const mine = dets.filter((d) => d.movements.some((m) => g.movements.includes(m)));
      const adv = mine.filter((d) => d.kind === 'advance' && s.covered.has(d.id));
      const src = adv.length > 0 ? adv : mine;
      flowVph[g.id] = src.reduce((a, d) => a + flowOf(d.id), 0);
    }
    const covered = dets.reduce((a, d) => a + (s.covered.get(d.id) ?? 0), 0);
    const plan: TodPlan = {
      from: hhmm(slot * periodMs),
      to: hhmm((slot + 1) * periodMs),
      flowVph,
      webster: websterPlan(config, flowVph, options),
      completeness: Math.min(1, covered / (dets.length * s.days.size)),
      days: s.days.size,
    };
    const last = out.at(-1);
    const same =
      last !== undefined &&
      options.merge !== false &&
      last.to === plan.from &&
      JSON.stringify(last.webster.plan) === JSON.stringify(plan.webster.plan);
    if (same) last.to = plan.to;
    else out.push(plan);
  }
  return out;
}
