/**
 * The sinks, by name. Adding a sink: a folder beside the others (its code, README.md,
 * sample.env, options and reader, exported as a `SinkPlugin` from its index.ts), one line in
 * ./all.ts, and a `runSinkContract` run in tests/ (a test fails for a sink without one).
 */
import type { HistoryReader } from '../history.ts';
import type { CountsReader } from '../window.ts';
import * as all from './all.ts';
import { chooseSinkOf, type GivenOptions } from './choose.ts';
import type { SinkPlugin } from './plugin.ts';
import type { Sink } from './types.ts';

type Registered = (typeof all)[keyof typeof all];
export type SinkKind = Registered['kind'];
type OptionsOf<P> = P extends SinkPlugin<infer K, infer O> ? { kind: K } & O : never;
/** A sink's options, tagged with its kind: `{ kind: 'embedded', dir: 'data/points' }`. */
export type SinkOptions = OptionsOf<Registered>;

// biome-ignore lint/suspicious/noExplicitAny: the registry holds plugins of every options type
type AnyPlugin = SinkPlugin<SinkKind, any>;

/** Every registered sink, by name order. */
export const SINKS: readonly AnyPlugin[] = Object.values(all).sort((a, b) =>
  a.kind.localeCompare(b.kind),
);

export function sinkPlugin(kind: string): AnyPlugin {
  const p = SINKS.find((s) => s.kind === kind);
  if (!p) throw new Error(`unknown sink '${kind}' (known: ${SINKS.map((s) => s.kind).join(', ')})`);
  return p;
}

/** @example createSink({ kind: 'embedded', dir: 'data/points' }) */
export function createSink(o: SinkOptions): Sink {
  return sinkPlugin(o.kind).create(o);
}

/** The counts reader that matches a sink (its plugin's), or one that says there is none. */
export function readerFor(o: SinkOptions, sink: Sink): CountsReader {
  const p = sinkPlugin(o.kind);
  if (p.reader) return p.reader(o, sink);
  return {
    async queryCounts() {
      const with_ = SINKS.filter((s) => s.reader).map((s) => s.kind);
      throw new Error(
        `counts queries are implemented for ${with_.join(', ')}, not yet for ${o.kind}`,
      );
    },
  };
}

/** The history reader of the store a sink writes to; throws in words when it has none. */
export function historyFor(o: SinkOptions): HistoryReader {
  const p = sinkPlugin(o.kind);
  if (!p.history) {
    const with_ = SINKS.filter((s) => s.history).map((s) => s.kind);
    throw new Error(
      `reading stored counts back is implemented for ${with_.join(', ')}, not for ${o.kind}`,
    );
  }
  return p.history(o);
}

/** Where a sink writes, for a log line (no secret): its identity. */
export const sinkWhere = (o: SinkOptions): string => sinkPlugin(o.kind).identity(o);
/** Where a sink writes, in an operator's words (for banners and help). */
export const sinkDescription = (o: SinkOptions): string => sinkPlugin(o.kind).describe(o);

/**
 * The sink and its options from flag values (see ./choose.ts); throws in plain words.
 * @example chooseSink({ 'influx-url': 'http://127.0.0.1:8086', 'influx-db': 'openphase' })
 */
export function chooseSink(
  given: GivenOptions,
  kind?: string,
  defaults: GivenOptions = {},
): SinkOptions {
  return chooseSinkOf(SINKS, given, kind, defaults) as unknown as SinkOptions;
}
