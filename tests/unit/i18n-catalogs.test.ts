/**
 * The message catalogs: French has exactly the English keys, each message the same
 * placeholders and the same kind (plain or plural); t() picks plural forms by each language's
 * rules and writes numbers its way; the language resolver follows --lang, the environment and
 * the browser in that order.
 */
import { describe, expect, it } from 'vitest';
import { en } from '../../i18n/en/index.ts';
import { fr } from '../../i18n/fr/index.ts';
import {
  CATALOGS,
  LANGS,
  LangError,
  num,
  parseAcceptLanguage,
  percent,
  resolveLang,
  t,
  tMaybe,
} from '../../i18n/index.ts';
import type { Message } from '../../i18n/types.ts';

const texts = (m: Message): string[] => (typeof m === 'string' ? [m] : Object.values(m));
const placeholders = (m: Message): string[] =>
  [...new Set(texts(m).flatMap((s) => [...s.matchAll(/\{(\w+)\}/g)].map((x) => x[1]!)))].sort();

describe('catalogs', () => {
  const keys = Object.keys(en).sort();

  it('French has exactly the English keys', () => {
    expect(Object.keys(fr).sort()).toEqual(keys);
    for (const lang of LANGS) expect(Object.keys(CATALOGS[lang]).sort()).toEqual(keys);
  });

  it('every message has the same placeholders and kind in both languages', () => {
    const differ = keys.filter((k) => {
      const a = en[k as keyof typeof en] as Message;
      const b = fr[k as keyof typeof fr];
      return (
        typeof a !== typeof b || JSON.stringify(placeholders(a)) !== JSON.stringify(placeholders(b))
      );
    });
    expect(differ).toEqual([]);
  });

  it('no message is empty, every plural has its other form', () => {
    for (const lang of LANGS)
      for (const [k, m] of Object.entries(CATALOGS[lang])) {
        expect(
          texts(m).every((s) => s.trim() !== ''),
          `${lang} ${k}`,
        ).toBe(true);
        if (typeof m !== 'string') expect(m.other, `${lang} ${k}`).toBeTruthy();
      }
  });

  it('sentences are translated, not copied', () => {
    // units and symbols may be the same word in both languages; a sentence may not
    const copied = keys.filter((k) => {
      const a = texts(en[k as keyof typeof en] as Message);
      return (
        a.some((s) => (s.replace(/\{\w+\}/g, '').match(/\p{L}{2,}/gu) ?? []).length >= 3) &&
        JSON.stringify(a) === JSON.stringify(texts(fr[k as keyof typeof fr]))
      );
    });
    expect(copied).toEqual([]);
  });
});

describe('t()', () => {
  it('fills placeholders and writes numbers the language’s way', () => {
    expect(t('en', 'controller.vendor', { id: 'acme' })).toBe('Vendor controller acme');
    expect(t('fr', 'controller.builtin.actuated')).toBe('Régulation sur détecteurs (intégrée)');
    expect(t('en', 'unit.s', { value: 24.25 })).toBe('24.3 s');
    expect(t('fr', 'unit.s', { value: 24.25 })).toBe('24,3 s');
    expect(num('fr', 1234.5)).toBe('1\u202f234,5');
    expect(num('en', 1234.5)).toBe('1,234.5');
    expect(percent('fr', 0.18)).toBe('18\u00a0%');
    expect(percent('en', 0.18)).toBe('18%');
  });

  it('chooses plural forms by each language’s rules', () => {
    expect(t('fr', 'report.runs', { count: 0 })).toBe('aucun passage');
    expect(t('fr', 'report.runs', { count: 1 })).toBe('1 passage');
    expect(t('fr', 'report.runs', { count: 1500 })).toBe('1\u202f500 passages');
    expect(t('en', 'report.runs', { count: 1 })).toBe('1 run');
    expect(t('en', 'report.runs', { count: 2 })).toBe('2 runs');
  });

  it('tMaybe() looks up keys computed at run time', () => {
    expect(tMaybe('fr', 'controller.builtin.sotl')).toBe('Auto-organisé (SOTL, intégré)');
    expect(tMaybe('fr', 'controller.builtin.nope')).toBeUndefined();
  });
});

describe('resolveLang', () => {
  it('--lang first, then OPENPHASE_LANG, then the locale, then the browser, then English', () => {
    expect(resolveLang({ flag: 'fr', env: { OPENPHASE_LANG: 'en' } })).toBe('fr');
    expect(resolveLang({ env: { OPENPHASE_LANG: 'fr', LANG: 'en_US.UTF-8' } })).toBe('fr');
    expect(resolveLang({ env: { LANG: 'fr_FR.UTF-8' } })).toBe('fr');
    expect(resolveLang({ env: { LC_ALL: 'en_GB.UTF-8', LANG: 'fr_FR.UTF-8' } })).toBe('en');
    expect(resolveLang({ env: { LANG: 'C.UTF-8' } })).toBe('en');
    expect(resolveLang({ accept: 'de-DE, fr-CH;q=0.9, en;q=0.8' })).toBe('fr');
    expect(resolveLang({ accept: ['fr-CA', 'en-US'] })).toBe('fr');
    expect(resolveLang({ accept: 'de, es' })).toBe('en');
    expect(resolveLang({})).toBe('en');
  });

  it('refuses an unknown --lang or OPENPHASE_LANG with a clear error', () => {
    expect(() => resolveLang({ flag: 'de' })).toThrow(LangError);
    expect(() => resolveLang({ flag: 'de' })).toThrow("--lang must be one of en, fr, got 'de'");
    expect(() => resolveLang({ env: { OPENPHASE_LANG: 'xx' } })).toThrow(/OPENPHASE_LANG/);
  });

  it('parses Accept-Language by quality, ignoring q=0 and *', () => {
    expect(parseAcceptLanguage('de;q=0.5, fr-CH, en;q=0.9, *;q=0.1, it;q=0')).toEqual([
      'fr-CH',
      'en',
      'de',
    ]);
    expect(parseAcceptLanguage(undefined)).toEqual([]);
    expect(parseAcceptLanguage(';;,q=')).toEqual([]);
  });
});
