/**
 * Which language to speak (pure, also bundled into the dashboard page): `--lang`, then the
 * environment (OPENPHASE_LANG, then the POSIX locale variables a French shell sets), then a
 * browser's Accept-Language or navigator.languages; English when nothing matches.
 */

export const LANGS = ['en', 'fr'] as const;
export type Lang = (typeof LANGS)[number];
export const DEFAULT_LANG: Lang = 'en';

export const isLang = (x: unknown): x is Lang =>
  typeof x === 'string' && (LANGS as readonly string[]).includes(x);

/** `fr-CA`, `fr_FR.UTF-8`, `FR` → `fr`; `C`, `POSIX`, `de` → undefined. */
export function langOf(tag: string | undefined): Lang | undefined {
  const primary = tag
    ?.trim()
    .toLowerCase()
    .split(/[-_.@]/)[0];
  return isLang(primary) ? primary : undefined;
}

const TAG = /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/;

/**
 * The language tags of an Accept-Language header, best first (q=0 dropped). Hand-written: ten
 * lines, and the same function runs in the browser bundle where no HTTP library exists.
 * @example parseAcceptLanguage('de;q=0.5, fr-CH, en;q=0.9') // ['fr-CH', 'en', 'de']
 */
export function parseAcceptLanguage(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part, i) => {
      const [tag = '', ...attrs] = part.trim().split(';');
      const q = attrs.map((a) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(a)?.[1]).find((v) => v);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), i };
    })
    .filter((x) => TAG.test(x.tag) && x.q > 0 && Number.isFinite(x.q))
    .sort((a, b) => b.q - a.q || a.i - b.i)
    .map((x) => x.tag);
}

/** The first supported language among tags in preference order (navigator.languages, a header). */
export function pickLang(tags: readonly string[]): Lang | undefined {
  for (const tag of tags) {
    const l = langOf(tag);
    if (l) return l;
  }
  return undefined;
}

export class LangError extends Error {}

export interface LangSources {
  /** `--lang` as given: anything else than en/fr is an error, not a silent fallback */
  flag?: string | undefined;
  /** process.env (or a copy): OPENPHASE_LANG, LC_ALL, LC_MESSAGES, LANG */
  env?: Readonly<Record<string, string | undefined>>;
  /** the browser's wishes: an Accept-Language header or navigator.languages */
  accept?: string | readonly string[] | undefined;
}

/**
 * @example resolveLang({ flag: opts.lang, env: process.env }) // 'fr' with LANG=fr_FR.UTF-8
 * @example resolveLang({ accept: navigator.languages })
 */
export function resolveLang(s: LangSources): Lang {
  if (s.flag !== undefined) {
    const l = s.flag.trim().toLowerCase();
    if (!isLang(l))
      throw new LangError(`--lang must be one of ${LANGS.join(', ')}, got '${s.flag}'`);
    return l;
  }
  const env = s.env ?? {};
  const explicit = env.OPENPHASE_LANG;
  if (explicit !== undefined && explicit !== '') {
    const l = langOf(explicit);
    if (!l)
      throw new LangError(`OPENPHASE_LANG must be one of ${LANGS.join(', ')}, got '${explicit}'`);
    return l;
  }
  // POSIX order: LC_ALL overrides LC_MESSAGES overrides LANG; the first set one decides
  const posix = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v !== undefined && v !== '');
  if (posix !== undefined) return langOf(posix) ?? DEFAULT_LANG;
  const tags = typeof s.accept === 'string' ? parseAcceptLanguage(s.accept) : (s.accept ?? []);
  return pickLang(tags) ?? DEFAULT_LANG;
}
