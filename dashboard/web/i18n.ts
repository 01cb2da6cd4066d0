/**
 * The page's language: the visitor's choice (the switch, kept in localStorage), else the
 * browser's languages, else English. Static texts carry `data-i18n` (text), `data-i18n-aria`
 * (aria-label) keys and are filled here; dynamic parts re-render on a change through
 * onLangChange().
 */
import {
  isLang,
  LANGS,
  type Lang,
  type MessageKey,
  type ParamsOf,
  resolveLang,
  t,
  tMaybe,
} from '../../i18n/index.ts';

const KEY = 'openphase.lang';
const listeners: (() => void)[] = [];

function initial(): Lang {
  const chosen = localStorage.getItem(KEY);
  return isLang(chosen) ? chosen : resolveLang({ accept: navigator.languages });
}

let lang: Lang = initial();

export const pageLang = (): Lang => lang;

/** t() in the page's current language. */
export const tr = <K extends MessageKey>(key: K, ...params: ParamsOf<K>): string =>
  t(lang, key, ...params);

/** Fills every `data-i18n` / `data-i18n-aria` element under `root` in the current language. */
export function applyStatic(root: ParentNode = document): void {
  document.documentElement.lang = lang;
  for (const e of root.querySelectorAll<HTMLElement>('[data-i18n]')) {
    const text = tMaybe(lang, e.dataset.i18n ?? '');
    if (text !== undefined) e.textContent = text;
  }
  for (const e of root.querySelectorAll<HTMLElement>('[data-i18n-aria]')) {
    const text = tMaybe(lang, e.dataset.i18nAria ?? '');
    if (text !== undefined) e.setAttribute('aria-label', text);
  }
}

export function onLangChange(f: () => void): void {
  listeners.push(f);
}

export function setPageLang(next: Lang): void {
  lang = next;
  localStorage.setItem(KEY, next);
  applyStatic();
  for (const f of listeners) f();
}

/** The language switch in the header: one option per language, named in its own language. */
export function mountSwitch(select: HTMLSelectElement): void {
  select.replaceChildren(
    ...LANGS.map((l) => {
      const o = document.createElement('option');
      o.value = l;
      o.textContent = t(l, 'lang.name');
      return o;
    }),
  );
  select.value = lang;
  select.addEventListener('change', () => {
    if (isLang(select.value)) setPageLang(select.value);
  });
}
