/**
 * Secrets (passwords, tokens) never come from a command-line value: every user of the machine
 * can read a process's arguments (`ps`, /proc/PID/cmdline). A command that needs one takes
 * `--NAME-file FILE` (first line; `/dev/stdin` reads standard input) or the environment variable;
 * the file wins. The old `--NAME VALUE` form is refused with a message that does not repeat it.
 * After parsing, the secret is in the command's options under the old name, so actions read
 * `opts.password` as before. In a command: `.addOption(secretFileOption(S))`,
 * `.addOption(refusedSecretOption(S))`, `.hook('preAction', resolveSecret(S))`.
 */
import { type Command, Option } from 'commander';
import { readArgFile } from './args.ts';

export interface SecretSpec {
  /** e.g. `--password`: the option value name the action reads, and the prefix of `-file` */
  flag: string;
  /** environment variable holding the secret itself, e.g. OPENPHASE_MQTT_PASSWORD */
  env: string;
  /** what it is, for --help: "the MQTT password" */
  what: string;
}

const REFUSED = Symbol('secret on the command line');
const camel = (flag: string) =>
  flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());

/** First line of `file`, else $env, else undefined (an empty variable counts as unset). */
export function readSecret(
  file: string | undefined,
  env: string,
  flag = '--password-file',
): string | undefined {
  if (file) return readArgFile(flag, file).split(/\r?\n/)[0] ?? '';
  return process.env[env] || undefined;
}

/** `--X-file FILE` (env X_FILE): where the secret comes from, said in --help. */
export function secretFileOption(s: SecretSpec): Option {
  return new Option(
    `${s.flag}-file <file>`,
    `file holding ${s.what} (first line; /dev/stdin reads standard input); else $${s.env}. ` +
      'Never a command-line value: ps shows arguments to every user',
  ).env(`${s.env}_FILE`);
}

/** The old `--X VALUE`, hidden: accepted by the parser only to be refused by `resolveSecret`. */
export function refusedSecretOption(s: SecretSpec): Option {
  return new Option(`${s.flag} <value>`).hideHelp().argParser((): typeof REFUSED => REFUSED);
}

/** A preAction hook: refuses `--X VALUE`, then puts the secret (file or env) in option `x`. */
export function resolveSecret(s: SecretSpec): (c: Command) => void {
  return (c) => {
    if (c.getOptionValue(camel(s.flag)) === REFUSED) {
      throw new Error(
        `${s.flag} takes no value on the command line (every user can read it with ps); ` +
          `use ${s.flag}-file FILE or the environment variable ${s.env}`,
      );
    }
    c.setOptionValue(
      camel(s.flag),
      readSecret(c.getOptionValue(camel(`${s.flag}-file`)), s.env, `${s.flag}-file`),
    );
  };
}

export const MQTT_PASSWORD: SecretSpec = {
  flag: '--password',
  env: 'OPENPHASE_MQTT_PASSWORD',
  what: 'the MQTT password',
};
export const INFLUX_PASSWORD: SecretSpec = {
  flag: '--influx-password',
  env: 'INFLUX_PASSWORD',
  what: 'the InfluxDB 1.x password',
};
export const INFLUX_TOKEN: SecretSpec = {
  flag: '--influx-token',
  env: 'INFLUX_TOKEN',
  what: 'the InfluxDB 2.x/3.x token',
};
