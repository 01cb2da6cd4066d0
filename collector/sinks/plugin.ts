/**
 * What a sink folder exports: a {@link SinkPlugin}: its name, its options (from which the CLI
 * derives its flags and environment variables), its factory and, when it can answer counts
 * queries, its reader. collector/sinks/registry.ts lists them, one line each.
 */
import type { HistoryReader } from '../history.ts';
import type { CountsReader } from '../window.ts';
import type { Sink } from './types.ts';

/** One option of a sink: a key of its options object, and how a command line gives it. */
export interface SinkOptionSpec {
  /** the key in the sink's options object */
  key: string;
  /** the long flag without dashes, e.g. `influx-url`; sinks may share one (same key and meaning) */
  flag: string;
  /** placeholder in help, e.g. `url` (not for a boolean) */
  arg?: string;
  /** environment variable that gives it when the flag is absent */
  env?: string;
  description: string;
  /** the sink cannot work without it */
  required?: boolean;
  /** used when neither flag nor environment gives it */
  default?: string;
  /** giving it picks this sink (when no `--sink` names one) */
  selects?: boolean;
  /** `integer` options are parsed and checked, `boolean` ones are flags without a value; default `string` */
  type?: 'string' | 'integer' | 'boolean';
  /** a secret: help says to prefer the environment, and it is never logged */
  secret?: boolean;
}

export interface SinkPlugin<K extends string = string, O = never> {
  kind: K;
  /** one line for help and docs */
  summary: string;
  options: readonly SinkOptionSpec[];
  /** the sink chosen when no option of another sink is given (exactly one: the embedded store) */
  fallback?: boolean;
  /**
   * The sink only encodes points as line protocol and never reads their parts, so the collector
   * hands it counts kept as their lines (collector/counts-lines.ts), which it copies as they are.
   * Absent: points with their parts (a `LinePoint` would parse its line on every read).
   */
  takesLines?: boolean;
  create(options: O): Sink;
  /** a reader of the counts this sink holds (absent: counts queries say they are not supported) */
  reader?(options: O, sink: Sink): CountsReader;
  /** a reader of the stored counts per detector and time bin, for `openphase scenario from-store` */
  history?(options: O): HistoryReader;
  /**
   * Where it writes, as one stable line without credentials (`influx-v1 http://h:8086 db=x`):
   * the log line, and the key of the collector's default spool directory, so one sink's spooled
   * batches never replay into another.
   */
  identity(options: O): string;
  /** Where it writes, in an operator's words, without credentials (`InfluxDB http://h:8086 database x`). */
  describe(options: O): string;
}

/** Declares a plugin with its options type inferred from `create`. */
export const defineSink = <K extends string, O>(p: SinkPlugin<K, O>): SinkPlugin<K, O> => p;

/** Scheme, host, port and path of a URL (user, password and query left out). */
export function origin(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return url;
  }
}
