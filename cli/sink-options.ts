/**
 * Sink flags derived from the sinks' option specs (collector/sinks/*\/index.ts): every command
 * that writes to a sink (`collector`, `demo`) gets the same flags, environment variables and
 * choosing rules, and a new sink's options appear without editing a command.
 */
import { type Command, Option } from 'commander';
import type { GivenOptions } from '../collector/sinks/choose.ts';
import { chooseSink, SINKS, type SinkOptions } from '../collector/sinks/registry.ts';
import {
  refusedSecretOption,
  resolveSecret,
  type SecretSpec,
  secretFileOption,
} from './secrets.ts';

const camel = (flag: string) => flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

/** Every sink flag once (sinks may share one, e.g. `--influx-url`), in registry order. */
function sinkFlags(except: readonly string[]) {
  const seen = new Map<
    string,
    { spec: (typeof SINKS)[number]['options'][number]; kinds: string[] }
  >();
  for (const p of SINKS) {
    for (const o of p.options) {
      if (except.includes(o.flag)) continue;
      const e = seen.get(o.flag);
      if (e) e.kinds.push(p.kind);
      else seen.set(o.flag, { spec: o, kinds: [p.kind] });
    }
  }
  return [...seen.values()];
}

/**
 * Adds `--sink` and every sink's flags to `cmd` (no commander defaults: the chooser applies the
 * specs' defaults, so "given" means given).
 * @example addSinkOptions(new Command('collector'))
 */
export function addSinkOptions(cmd: Command, except: readonly string[] = []): Command {
  cmd.addOption(
    new Option('--sink <name>', 'the sink (default: chosen by the options given, see below)')
      .choices(SINKS.map((p) => p.kind))
      .env('OPENPHASE_SINK'),
  );
  for (const { spec, kinds } of sinkFlags(except)) {
    if (spec.secret) {
      // never a command-line value: `--X-file FILE` or the environment (./secrets.ts)
      const s: SecretSpec = {
        flag: `--${spec.flag}`,
        env: spec.env ?? '',
        what: `the ${spec.description} (${kinds.join(', ')})`,
      };
      cmd.addOption(secretFileOption(s));
      cmd.addOption(refusedSecretOption(s));
      cmd.hook('preAction', resolveSecret(s));
      continue;
    }
    const head =
      spec.type === 'boolean' ? `--${spec.flag}` : `--${spec.flag} <${spec.arg ?? 'value'}>`;
    const notes = [kinds.join(', '), spec.default !== undefined ? `default: ${spec.default}` : ''];
    const opt = new Option(head, `${spec.description} (${notes.filter(Boolean).join('; ')})`);
    if (spec.env) opt.env(spec.env);
    cmd.addOption(opt);
  }
  return cmd;
}

/** The sink flags the user gave (flag or environment), by flag name. */
export function givenSinkOptions(cmd: Command, except: readonly string[] = []): GivenOptions {
  const given: Record<string, string | boolean | undefined> = {};
  for (const { spec } of sinkFlags(except)) {
    const v = cmd.getOptionValue(camel(spec.flag)) as string | boolean | undefined;
    if (v !== undefined) given[spec.flag] = v;
  }
  return given;
}

/**
 * The sink the command's flags choose; `defaults` replace spec defaults (the demo keeps its
 * store under its own `--data-dir`). Throws in plain words.
 */
export function sinkFromCommand(
  cmd: Command,
  except: readonly string[] = [],
  defaults: GivenOptions = {},
): SinkOptions {
  const kind = cmd.getOptionValue('sink') as string | undefined;
  return chooseSink(givenSinkOptions(cmd, except), kind, defaults);
}

/** Help text: how the sink is chosen, from the specs. */
export function sinkHelp(): string {
  const lines = ['', 'Sinks (--sink NAME, or chosen by the options given):'];
  for (const p of SINKS) {
    const picks = p.options
      .filter((o) => o.selects)
      .map((o) => (o.secret ? `--${o.flag}-file` : `--${o.flag}`));
    const how = p.fallback ? 'when no other sink is chosen' : `chosen by ${picks.join('/')}`;
    lines.push(`  ${p.kind.padEnd(10)} ${p.summary}; ${how}`);
  }
  return lines.join('\n');
}
