/**
 * Which sink, with which options, from what a command line or environment gave (pure): the
 * sink `--sink` names, else the one whose selecting option is given (`--influx-db` → influx-v1,
 * `--influx-token`/`--influx-org`/`--influx-bucket` → influx-v2), else the fallback (the embedded
 * store). Refuses in plain words: two sinks' options at once, an option the chosen sink does
 * not take (unless it has a default), a required option missing, an integer that is not one.
 */
import type { SinkOptionSpec, SinkPlugin } from './plugin.ts';

/** Values by flag (without dashes), only those given; booleans for flags without a value. */
export type GivenOptions = Readonly<Record<string, string | boolean | undefined>>;

// biome-ignore lint/suspicious/noExplicitAny: plugins of any options type
type AnyPlugin = SinkPlugin<string, any>;

/** How a user gives these options: a secret by its file or its variable, never a value. */
const flagList = (specs: readonly SinkOptionSpec[]) =>
  specs.map((o) => (o.secret ? `--${o.flag}-file (or ${o.env})` : `--${o.flag}`)).join(', ');

/** @example chooseSinkOf(SINKS, { 'influx-url': 'http://127.0.0.1:8086', 'influx-db': 'openphase' }) */
export function chooseSinkOf<P extends AnyPlugin>(
  plugins: readonly P[],
  given: GivenOptions,
  kind?: string,
  /** replace the specs' defaults (a caller that keeps the store elsewhere) */
  defaults: GivenOptions = {},
): { kind: string } & Record<string, unknown> {
  const defaultOf = (o: SinkOptionSpec) => defaults[o.flag] ?? o.default;
  const isGiven = (o: SinkOptionSpec) => given[o.flag] !== undefined && given[o.flag] !== false;
  let chosen: P | undefined;
  if (kind !== undefined) {
    chosen = plugins.find((p) => p.kind === kind);
    if (!chosen) {
      throw new Error(`unknown sink '${kind}' (known: ${plugins.map((p) => p.kind).join(', ')})`);
    }
  } else {
    const selected = plugins.filter((p) => p.options.some((o) => o.selects && isGiven(o)));
    if (selected.length > 1) {
      throw new Error(
        `options of several sinks given (${selected.map((p) => p.kind).join(', ')}): give one sink's options, or name it with --sink`,
      );
    }
    chosen = selected[0] ?? plugins.find((p) => p.fallback);
    if (!chosen) throw new Error('no sink chosen: name one with --sink');
  }
  const own = new Set(chosen.options.map((o) => o.flag));
  // Another sink's option is an error (it would be silently unused), except one with a default:
  // a setting like the store directory may stay in an environment file when the sink changes.
  const foreign = [...new Set(plugins.flatMap((p) => p.options))].filter(
    (o) => !own.has(o.flag) && isGiven(o) && o.default === undefined,
  );
  if (foreign.length > 0) {
    const flags = [...new Set(foreign.map((o) => `--${o.flag}`))];
    const pickers = plugins
      .filter((p) => p !== chosen && p.options.some((o) => o.selects))
      .map((p) => `${flagList(p.options.filter((o) => o.selects))} (${p.kind})`);
    throw new Error(
      `${flags.join(', ')} ${flags.length > 1 ? 'do' : 'does'} not apply to the ${chosen.kind} sink` +
        (pickers.length > 0 ? `; to choose another sink give ${pickers.join(' or ')}` : ''),
    );
  }
  const missing = chosen.options.filter(
    (o) => o.required && !isGiven(o) && o.default === undefined,
  );
  if (missing.length > 0) {
    throw new Error(`the ${chosen.kind} sink needs ${flagList(missing)}`);
  }
  const options: Record<string, unknown> = { kind: chosen.kind };
  for (const o of chosen.options) {
    const v = given[o.flag] ?? defaultOf(o);
    if (v === undefined) continue;
    options[o.key] = optionValue(o, v);
  }
  return options as { kind: string } & Record<string, unknown>;
}

function optionValue(o: SinkOptionSpec, v: string | boolean): string | number | boolean {
  switch (o.type ?? 'string') {
    case 'boolean':
      return v === true || v === 'true' || v === '1';
    case 'integer': {
      const n = Number(v);
      if (!Number.isSafeInteger(n)) throw new Error(`--${o.flag} must be an integer`);
      return n;
    }
    default:
      return String(v);
  }
}
