/**
 * report.html (pure): one self-contained page from the scorecard alone — what the waits were
 * in plain words, the summary, ranking, delay per scenario with error bars, queue over time,
 * safety and deadlines, robustness, the scenarios, how to rerun it and a glossary — in English
 * or French, with display names instead of code names. Inline CSS and SVG, no script, no
 * network: it opens from a USB stick and prints. Private scenarios appear by name and hash only.
 */
import { type Lang, num, percent, t } from '../../i18n/index.ts';
import { formatLocal, OVERRIDE_KINDS } from '../../protocol/index.ts';
import type { Result, ScenarioEntry, ScorecardT } from '../scorecard-schema.ts';
import { enginesSection, forEngine, sensitivitySection } from './engines.ts';
import { glossarySection, term } from './glossary.ts';
import { cityFirst, controllerName, isCitys, scenarioText, scenarioTitle } from './names.ts';
import {
  headline,
  overridesByKind,
  overrideWord,
  pairedOf,
  pct,
  plainSentences,
  runTotal,
  statOf,
  summaryLines,
} from './summary.ts';
import { type BarGroup, esc, fmt, groupedBars, lineChart, stackedBars } from './svg.ts';

const CSS = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1b1b;max-width:980px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:36px 0 8px;border-bottom:2px solid #0072B2;padding-bottom:4px}
h3{font-size:16px;margin:20px 0 6px}.muted{color:#555;font-size:13px}
.summary{background:#f3f8fc;border-left:5px solid #0072B2;padding:12px 18px;margin:16px 0}
.summary p.lead{font-size:17px;margin:4px 0 10px}.summary li{margin:4px 0}
.plain{font-size:17px}.plain li{margin:6px 0}
table{border-collapse:collapse;width:100%;margin:8px 0;font-size:14px}
th,td{border-bottom:1px solid #ddd;padding:5px 8px;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}th{background:#f6f6f6}
.good{color:#006b4f}.bad{color:#b03a00}.warn{color:#b00020;font-weight:600}
dfn{font-style:normal;text-decoration:underline dotted;cursor:help}
dl.glossary dt{font-weight:600;margin-top:8px}dl.glossary dd{margin:2px 0 0 0}
code{font-size:12px;word-break:break-all}.ci{white-space:nowrap}figure{margin:12px 0}figcaption{font-size:13px;color:#444}
@media print{body{max-width:none}h2{break-after:avoid}svg{break-inside:avoid}}
`;

/** What every section needs: the language, the scorecard, and each controller's shown name. */
interface Ctx {
  lang: Lang;
  card: ScorecardT;
  name: (controller: string) => string;
  /** IANA zone the report's clock times are shown in */
  timeZone: string;
}

/** The bench's start (an ISO time in the scorecard) on the local clock of `timeZone`. */
const startedIn = (iso: string, timeZone: string) => {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? formatLocal(ms, timeZone, { seconds: true }) : iso;
};

/** Display names, made unique (two equal labels would merge two series in a chart). */
function namer(lang: Lang, card: ScorecardT): (c: string) => string {
  const m = card.manifest;
  const raw = new Map(m.controllers.map((c) => [c, controllerName(lang, m, c)]));
  const seen = new Map<string, number>();
  for (const n of raw.values()) seen.set(n, (seen.get(n) ?? 0) + 1);
  return (c) => {
    const n = raw.get(c) ?? controllerName(lang, m, c);
    return (seen.get(n) ?? 0) > 1 ? `${n} (${c})` : n;
  };
}

const ci = (lang: Lang, s: { mean: number; ci95: [number, number] }) =>
  `${fmt(s.mean, 1, lang)} <span class="muted ci">[${fmt(s.ci95[0], 1, lang)}–${fmt(s.ci95[1], 1, lang)}]</span>`;

function versus({ lang }: Ctx, r: Result, path: string): string {
  const p = pairedOf(r.vsBaseline, path);
  if (!p) return `<span class="muted">${esc(t(lang, 'report.reference'))}</span>`;
  const cls = p.direction === 'lower' ? 'good' : p.direction === 'higher' ? 'bad' : 'muted';
  const word =
    p.direction === 'same'
      ? t(lang, 'report.vs.same')
      : t(lang, p.relative < 0 ? 'report.vs.less' : 'report.vs.more', {
          pct: pct(p.relative, lang),
        });
  return `<span class="${cls}">${esc(word)}</span>`;
}

function rankingTable({ lang, card, name }: Ctx): string {
  const base = card.manifest.baseline;
  const rows = card.ranking
    .map(
      (e) =>
        `<tr><td>${e.rank}. <b>${esc(name(e.controller))}</b>${e.controller === base ? ` <span class="muted">(${esc(t(lang, 'report.reference'))})</span>` : ''}</td><td>${fmt(e.delayIndex, 0, lang)}</td><td>${e.controller === base ? '–' : `${e.lowerDelay} / ${e.higherDelay} / ${e.scenarios - e.lowerDelay - e.higherDelay}`}</td><td>${fmt(e.overrides, 1, lang)}</td><td>${fmt(e.missedDeadlines, 1, lang)}</td><td class="${e.conflictingGreens > 0 ? 'warn' : ''}">${fmt(e.conflictingGreens, 1, lang)}</td></tr>`,
    )
    .join('');
  const sub = (key: 'report.col.delayIndexSub' | 'report.col.oneRunEach') =>
    `<br><span class="muted">${esc(t(lang, key))}</span>`;
  return `<table data-table="ranking"><thead><tr><th>${esc(t(lang, 'report.col.controller'))}</th><th>${term(lang, 'delayIndex', t(lang, 'report.col.delayIndex'))}${sub('report.col.delayIndexSub')}</th><th>${esc(t(lang, 'report.col.lessMoreSame'))}</th><th>${term(lang, 'safety', t(lang, 'report.col.interventions'))}${sub('report.col.oneRunEach')}</th><th>${term(lang, 'deadline', t(lang, 'report.col.missed'))}${sub('report.col.oneRunEach')}</th><th>${term(lang, 'conflict', t(lang, 'report.col.conflicts'))}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function delaySection(ctx: Ctx): string {
  const { lang, card, name } = ctx;
  const { controllers } = card.manifest;
  const scenarios = cityFirst(card.manifest.scenarios);
  const groups: BarGroup[] = scenarios.map((s) => ({
    label: scenarioTitle(lang, s),
    bars: card.results
      .filter((r) => r.scenario === s.name)
      .map((r) => {
        const st = statOf(r, 'meanDelayS');
        return {
          series: name(r.controller),
          value: st.mean,
          ci: st.ci95,
          title: t(lang, 'report.delay.bar', {
            controller: name(r.controller),
            scenario: scenarioTitle(lang, s),
            mean: fmt(st.mean, 1, lang),
            low: fmt(st.ci95[0], 1, lang),
            high: fmt(st.ci95[1], 1, lang),
          }),
          data: { scenario: s.name, controller: r.controller },
        };
      }),
  }));
  const chart = groupedBars('delay', groups, controllers.map(name), {
    unit: t(lang, 'unit.seconds'),
    ariaLabel: t(lang, 'report.delay.aria'),
    lang,
  });
  const head = scenarios.map((s) => `<th>${esc(scenarioTitle(lang, s))}</th>`).join('');
  const rows = controllers
    .map((c) => {
      const cells = scenarios
        .map((s) => {
          const r = card.results.find((x) => x.controller === c && x.scenario === s.name);
          return r
            ? `<td>${ci(lang, statOf(r, 'meanDelayS'))}<br>${versus(ctx, r, 'meanDelayS')}</td>`
            : '<td>–</td>';
        })
        .join('');
      return `<tr><td><b>${esc(name(c))}</b></td>${cells}</tr>`;
    })
    .join('');
  const intro = esc(
    t(lang, 'report.delay.intro', {
      seeds: t(lang, 'report.count.seeds', { count: card.manifest.seeds.length }),
    }),
  );
  return `<h2>${esc(t(lang, 'report.delay.title'))}</h2><p>${intro}</p><figure>${chart}</figure><table data-table="delay"><thead><tr><th>${esc(t(lang, 'report.col.controller'))}</th>${head}</tr></thead><tbody>${rows}</tbody></table><p class="muted">${esc(t(lang, 'report.delay.note'))}</p>`;
}

const sameSeries = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

function queueSection({ lang, card, name }: Ctx): string {
  const q = card.queueSeries;
  if (!q) return '';
  const lines = card.manifest.controllers
    .filter((c) => q.byController[c])
    .map((c) => ({ series: name(c), ys: q.byController[c]! }));
  const entry = card.manifest.scenarios.find((s) => s.name === q.scenario);
  const title = entry ? scenarioTitle(lang, entry) : q.scenario;
  const chart = lineChart(
    'queue',
    q.tS.map((s) => s / 60),
    lines,
    {
      unit: t(lang, 'report.queue.unit'),
      xLabel: t(lang, 'unit.minutes'),
      ariaLabel: t(lang, 'report.queue.aria', { scenario: title }),
      lang,
    },
  );
  const same = lines
    .map((l, i) => ({ l, twin: lines.slice(0, i).find((o) => sameSeries(o.ys, l.ys)) }))
    .filter((x) => x.twin)
    .map((x) => esc(t(lang, 'report.queue.twin', { series: x.l.series, twin: x.twin!.series })));
  const note = same.length > 0 ? `<figcaption>${same.join('; ')}.</figcaption>` : '';
  return `<h2>${esc(t(lang, 'report.queue.title', { scenario: title }))}</h2><p>${esc(t(lang, 'report.queue.intro', { seed: String(q.seed) }))}</p><figure>${chart}${note}</figure>`;
}

function safetySection({ lang, card, name }: Ctx): string {
  const { controllers } = card.manifest;
  const runsOf = (c: string) =>
    card.results.filter((r) => r.controller === c).reduce((s, r) => s + r.runs.length, 0);
  const perRun = (x: number, c: string) => Math.round((100 * x) / Math.max(1, runsOf(c))) / 100;
  const missedOf = (c: string) =>
    card.results
      .filter((r) => r.controller === c)
      .reduce((s, r) => s + runTotal(r, 'missedDeadlines'), 0);
  const kindWords = OVERRIDE_KINDS.map((k) => overrideWord(lang, k));
  const rows = controllers.map((c) => {
    const by = overridesByKind(card, c);
    return {
      label: name(c),
      parts: OVERRIDE_KINDS.map((k) => ({
        kind: overrideWord(lang, k),
        value: perRun(by[k] ?? 0, c),
      })),
    };
  });
  const any = rows.some((r) => r.parts.some((p) => p.value > 0));
  const anyMissed = controllers.some((c) => missedOf(c) > 0);
  const chart = stackedBars('safety', rows, kindWords, {
    unit: t(lang, 'report.safety.unit'),
    ariaLabel: t(lang, 'report.safety.aria'),
    lang,
  });
  const missedWord = t(lang, 'report.col.missed');
  const missed = stackedBars(
    'deadlines',
    controllers.map((c) => ({
      label: name(c),
      parts: [{ kind: missedWord, value: perRun(missedOf(c), c) }],
    })),
    [missedWord],
    { unit: t(lang, 'report.deadlines.unit'), ariaLabel: t(lang, 'report.deadlines.unit'), lang },
  );
  const totals = controllers
    .map((c) => {
      const by = overridesByKind(card, c);
      const own = card.results.filter((r) => r.controller === c);
      const conflicts = own.reduce((s, r) => s + runTotal(r, 'conflictingGreens'), 0);
      return `<tr><td><b>${esc(name(c))}</b></td><td>${runsOf(c)}</td>${OVERRIDE_KINDS.map((k) => `<td>${by[k] ?? 0}</td>`).join('')}<td>${missedOf(c)}</td><td class="${conflicts > 0 ? 'warn' : ''}">${conflicts}</td></tr>`;
    })
    .join('');
  const body = card.results
    .map((r) => {
      const o = OVERRIDE_KINDS.map(
        (k) => `<td>${fmt(statOf(r, `overrides.${k}`).mean, 1, lang)}</td>`,
      ).join('');
      const entry = card.manifest.scenarios.find((s) => s.name === r.scenario);
      return `<tr><td>${esc(name(r.controller))}</td><td style="text-align:left">${esc(entry ? scenarioTitle(lang, entry) : r.scenario)}</td>${o}<td>${fmt(statOf(r, 'missedDeadlines').mean, 1, lang)}</td><td>${fmt(statOf(r, 'decisionLatencyMs.p50').mean, 2, lang)} / ${fmt(statOf(r, 'decisionLatencyMs.p99').mean, 2, lang)}</td></tr>`;
    })
    .join('');
  const kindsHead = kindWords.map((k) => `<th>${esc(k)}</th>`).join('');
  const col = (k: Parameters<typeof t>[1]) => esc(t(lang, k as 'report.col.runs'));
  return `<h2>${col('report.safety.title')}</h2><p>${esc(t(lang, 'report.safety.intro', { deadlineMs: card.manifest.deadlineMs }))}</p>${any ? `<figure>${chart}<figcaption>${col('report.safety.caption')}</figcaption></figure>` : `<p class="good" data-note="no-interventions">${col('report.safety.none')}</p>`}${anyMissed ? `<figure>${missed}<figcaption>${col('report.deadlines.caption')}</figcaption></figure>` : `<p class="good" data-note="no-missed-deadlines">${col('report.deadlines.none')}</p>`}<table data-table="safety"><thead><tr><th>${col('report.col.controller')}</th><th>${term(lang, 'run', t(lang, 'report.col.runs'))}</th>${kindsHead}<th>${col('report.col.missed')}</th><th>${col('report.col.conflicts')}</th></tr></thead><tbody>${totals}</tbody></table><p class="muted">${col('report.safety.totals')}</p><details><summary>${col('report.safety.detail')}</summary><table data-table="safety-detail"><thead><tr><th>${col('report.col.controller')}</th><th style="text-align:left">${col('report.col.scenario')}</th>${kindsHead}<th>${col('report.col.missed')}</th><th>${col('report.col.decision')}</th></tr></thead><tbody>${body}</tbody></table><p class="muted">${col('report.safety.decisionNote')}</p></details>`;
}

function robustnessSection({ lang, card, name }: Ctx): string {
  const twins = cityFirst(card.manifest.scenarios).filter((s) => s.clean);
  if (twins.length === 0) return '';
  const figs = twins
    .map((s) => {
      const rs = card.results.filter((r) => r.scenario === s.name && r.degradation);
      const faults = s.clean === 'faults-removed';
      const what = t(lang, faults ? 'report.robust.withFaults' : 'report.robust.withSurge');
      const clean = t(lang, faults ? 'report.robust.cleanFaults' : 'report.robust.cleanSurge');
      const groups: BarGroup[] = rs.map((r) => {
        const c = (r.degradation!.clean as Record<string, { mean: number; ci95: [number, number] }>)
          .meanDelayS!;
        const m = statOf(r, 'meanDelayS');
        const data = { scenario: s.name, controller: r.controller };
        return {
          label: name(r.controller),
          bars: [
            { series: clean, value: c.mean, ci: c.ci95, data },
            { series: what, value: m.mean, ci: m.ci95, data },
          ],
        };
      });
      const title = scenarioTitle(lang, s);
      const chart = groupedBars(`degradation-${s.name}`, groups, [clean, what], {
        unit: t(lang, 'unit.seconds'),
        height: 260,
        colour: (x) => (x === clean ? '#9bbfd9' : '#D55E00'),
        ariaLabel: t(lang, 'report.robust.aria', { scenario: title }),
        lang,
      });
      const rows = rs
        .map((r) => {
          const p = pairedOf(r.degradation!.change, 'meanDelayS')!;
          return `<tr><td>${esc(name(r.controller))}</td><td>${fmt(p.diff.mean, 1, lang)} s <span class="muted ci">[${fmt(p.diff.ci95[0], 1, lang)}–${fmt(p.diff.ci95[1], 1, lang)}]</span></td><td>${p.relative >= 0 ? '+' : '−'}${pct(p.relative, lang)}${p.direction === 'same' ? ` <span class="muted">(${esc(t(lang, 'report.vs.same'))})</span>` : ''}</td></tr>`;
        })
        .join('');
      return `<h3>${esc(t(lang, 'report.robust.heading', { scenario: title, what, clean }))}</h3><figure>${chart}</figure><table data-table="degradation"><thead><tr><th>${esc(t(lang, 'report.col.controller'))}</th><th>${esc(t(lang, 'report.col.extraDelay'))}</th><th>${esc(t(lang, 'report.col.change'))}</th></tr></thead><tbody>${rows}</tbody></table>`;
    })
    .join('');
  return `<h2>${esc(t(lang, 'report.robust.title'))}</h2><p>${esc(t(lang, 'report.robust.intro'))}</p>${figs}`;
}

/** The origin of a scenario built from stored data, in one line of the reader's language. */
function originText(lang: Lang, o: NonNullable<ScenarioEntry['origin']>): string {
  const ids = o.intersections;
  const more = o.intersectionCount - ids.length;
  return t(lang, 'report.scenarios.origin', {
    intersections:
      more > 0
        ? t(lang, 'report.scenarios.originMore', { list: ids.join(', '), count: more })
        : ids.join(', '),
    days: o.days.join(', '),
    hours: o.hours ?? '00:00-24:00',
    zone: o.timeZone,
    coverage: percent(lang, o.coverage),
    filled: t(lang, 'report.scenarios.originFilled', { count: o.filledGaps }),
  });
}

function scenariosSection({ lang, card }: Ctx): string {
  const rows = cityFirst(card.manifest.scenarios)
    .map((s) => {
      if (s.source === 'private')
        return `<tr><td>${esc(s.name)}</td><td style="text-align:left">${esc(t(lang, 'report.scenarios.private'))}</td><td><code>${s.sha256}</code></td></tr>`;
      const meta = t(lang, 'report.scenarios.meta', {
        source: isCitys(s)
          ? t(lang, 'report.scenarios.own')
          : t(lang, s.source === 'bundled' ? 'report.source.bundled' : 'report.source.file'),
        intersections: t(lang, 'report.count.intersections', { count: s.intersections ?? 0 }),
        minutes: num(lang, (s.durationS ?? 0) / 60),
      });
      const title = scenarioTitle(lang, s);
      const shown = title === s.name ? esc(s.name) : `${esc(title)}<br><code>${esc(s.name)}</code>`;
      const origin = s.origin
        ? `<br><span class="muted" data-origin>${esc(originText(lang, s.origin))}</span>`
        : '';
      return `<tr data-own="${isCitys(s)}"><td>${shown}</td><td style="text-align:left">${esc(scenarioText(lang, s))} <span class="muted">${esc(meta)}</span>${origin}</td><td><code>${s.sha256}</code></td></tr>`;
    })
    .join('');
  return `<h2>${esc(t(lang, 'report.scenarios.title'))}</h2><table data-table="scenarios"><thead><tr><th>${esc(t(lang, 'report.col.scenario'))}</th><th style="text-align:left">${esc(t(lang, 'report.col.whatItTests'))}</th><th>${esc(t(lang, 'report.col.sha'))}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function manifestSection({ lang, card, name, timeZone }: Ctx): string {
  const m = card.manifest;
  const text = t(lang, 'report.rerun.text', {
    version: m.version,
    protocol: m.protocol,
    node: m.environment.node,
    platform: m.environment.platform,
    seeds: m.seeds.join(', '),
    deadlineMs: m.deadlineMs,
    duration:
      m.durationS === null
        ? t(lang, 'report.rerun.ownDuration')
        : t(lang, 'report.rerun.fixedDuration', { seconds: m.durationS }),
    broker: m.broker,
    startedAt: `${startedIn(m.startedAt, timeZone)} (${timeZone})`,
    wallS: fmt(m.wallS, 1, lang),
  });
  // how many runs went at once: changes the time taken, never a result
  const parallel =
    m.parallel === undefined ? '' : ` ${t(lang, 'report.rerun.parallel', { n: m.parallel })}`;
  const names = m.controllers
    .map((c) => `<tr><td>${esc(name(c))}</td><td><code>${esc(c)}</code></td></tr>`)
    .join('');
  return `<h2>${esc(t(lang, 'report.rerun.title'))}</h2><p>${esc(text + parallel)}</p><p><code>openphase ${m.command.map((a) => esc(/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ')}</code></p><p class="muted">${esc(t(lang, 'report.rerun.note'))}</p><p>${esc(t(lang, 'report.rerun.names'))}</p><table data-table="names"><thead><tr><th>${esc(t(lang, 'report.col.name'))}</th><th>${esc(t(lang, 'report.col.code'))}</th></tr></thead><tbody>${names}</tbody></table>`;
}

/** French puts a narrow no-break space before a colon. */
const colon = (lang: Lang) => (lang === 'fr' ? '\u202f:' : ':');

function summarySection(ctx: Ctx): string {
  const { lang, card } = ctx;
  const plain = plainSentences(card, lang)
    .map((s) => `<li>${esc(s)}</li>`)
    .join('');
  const lines = summaryLines(card, lang)
    .map((l) => `<li><b>${esc(l.name)}</b>${colon(lang)} ${esc(l.text)}</li>`)
    .join('');
  return `<section class="summary" data-section="summary"><h2 style="margin-top:8px">${esc(t(lang, 'report.plain.title'))}</h2><ul class="plain" data-list="plain">${plain}</ul><p class="muted">${term(lang, 'delay', t(lang, 'glossary.delay.term'))}${colon(lang)} ${esc(t(lang, 'report.plain.note'))}</p><p class="lead">${esc(headline(card, lang))}</p><ul>${lines}</ul><p class="muted">${esc(t(lang, 'report.clearly'))}</p></section>`;
}

/**
 * @example writeFileSync('report.html', renderReport(scorecard, { lang: 'fr' }))
 */
export function renderReport(
  full: ScorecardT,
  opts: { lang?: Lang; timeZone?: string } = {},
): string {
  const lang = opts.lang ?? 'en';
  // every section but the engine comparison reads the reference engine's runs
  const card = forEngine(full, full.manifest.engines[0]!);
  const ctx: Ctx = { lang, card, name: namer(lang, card), timeZone: opts.timeZone ?? 'UTC' };
  const m = card.manifest;
  const meta = [
    `OpenPhase ${esc(m.version)}`,
    esc(startedIn(m.startedAt, ctx.timeZone).slice(0, 10)),
    esc(t(lang, 'report.count.controllers', { count: m.controllers.length })),
    esc(t(lang, 'report.count.scenarios', { count: m.scenarios.length })),
    esc(t(lang, 'report.count.seedsEach', { count: m.seeds.length })),
  ].join(' · ');
  const body = [
    `<h1>${esc(t(lang, 'report.title'))}</h1><p class="muted">${meta}</p>`,
    summarySection(ctx),
    `<h2>${esc(t(lang, 'report.ranking.title'))}</h2>${rankingTable(ctx)}<p class="muted">${esc(t(lang, 'report.ranking.note'))}</p>`,
    enginesSection(full, lang),
    sensitivitySection(full, lang),
    delaySection(ctx),
    queueSection(ctx),
    safetySection(ctx),
    robustnessSection(ctx),
    scenariosSection(ctx),
    manifestSection(ctx),
    glossarySection(lang),
  ].join('\n');
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${esc(t(lang, 'report.htmlTitle', { controllers: m.controllers.map(ctx.name).join(', ') }))}</title><style>${CSS}</style></head>
<body>
${body}
</body></html>
`;
}
