/**
 * The report's engine comparison and sensitivity sections (pure): the rankings of every engine
 * side by side, every controller pair with its order on each engine (pairs whose order differs
 * marked), Kendall's tau; and whether each pair's order holds across a modelling convention's
 * field range. Strings from the i18n catalogs (area `engines`).
 */
import { type Lang, type MessageKey, num, t, tMaybe } from '../../i18n/index.ts';
import type { PairOrder, ScorecardT } from '../scorecard-schema.ts';
import { controllerName, engineName, scenarioTitle } from './names.ts';
import { esc, fmt } from './svg.ts';

type Namer = (id: string) => string;

/** A scenario's title in the report's language (its code name only if the manifest lacks it). */
const scenarioNamer =
  (lang: Lang, card: ScorecardT): Namer =>
  (name) => {
    const entry = card.manifest.scenarios.find((s) => s.name === name);
    return entry ? scenarioTitle(lang, entry) : name;
  };

/** The scorecard as seen by one engine: its results and ranking only (the other sections). */
export function forEngine(card: ScorecardT, engine: string): ScorecardT {
  return {
    ...card,
    results: card.results.filter((r) => r.engine === engine),
    ranking: card.ranking.filter((r) => r.engine === engine),
  };
}

const winner = (lang: Lang, name_: Namer, p: PairOrder, side: string): string => {
  const o = p.order[side];
  const name = o === 'a' ? name_(p.a) : o === 'b' ? name_(p.b) : undefined;
  const unclear =
    p.clear && !p.clear[side] ? ` <span class="muted">${t(lang, 'engines.unclear')}</span>` : '';
  return name ? `<b>${esc(name)}</b>${unclear}` : t(lang, 'engines.tie');
};

function verdictCell(lang: Lang, p: PairOrder, same: MessageKey, differs: MessageKey): string {
  if (p.clearlyOpposite)
    return `<td class="warn" data-differs="true">⚠ ${t(lang, 'engines.opposite')}</td>`;
  if (p.differs)
    return `<td class="warn" data-differs="true">⚠ ${tMaybe(lang, differs) ?? differs}</td>`;
  return `<td class="good" data-differs="false">${tMaybe(lang, same) ?? same}</td>`;
}

function pairTable(
  lang: Lang,
  nameOf: Namer,
  scenarioOf: Namer,
  name: string,
  pairs: readonly PairOrder[],
  sides: readonly { key: string; label: string }[],
  same: MessageKey,
  differs: MessageKey,
): string {
  const head = sides.map((s) => `<th>${esc(s.label)}</th>`).join('');
  const rows = pairs
    .map(
      (p) =>
        `<tr${p.differs ? ' class="differs"' : ''} data-pair="${esc(`${p.a} / ${p.b}`)}" data-scenario="${esc(p.scenario ?? '')}"><td>${esc(nameOf(p.a))} / ${esc(nameOf(p.b))}</td><td style="text-align:left">${p.scenario === null ? `<i>${t(lang, 'engines.overall')}</i>` : esc(scenarioOf(p.scenario))}</td>${sides.map((s) => `<td>${winner(lang, nameOf, p, s.key)}</td>`).join('')}${verdictCell(lang, p, same, differs)}</tr>`,
    )
    .join('');
  return `<table data-table="${name}"><thead><tr><th>${t(lang, 'engines.pair')}</th><th style="text-align:left">${t(lang, 'engines.scenario')}</th>${head}<th>${t(lang, 'engines.verdict')}</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** Both (all) engines' rankings side by side and every pair's order; '' with one engine. */
export function enginesSection(card: ScorecardT, lang: Lang = 'en'): string {
  const engines = card.manifest.engines;
  const ag = card.engineAgreement;
  if (engines.length < 2 || !ag) return '';
  const nameOf: Namer = (id) => controllerName(lang, card.manifest, id);
  const rankings = engines.map((e) => card.ranking.filter((r) => r.engine === e));
  const depth = Math.max(...rankings.map((r) => r.length));
  const rows = Array.from({ length: depth }, (_, i) => {
    const cells = rankings
      .map((r) => {
        const e = r[i];
        if (!e) return '<td></td><td></td>';
        const moved = rankings.some(
          (o) => o.find((x) => x.controller === e.controller)?.rank !== e.rank,
        );
        return `<td style="text-align:left"${moved ? ' class="warn" data-moved="true"' : ''}>${esc(nameOf(e.controller))}</td><td>${fmt(e.delayIndex, 0, lang)}</td>`;
      })
      .join('');
    return `<tr><td>${i + 1}</td>${cells}</tr>`;
  }).join('');
  const head = engines.map((e) => `<th colspan="2">${esc(engineName(lang, e))}</th>`).join('');
  const ranking = `<table data-table="engine-rankings"><caption>${t(lang, 'engines.rankingCaption')}</caption><thead><tr><th>${t(lang, 'engines.rank')}</th>${head}</tr></thead><tbody>${rows}</tbody></table>`;
  const taus = ag.byEngine
    .map(
      (b) =>
        `<p data-tau="${b.engine}">${t(lang, 'engines.tau', {
          reference: engineName(lang, ag.reference),
          engine: engineName(lang, b.engine),
          tau: b.kendallTau === null ? '–' : num(lang, b.kendallTau, 2),
          differing: b.pairsDiffering,
          opposite: b.clearlyOpposite,
        })}</p>`,
    )
    .join('');
  const differing = ag.pairs.filter((p) => p.differs).length;
  const lead =
    differing === 0
      ? `<p class="good" data-note="engines-agree">${t(lang, 'engines.noneDiffer')}</p>`
      : `<p class="warn" data-note="engines-differ">${t(lang, 'engines.someDiffer', { count: differing })}</p>`;
  const table = pairTable(
    lang,
    nameOf,
    scenarioNamer(lang, card),
    'engine-pairs',
    ag.pairs,
    engines.map((e) => ({ key: e, label: engineName(lang, e) })),
    'engines.same',
    'engines.differs',
  );
  return `<section data-section="engines"><h2>${t(lang, 'engines.title')}</h2><p>${t(lang, 'engines.intro', { reference: engineName(lang, ag.reference) })}</p>${ranking}${taus}${lead}<figure><figcaption>${t(lang, 'engines.pairsCaption')}</figcaption>${table}</figure></section>`;
}

/** The sensitivity line: which verdicts hold across a convention's field range. */
export function sensitivitySection(card: ScorecardT, lang: Lang = 'en'): string {
  const s = card.sensitivity;
  const title = `<h2>${t(lang, 'sensitivity.title')}</h2>`;
  if (!s)
    return `<section data-section="sensitivity">${title}<p class="muted" data-note="sensitivity-not-run">${t(lang, 'sensitivity.notRun')}</p></section>`;
  const parameter = tMaybe(lang, `sensitivity.parameter.${s.parameter}`) ?? s.parameter;
  const values = s.values.map((v) => `${num(lang, v)} s`).join(' – ');
  const lead =
    s.hinges === 0
      ? `<p class="good" data-note="sensitivity-holds">${t(lang, 'sensitivity.none')}</p>`
      : `<p class="warn" data-note="sensitivity-hinges">${t(lang, 'sensitivity.some', { count: s.hinges })}</p>`;
  const table = pairTable(
    lang,
    (id) => controllerName(lang, card.manifest, id),
    scenarioNamer(lang, card),
    'sensitivity',
    s.pairs,
    s.values.map((v) => ({ key: String(v), label: t(lang, 'sensitivity.at', { value: v }) })),
    'sensitivity.holds',
    'sensitivity.hinges',
  );
  return `<section data-section="sensitivity">${title}<p>${t(lang, 'sensitivity.intro', { engine: engineName(lang, s.engine), parameter, values })}</p>${lead}${table}</section>`;
}
