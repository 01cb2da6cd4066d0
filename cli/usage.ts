/**
 * Usage errors the same way for every command: one line, `openphase <command>: …`, in the
 * CLI's language, and a mistyped flag named before a required one is said to be missing.
 *
 * Commander checks required options before unknown ones, so `--intersectoin r1` used to read
 * "required option '--intersection <id>' not specified". Here required options are checked
 * in a preAction hook instead, which commander runs after its unknown-option check.
 */
import type { Command, Option } from 'commander';
import { type Lang, t } from '../i18n/index.ts';

const chain = (cmd: Command): Command[] => (cmd.parent ? [...chain(cmd.parent), cmd] : [cmd]);
const tree = (cmd: Command): Command[] => [cmd, ...cmd.commands.flatMap(tree)];
/** `openphase devices add`: the root is already named `openphase devices` by main.ts. */
const commandLine = (cmd: Command): string =>
  chain(cmd)
    .map((c) => c.name())
    .join(' ');

/**
 * Commander's English usage error (`error: unknown option '--x'\n(Did you mean --y?)`) as one
 * line in `lang`; a message of another shape is kept, on one line.
 */
export function usageLine(lang: Lang, command: string, text: string): string {
  const [head = '', ...rest] = text
    .trim()
    .replace(/^error: /, '')
    .split('\n');
  const meant = rest.join(' ').match(/^\(Did you mean (?:one of )?(.+)\?\)$/)?.[1];
  const hint = meant ? t(lang, 'usage.didYouMean', { name: meant }) : '';
  const either = "(?:option|environment variable) '(.+)'";
  // commander 14's messages (lib/command.js), each to its catalog entry
  const shapes: [RegExp, (m: string[]) => string][] = [
    [
      /^unknown option '(.+)'$/,
      ([, flag = '']) => t(lang, 'usage.unknownOption', { command, flag, hint }),
    ],
    [
      /^unknown command '(.+)'$/,
      ([, name = '']) => t(lang, 'usage.unknownCommand', { command, name, hint }),
    ],
    [
      /^required option '(.+)' not specified$/,
      ([, flag = '']) => t(lang, 'usage.required', { command, flag }),
    ],
    [
      /^option '(.+)' argument missing$/,
      ([, flag = '']) => t(lang, 'usage.argumentMissing', { command, flag }),
    ],
    [
      /^option '(.+)' argument '(.*)' is invalid\. Allowed choices are (.+)\.$/,
      ([, flag = '', value = '', choices = '']) =>
        t(lang, 'usage.choice', { command, flag, value, choices }),
    ],
    [
      /^missing required argument '(.+)'$/,
      ([, name = '']) => t(lang, 'usage.missingArgument', { command, name }),
    ],
    [
      /^too many arguments.*Expected (\d+) arguments? but got (\d+)\.$/,
      ([, expected = '', got = '']) => t(lang, 'usage.tooMany', { command, expected, got }),
    ],
    [
      new RegExp(`^${either} cannot be used with ${either}$`),
      ([, first = '', second = '']) => t(lang, 'usage.conflict', { command, first, second }),
    ],
  ];
  for (const [shape, say] of shapes) {
    const m = head.match(shape);
    if (m) return say([...m]);
  }
  return `${command}: ${[head, ...rest].join(' ')}`;
}

/**
 * Applies the rules above to `root` and all its subcommands; errors then throw (exitOverride)
 * for main.ts to turn into an exit code.
 */
export function strictUsage(root: Command, lang: () => Lang): void {
  const required = new Set<Option>();
  for (const cmd of tree(root)) {
    cmd.exitOverride();
    cmd.configureOutput({
      outputError: (text, write) => write(`${usageLine(lang(), commandLine(cmd), text)}\n`),
    });
    for (const o of cmd.options) {
      if (!o.mandatory) continue;
      o.mandatory = false;
      required.add(o);
    }
  }
  // after commander's unknown-option and argument checks; a subcommand's own hooks run after
  // this one, a command without subcommands runs its own first (they only read secret files)
  root.hook('preAction', (_root, action) => {
    for (const cmd of chain(action)) {
      for (const o of cmd.options) {
        if (required.has(o) && cmd.getOptionValue(o.attributeName()) === undefined) {
          cmd.error(`error: required option '${o.flags}' not specified`, {
            code: 'commander.missingMandatoryOptionValue',
          });
        }
      }
    }
  });
}
