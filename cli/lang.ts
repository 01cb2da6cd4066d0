/**
 * The language of this CLI process: `--lang` on any command, else OPENPHASE_LANG or the
 * locale (i18n/lang.ts). main.ts adds the option to every command and sets it before the
 * action runs; commands read it with cliLang().
 */
import { type Command, Option } from 'commander';
import { LANGS, type Lang, resolveLang, t } from '../i18n/index.ts';

let current: Lang | undefined;

/** The language messages and reports are written in. */
export function cliLang(): Lang {
  current ??= resolveLang({ env: process.env });
  return current;
}

/** Sets the language from `--lang` (or the environment when absent); throws LangError. */
export function setCliLang(flag: string | undefined): Lang {
  current = resolveLang({ flag, env: process.env });
  return current;
}

/** `--lang` given anywhere in raw arguments, before commander parses them. */
export function langInArgs(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return undefined;
    if (a === '--lang') return argv[i + 1];
    if (a.startsWith('--lang=')) return a.slice('--lang='.length);
  }
  return undefined;
}

/** The `--lang` option; main.ts adds it to every command that does not declare it itself. */
export const langOption = (): Option =>
  new Option('--lang <lang>', t(cliLang(), 'cli.option.lang')).choices([...LANGS]);

/** Adds `--lang` to every command that runs an action (the leaves), and applies it. */
export function addLangOption(cmd: Command): void {
  const leaves = (c: Command): Command[] =>
    c.commands.length === 0 ? [c] : c.commands.flatMap((s) => leaves(s));
  for (const leaf of leaves(cmd)) {
    if (leaf.options.some((o) => o.long === '--lang')) continue;
    leaf.addOption(langOption());
  }
  cmd.hook('preAction', (_root, action) => {
    setCliLang(action.opts<{ lang?: string }>().lang);
  });
}
