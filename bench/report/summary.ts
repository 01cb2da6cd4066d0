/**
 * The report's plain-language summary (pure): what the waits were on each scenario in
 * seconds, then one sentence per controller a council member can read without a statistics
 * course, built only from the scorecard, in the report's language.
 */
import { type Lang, num, percent, t } from '../../i18n/index.ts';
import { OVERRIDE_KINDS } from '../../protocol/index.ts';
import type { Result, ScorecardT } from '../scorecard-schema.ts';
import type { Paired, Stat } from '../stats.ts';
import { mean } from '../stats.ts';
import { cityFirst, controllerName, listOf, scenarioTitle } from './names.ts';

type Node = Record<string, unknown>;

/** The Stat of `path` in a result's metrics. */
export function statOf(r: Result, path: string): Stat {
  const [a, b] = path.split('.') as [string, string | undefined];
  const n = (r.metrics as Node)[a] as Node;
  return (b === undefined ? n : n[b]) as unknown as Stat;
}

/** Per-run values of `path`, summed over the runs of a result. */
export function runTotal(r: Result, path: string): number {
  const [a, b] = path.split('.') as [string, string | undefined];
  return r.runs.reduce((s, run) => {
    const n = (run.metrics as Node)[a];
    return s + ((b === undefined ? n : (n as Node)[b]) as number);
  }, 0);
}

export const pairedOf = (
  part: Result['vsBaseline'] | undefined,
  path: string,
): Paired | undefined => (part as Record<string, Paired> | undefined)?.[path];

/** A share without its sign, in the language's writing: 0.183 → "18%" / "18 %". */
export const pct = (x: number, lang: Lang = 'en'): string => percent(lang, Math.abs(x));

/** Safety interventions of a controller over all its runs, by kind. */
export function overridesByKind(card: ScorecardT, controller: string): Record<string, number> {
  const own = card.results.filter((r) => r.controller === controller);
  return Object.fromEntries(
    OVERRIDE_KINDS.map((k) => [k, own.reduce((s, r) => s + runTotal(r, `overrides.${k}`), 0)]),
  );
}

/**
 * One sentence per scenario, the city's own first: how long vehicles waited on average with
 * each controller, in seconds ("On your streets (…), vehicles waited on average 24 s with A
 * and 31 s with B.").
 */
export function plainSentences(card: ScorecardT, lang: Lang = 'en'): string[] {
  const m = card.manifest;
  return cityFirst(m.scenarios).flatMap((s) => {
    const rows = m.controllers
      .map((c) => card.results.find((r) => r.controller === c && r.scenario === s.name))
      .filter((r) => r !== undefined)
      .map((r) => ({ c: r.controller, delayS: statOf(r, 'meanDelayS').mean }))
      .sort((a, b) => a.delayS - b.delayS);
    if (rows.length === 0) return [];
    const list = listOf(
      lang,
      rows.map((r) =>
        t(lang, 'report.plain.item', {
          delay: num(lang, r.delayS, r.delayS < 10 ? 1 : 0),
          controller: controllerName(lang, m, r.c),
        }),
      ),
    );
    return [
      s.origin
        ? t(lang, 'report.plain.own', { where: whereFrom(lang, s.origin), list })
        : t(lang, 'report.plain.test', { where: scenarioTitle(lang, s), list }),
    ];
  });
}

/** A day `YYYY-MM-DD` the reader's way: "10 March 2026" / "10 mars 2026". */
const dayOf = (lang: Lang, day: string): string => {
  const d = new Date(`${day}T12:00:00Z`);
  return Number.isNaN(d.getTime())
    ? day
    : new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : lang, {
        dateStyle: 'long',
        timeZone: 'UTC',
      }).format(d);
};

type Origin = NonNullable<ScorecardT['manifest']['scenarios'][number]['origin']>;

/** Where and when a scenario from the city's store was counted, in a few words. */
function whereFrom(lang: Lang, o: Origin): string {
  const more = o.intersectionCount - o.intersections.length;
  const names =
    more > 0
      ? t(lang, 'report.scenarios.originMore', { list: o.intersections.join(', '), count: more })
      : listOf(lang, o.intersections);
  const hours =
    !o.hours || o.hours === '00:00-24:00'
      ? t(lang, 'report.plain.allDay')
      : o.hours.replace('-', '–');
  const days = t(lang, 'report.plain.days', {
    count: o.days.length,
    first: dayOf(lang, o.days[0] ?? ''),
    last: dayOf(lang, o.days.at(-1) ?? ''),
  });
  return t(lang, 'report.plain.where', { intersections: names, hours, days });
}

const scenarioWord = (lang: Lang, n: number) => t(lang, 'report.count.scenarios', { count: n });

/** One sentence per controller, in ranking order; plain text (the HTML escapes it). */
export function summaryLines(
  card: ScorecardT,
  lang: Lang = 'en',
): { controller: string; name: string; text: string }[] {
  const base = card.manifest.baseline;
  return card.ranking.map(({ controller }) => {
    const own = card.results.filter((r) => r.controller === controller);
    const parts: string[] = [];
    if (controller === base) {
      parts.push(t(lang, 'report.line.baseline'));
    } else {
      const rel = own
        .map((r) => pairedOf(r.vsBaseline, 'meanDelayS'))
        .filter((p) => p !== undefined);
      const avg = rel.length > 0 ? mean(rel.map((p) => p.relative)) : 0;
      const lower = rel.filter((p) => p.direction === 'lower').length;
      const higher = rel.filter((p) => p.direction === 'higher').length;
      const head =
        Math.abs(avg) < 0.005
          ? t(lang, 'report.line.same')
          : t(lang, avg < 0 ? 'report.line.less' : 'report.line.more', { pct: pct(avg, lang) });
      const scenarios = scenarioWord(lang, rel.length);
      parts.push(
        lower === 0 && higher === 0
          ? t(lang, 'report.line.noClear', { head, scenarios })
          : lower === 0
            ? t(lang, 'report.line.onlyMore', { head, higher, scenarios })
            : t(lang, 'report.line.someLess', { head, lower, scenarios }) +
              (higher > 0 ? t(lang, 'report.line.andMore', { higher }) : ''),
      );
    }
    const byKind = overridesByKind(card, controller);
    const overrides = Object.values(byKind).reduce((s, v) => s + v, 0);
    const kinds = Object.entries(byKind)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => t(lang, 'report.line.kind', { kind: overrideWord(lang, k), count: v }))
      .join(', ');
    const runs = t(lang, 'report.runs', { count: own.reduce((s, r) => s + r.runs.length, 0) });
    parts.push(t(lang, 'report.line.interventions', { count: overrides, kinds, runs }));
    const missed = own.reduce((s, r) => s + runTotal(r, 'missedDeadlines'), 0);
    parts.push(t(lang, 'report.line.missed', { count: missed }));
    const conflicts = own.reduce((s, r) => s + runTotal(r, 'conflictingGreens'), 0);
    if (conflicts > 0) parts.push(t(lang, 'report.line.conflicts', { count: conflicts }));
    const degr = own
      .filter((r) => r.degradation)
      .map((r) => {
        const p = pairedOf(r.degradation?.change, 'meanDelayS')!;
        const entry = card.manifest.scenarios.find((s) => s.name === r.scenario);
        const what = t(
          lang,
          entry?.clean === 'faults-removed' ? 'report.what.faults' : 'report.what.surge',
        );
        const scenario = entry ? scenarioTitle(lang, entry) : r.scenario;
        return p.direction === 'same'
          ? t(lang, 'report.line.degrSame', { what, scenario })
          : t(lang, p.relative >= 0 ? 'report.line.degrRaised' : 'report.line.degrLowered', {
              what,
              scenario,
              pct: pct(p.relative, lang),
            });
      });
    if (degr.length > 0) parts.push(degr.join(lang === 'fr' ? '\u202f; ' : '; '));
    const text = parts.join(lang === 'fr' ? '\u202f; ' : '; ');
    return {
      controller,
      name: controllerName(lang, card.manifest, controller),
      text: `${text}.`,
    };
  });
}

/** A safety-monitor intervention kind in plain words. */
export function overrideWord(lang: Lang, kind: string): string {
  const key = `override.${kind}` as const;
  return OVERRIDE_KINDS.includes(kind as (typeof OVERRIDE_KINDS)[number])
    ? t(lang, key as 'override.minGreen')
    : kind;
}

/** The one-line headline above the details. */
export function headline(card: ScorecardT, lang: Lang = 'en'): string {
  const best = card.ranking[0];
  const m = card.manifest;
  const scenarios = scenarioWord(lang, m.scenarios.length);
  const name = (c: string) => controllerName(lang, m, c);
  const runs = card.results.reduce((s, r) => s + r.runs.length, 0);
  const conflicts = card.results.reduce((s, r) => s + runTotal(r, 'conflictingGreens'), 0);
  const lead =
    best && best.controller !== m.baseline
      ? t(lang, 'report.headline.best', {
          best: name(best.controller),
          pct: percent(lang, Math.round(100 - best.delayIndex) / 100),
          baseline: name(m.baseline),
          scenarios,
        })
      : t(lang, 'report.headline.none', { baseline: name(m.baseline), scenarios });
  const safety =
    conflicts === 0
      ? t(lang, 'report.headline.safe')
      : t(lang, 'report.headline.conflicts', { count: conflicts });
  const twins = m.scenarios.filter((s) => s.clean).length * m.controllers.length * m.seeds.length;
  const count = t(lang, 'report.headline.runs', {
    controllers: t(lang, 'report.count.controllers', { count: m.controllers.length }),
    scenarios,
    seeds: t(lang, 'report.count.seeds', { count: m.seeds.length }),
    runs: t(lang, 'report.runs', { count: runs }),
    twins:
      twins > 0
        ? t(lang, 'report.headline.twins', { runs: t(lang, 'report.runs', { count: twins }) })
        : '',
  });
  return `${lead} ${count} ${safety}`;
}
