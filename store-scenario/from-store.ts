/**
 * `openphase scenario from-store` without the command line: reads the stored counts around the
 * chosen days, builds the demand and the scenario, and says what it filled and estimated.
 */
import type { HistoryReader } from '../collector/history.ts';
import { type Lang, t } from '../i18n/index.ts';
import type { IntersectionConfig, Scenario } from '../protocol/index.ts';
import { scenarioFrom } from './build.ts';
import { type DemandResult, movementDemand, type TurningShares } from './demand.ts';
import { addDays, type Day, windowOf } from './zone.ts';

export interface FromStoreOptions {
  reader: HistoryReader;
  /** the store, one line without credentials */
  store: string;
  configs: readonly IntersectionConfig[];
  days: readonly Day[];
  /** the days before and after each chosen day that may fill its gaps (default 7) */
  fillDays?: number;
  binMs?: number;
  minCoverage?: number;
  saturationFlowVphpl?: number;
  lostTimeS?: number;
  turning?: TurningShares;
  name?: string;
  /** only this time-of-day window of each day, ms since midnight (default the whole day) */
  hours?: { fromMs: number; toMs: number };
}

/**
 * @example const { scenario, demand } = await scenarioFromStore({ reader, store, configs, days: [dayOf('2026-03-02')] })
 */
export async function scenarioFromStore(
  o: FromStoreOptions,
): Promise<{ scenario: Scenario; demand: DemandResult; report: string[] }> {
  if (o.configs.length === 0) throw new Error('no intersection config to build from');
  if (o.days.length === 0) throw new Error('give at least one day');
  const binMs = o.binMs ?? 900_000;
  const fill = o.fillDays ?? 7;
  const hours = o.hours ?? { fromMs: 0, toMs: 86_400_000 };
  if (hours.fromMs % binMs !== 0 || hours.toMs % binMs !== 0)
    throw new Error('the time-of-day window must start and end on whole bins');
  const days = o.days.map((d) => windowOf(d, hours.fromMs, hours.toMs));
  const pool = new Map<string, Day>();
  for (const d of days)
    for (let k = -fill; k <= fill; k++) {
      const day = addDays(d, k);
      pool.set(day.date, day);
    }
  const poolDays = [...pool.values()].sort((a, b) => a.startMs - b.startMs);
  // Stored bins of at most 15 minutes dividing the local bin: every zone's offset is a whole
  // number of quarter hours, so local bins are made of whole stored ones.
  const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
  const bins = await o.reader.detectorBins({
    intersections: o.configs.map((c) => c.id),
    fromMs: poolDays[0]!.startMs,
    toMs: poolDays.at(-1)!.endMs,
    binMs: gcd(binMs, 900_000),
  });
  const onDays = bins.filter((b) => days.some((d) => b.t >= d.startMs && b.t < d.endMs));
  if (onDays.length === 0)
    throw new Error(
      `no stored counts of ${o.configs.map((c) => c.id).join(', ')} on ${days.map((d) => d.date).join(', ')} (${days[0]!.timeZone})`,
    );
  const demand = movementDemand(o.configs, bins, {
    days: days,
    pool: poolDays,
    binMs,
    ...(o.minCoverage !== undefined ? { minCoverage: o.minCoverage } : {}),
    ...(o.saturationFlowVphpl ? { saturationFlowVphpl: o.saturationFlowVphpl } : {}),
    ...(o.lostTimeS !== undefined ? { lostTimeS: o.lostTimeS } : {}),
    ...(o.turning ? { turning: o.turning } : {}),
  });
  const scenario = scenarioFrom(o.configs, demand, {
    name: o.name ?? `from-store-${days[0]!.date}`,
    store: o.store,
    days: days,
    binMs,
    ...(o.saturationFlowVphpl ? { saturationFlowVphpl: o.saturationFlowVphpl } : {}),
  });
  return { scenario, demand, report: reportLines(demand, days[0]!.timeZone) };
}

/** What was filled, estimated and assumed, in words (one line each), in the CLI's language. */
export function reportLines(d: DemandResult, timeZone: string, lang: Lang = 'en'): string[] {
  const pct = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const lines = [
    t(lang, 'fromStore.coverage', { pct: pct.format(d.coverage * 100), zone: timeZone }),
  ];
  for (const g of d.gaps) {
    const at = { where: `${g.intersection}/${g.detector}`, date: g.date, from: g.from, to: g.to };
    lines.push(
      g.how === 'filled'
        ? t(lang, 'fromStore.filled', { ...at, days: g.fromDays.join(', ') })
        : t(lang, 'fromStore.interpolated', at),
    );
  }
  for (const s of d.saturated)
    lines.push(
      t(lang, 'fromStore.saturated', {
        intersection: s.intersection,
        laneGroup: s.laneGroup,
        date: s.date,
        from: s.from,
        to: s.to,
        discharge: s.dischargeVph,
        counted: s.countedVeh,
        arrivals: s.arrivalsVeh,
        lowerBound: s.lowerBound ? t(lang, 'fromStore.lowerBound') : '',
      }),
    );
  for (const text of d.notes) lines.push(t(lang, 'cli.note', { text }));
  return lines;
}
