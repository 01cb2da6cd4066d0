/**
 * The report's glossary (pure): each term has a tooltip where it appears (`<dfn title>`) and
 * an entry at the end of the page, which also prints.
 */
import { type Lang, t, tMaybe } from '../../i18n/index.ts';
import { esc } from './svg.ts';

/** The glossary entries, in reading order; each has `glossary.ID.term` and `.text`. */
export const TERMS = [
  'seed',
  'delay',
  'delayIndex',
  'baseline',
  'ci',
  'scenario',
  'run',
  'safety',
  'deadline',
  'conflict',
  'twin',
] as const;
export type Term = (typeof TERMS)[number];

/** `shown` with the explanation of `id` as a tooltip. */
export function term(lang: Lang, id: Term, shown: string): string {
  return `<dfn data-term="${id}" title="${esc(tMaybe(lang, `glossary.${id}.text`) ?? '')}">${esc(shown)}</dfn>`;
}

export function glossarySection(lang: Lang): string {
  const items = TERMS.map(
    (id) =>
      `<dt>${esc(tMaybe(lang, `glossary.${id}.term`) ?? id)}</dt><dd>${esc(tMaybe(lang, `glossary.${id}.text`) ?? '')}</dd>`,
  ).join('');
  return `<h2>${esc(t(lang, 'glossary.title'))}</h2><dl class="glossary" data-section="glossary">${items}</dl>`;
}
