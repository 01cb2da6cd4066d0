/**
 * `t(lang, key, params)`: a message from the catalogs with its placeholders filled, numbers
 * written the language's way (24.5 → "24,5" in French) and plural forms chosen by Intl.
 * Pure and browser-safe. Intl (built into Node and every browser) does the plural rules and
 * number formats; the rest is a lookup, so no i18n framework is bundled into the page.
 */
import { en, type MessageKey } from './en/index.ts';
import { fr } from './fr/index.ts';
import type { Lang } from './lang.ts';
import type { Message, ParamNames, ParamValue, Plural } from './types.ts';

export const CATALOGS: Readonly<Record<Lang, Readonly<Record<MessageKey, Message>>>> = { en, fr };

type Params<K extends MessageKey> = Record<ParamNames<(typeof en)[K]>, ParamValue>;

/** The parameters t() takes after the key: none, or an object with every placeholder. */
export type ParamsOf<K extends MessageKey> =
  ParamNames<(typeof en)[K]> extends never ? [] : [Params<K>];

const numberFormats = new Map<string, Intl.NumberFormat>();
const pluralRules = new Map<Lang, Intl.PluralRules>();

/**
 * A number in the language's writing: `digits` decimals at most (1 by default), grouping
 * as the language does ("1 234,5" in French, "1,234.5" in English).
 * @example num('fr', 24.25) // "24,3"
 */
export function num(lang: Lang, x: number, digits = 1): string {
  if (!Number.isFinite(x)) return '–';
  const id = `${lang}/${digits}`;
  let f = numberFormats.get(id);
  if (!f) {
    f = new Intl.NumberFormat(lang, { maximumFractionDigits: digits });
    numberFormats.set(id, f);
  }
  return f.format(x);
}

/** A share in percent, no decimal: 0.183 → "18 %" in French, "18%" in English. */
export function percent(lang: Lang, share: number): string {
  return new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 }).format(share);
}

function form(lang: Lang, m: Plural, count: ParamValue | undefined): string {
  if (typeof count !== 'number') return m.other;
  if (count === 0 && m.zero !== undefined) return m.zero;
  let rules = pluralRules.get(lang);
  if (!rules) {
    rules = new Intl.PluralRules(lang);
    pluralRules.set(lang, rules);
  }
  return m[rules.select(count) as keyof Plural] ?? m.other;
}

/** French typography: a narrow no-break space before : ; ? ! % » and after «, no line break there. */
const typeset = (lang: Lang, text: string): string =>
  lang === 'fr' ? text.replace(/ ([:;?!%»])/g, '\u202f$1').replace(/« /g, '«\u202f') : text;

/** Fills `{name}` placeholders; a number goes through num(), a missing one stays visible. */
export function fill(
  lang: Lang,
  text: string,
  params: Readonly<Record<string, ParamValue>>,
): string {
  return typeset(lang, text).replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    return v === undefined ? whole : typeof v === 'number' ? num(lang, v) : v;
  });
}

/**
 * @example t('fr', 'report.runs', { count: 3 }) // "3 passages"
 * @example t('en', 'controller.builtin.actuated') // "Actuated (built-in)"
 */
export function t<K extends MessageKey>(lang: Lang, key: K, ...params: ParamsOf<K>): string {
  const m = CATALOGS[lang][key] ?? en[key];
  const p = (params[0] ?? {}) as Record<string, ParamValue>;
  return fill(lang, typeof m === 'string' ? m : form(lang, m, p.count), p);
}

/** Like t() for a key computed at run time (e.g. from a registry name); undefined if unknown. */
export function tMaybe(
  lang: Lang,
  key: string,
  params: Readonly<Record<string, ParamValue>> = {},
): string | undefined {
  if (!Object.hasOwn(en, key)) return undefined;
  const m = CATALOGS[lang][key as MessageKey];
  return fill(lang, typeof m === 'string' ? m : form(lang, m, params.count), params);
}
