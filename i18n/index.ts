/**
 * Languages of the human-facing outputs (report, dashboard, CLI messages): the catalogs in
 * en/ and fr/, `t()` to format a message, the language resolver. How to add a string: README.md.
 */
export type { MessageKey } from './en/index.ts';
export { CATALOGS, fill, num, type ParamsOf, percent, t, tMaybe } from './format.ts';
export {
  DEFAULT_LANG,
  isLang,
  LANGS,
  type Lang,
  LangError,
  type LangSources,
  langOf,
  parseAcceptLanguage,
  pickLang,
  resolveLang,
} from './lang.ts';
export type { Message, Plural } from './types.ts';
