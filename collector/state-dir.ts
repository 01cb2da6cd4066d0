/**
 * Where the collector keeps its state (spool, dead letters, learned configs) when not told:
 * per user, keyed by the sink — never a directory relative to wherever it was started, so one
 * run's leftovers cannot replay into another run's database.
 *
 * - `$XDG_STATE_HOME/openphase` (default `~/.local/state/openphase`) for a user;
 * - `/var/lib/openphase` for a service (`--service` or `OPENPHASE_SERVICE=1`; systemd's
 *   `StateDirectory=openphase` makes it);
 * - under it, `spool/{sink key}`: the sink kind, host, port and database (or bucket, or store
 *   directory) and a short hash of them — no credentials.
 */
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { type SinkOptions, sinkPlugin } from './sinks/registry.ts';

/**
 * The sink a spool belongs to, as one line without credentials: `influx-v1 http://h:8086 db=x`
 * (each sink's `identity`, collector/sinks/NAME/index.ts).
 */
export function sinkIdentity(sink: SinkOptions): string {
  return sinkPlugin(sink.kind).identity(sink);
}

/** A directory name for the sink: readable, and unique by the hash. */
export function sinkKey(sink: SinkOptions): string {
  const id = sinkIdentity(sink);
  const hash = createHash('sha256').update(id).digest('hex').slice(0, 10);
  const readable = id
    .replace(/^(\S+) \w+:\/\//, '$1 ')
    .replace(/[^A-Za-z0-9.-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 80);
  return `${readable}-${hash}`;
}

export interface StateRootOptions {
  /** run as a service: /var/lib/openphase */
  service?: boolean;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

/** The state root: service, or the user's XDG state directory. */
export function stateRoot(o: StateRootOptions = {}): string {
  const env = o.env ?? process.env;
  if (o.service || env.OPENPHASE_SERVICE === '1') return '/var/lib/openphase';
  const xdg = env.XDG_STATE_HOME;
  // [XDG Base Directory] a relative XDG_STATE_HOME is invalid and must be ignored
  const base = xdg?.startsWith('/') ? xdg : join(o.home ?? homedir(), '.local', 'state');
  return join(base, 'openphase');
}

/** The default spool directory for a sink. */
export function defaultSpoolDir(sink: SinkOptions, o: StateRootOptions = {}): string {
  return join(stateRoot(o), 'spool', sinkKey(sink));
}
