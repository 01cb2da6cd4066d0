/**
 * The time-of-day plan schedule (pure): which fixed-time plan an intersection runs at an
 * instant, by day type and local time in the intersection's IANA time zone.
 *
 * Local time comes from `Intl.DateTimeFormat` (the platform's tz database), so daylight saving
 * is handled as the wall clock does: an entry at 02:30 on the day clocks go forward takes effect
 * at 03:00 (the first local minute not before it); on the day they go back, the repeated hour
 * is read as wall time, so an entry at 02:30 applies from each 02:30 that the clock shows.
 * An entry stays in force until the next one, across midnight and days.
 */
import type { IntersectionConfig, Plan } from './intersection-schema.ts';
import type { Problem } from './problems.ts';
import { DEFAULT_TIME_ZONE, isTimeZone, localTime } from './time-zone.ts';

export { DAY_TYPES, type DayType } from './intersection-schema.ts';

/** Monday first, as ISO 8601 counts. */
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const pad2 = (n: number) => String(n).padStart(2, '0');
const ymd = (y: number, m: number, d: number) =>
  `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;

/** The calendar day `days` before `date` (YYYY-MM-DD), with its weekday. */
function dayBefore(date: string, days: number): { date: string; weekday: number } {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d - days));
  return {
    date: ymd(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate()),
    weekday: (t.getUTCDay() + 6) % 7,
  };
}

export const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

type Entry = NonNullable<IntersectionConfig['schedule']>[number];

function appliesOn(entry: Entry, weekday: number, holiday: boolean, anyHoliday: boolean): boolean {
  // On a holiday the holiday entries replace the day's own, when there are any.
  if (holiday && anyHoliday) return entry.days.includes('holiday');
  return entry.days.some(
    (d) =>
      d === 'daily' ||
      d === WEEKDAYS[weekday] ||
      (d === 'weekday' && weekday < 5) ||
      (d === 'weekend' && weekday >= 5),
  );
}

export interface ActivePlan {
  /** the schedule's plan id, or undefined for the config's own `plan` */
  id: string | undefined;
  plan: Plan | undefined;
}

/**
 * The fixed-time plan in force at `atMs`: the schedule entry of the latest local start not
 * after now (looking back up to a week), else the config's `plan`.
 * @example activePlan(config, Date.now()).id // 'am-peak'
 */
export function activePlan(
  config: IntersectionConfig,
  atMs: number,
  defaultTimeZone: string = DEFAULT_TIME_ZONE,
): ActivePlan {
  const schedule = config.schedule ?? [];
  const fallback: ActivePlan = { id: undefined, plan: config.plan };
  if (schedule.length === 0) return fallback;
  const now = localTime(atMs, config.timeZone ?? defaultTimeZone);
  const holidays = new Set(config.holidays ?? []);
  const anyHoliday = schedule.some((e) => e.days.includes('holiday'));
  for (let back = 0; back <= 7; back++) {
    const day = back === 0 ? now : dayBefore(now.date, back);
    const holiday = holidays.has(day.date);
    let best: Entry | undefined;
    for (const e of schedule) {
      if (!appliesOn(e, day.weekday, holiday, anyHoliday)) continue;
      const from = minutesOf(e.from);
      if (back === 0 && from > now.minutes) continue;
      if (!best || from >= minutesOf(best.from)) best = e;
    }
    if (best) return { id: best.plan, plan: config.plans?.[best.plan] };
  }
  return fallback;
}

/** Plan checks JSON Schema cannot make: phases named, greens within limits, the cycle. */
export function checkPlan(config: IntersectionConfig, plan: Plan, path: string): Problem[] {
  const out: Problem[] = [];
  const phaseIds = new Set(config.phases.map((p) => p.id));
  for (const id of Object.keys(plan.greenS)) {
    if (!phaseIds.has(id))
      out.push({
        code: 'plan-unknown-phase',
        path: `${path}/greenS/${id}`,
        message: `plan names unknown phase '${id}'`,
      });
  }
  let total = 0;
  for (const phase of config.phases) {
    const g = plan.greenS[phase.id];
    if (g === undefined) continue;
    if (g > 0 && g < phase.minGreenS) {
      out.push({
        code: 'plan-green-below-min',
        path: `${path}/greenS/${phase.id}`,
        message: `plan green ${g} s is below the phase's minGreenS ${phase.minGreenS}`,
      });
    }
    if (g > 0) total += g + config.yellowS + config.allRedS;
  }
  if (Math.abs(total - plan.cycleS) > 0.001 && total > plan.cycleS) {
    out.push({
      code: 'plan-cycle',
      path: `${path}/cycleS`,
      message: `greens plus clearances (${total} s) exceed cycleS ${plan.cycleS}`,
    });
  }
  return out;
}

/** Checks the named plans, the schedule's references and the time zone. */
export function checkSchedule(config: IntersectionConfig): Problem[] {
  const out: Problem[] = [];
  if (config.timeZone !== undefined && !isTimeZone(config.timeZone)) {
    out.push({
      code: 'time-zone',
      path: '/timeZone',
      message: `'${config.timeZone}' is not an IANA time zone (e.g. Europe/Paris, America/New_York)`,
    });
  }
  for (const [id, plan] of Object.entries(config.plans ?? {}))
    out.push(...checkPlan(config, plan, `/plans/${id}`));
  const seen = new Set<string>();
  (config.schedule ?? []).forEach((e, i) => {
    if (!config.plans?.[e.plan]) {
      out.push({
        code: 'schedule-unknown-plan',
        path: `/schedule/${i}/plan`,
        message: `schedule names plan '${e.plan}', which 'plans' does not define`,
      });
    }
    for (const d of e.days) {
      const key = `${d} ${e.from}`;
      if (seen.has(key))
        out.push({
          code: 'schedule-twice',
          path: `/schedule/${i}/from`,
          message: `two entries start on ${d} at ${e.from}`,
        });
      seen.add(key);
    }
  });
  if ((config.holidays?.length ?? 0) > 0 && !(config.schedule ?? []).length) {
    out.push({
      code: 'holidays-without-schedule',
      path: '/holidays',
      message: "'holidays' needs a 'schedule' to apply to",
    });
  }
  return out;
}
