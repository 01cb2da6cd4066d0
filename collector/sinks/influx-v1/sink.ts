/**
 * InfluxDB 1.x sink, also InfluxDB 2.x/3.x through their v1-compatible `/write` endpoint.
 * Uses the `influx` package's HTTP pool for the requests (keep-alive, basic auth, timeouts) but
 * encodes the points itself (../line-encoder.ts: cached series keys) rather than through the
 * package's own point serializer, so every line-protocol sink writes byte-identical lines. The pool's own retries and host back-off are turned
 * off: retry belongs to the framework.
 */
import { InfluxDB } from 'influx';
import { Pool, RequestError } from 'influx/lib/src/pool.js';
import { createLineEncoder } from '../line-encoder.ts';
import { kindOfStatus, type Sink, SinkError } from '../types.ts';

export interface InfluxV1Options {
  /** e.g. http://127.0.0.1:8086 */
  url: string;
  database: string;
  username?: string;
  password?: string;
  retentionPolicy?: string;
  /** per-request timeout, ms (default 10,000) */
  timeoutMs?: number;
  /**
   * run `CREATE DATABASE` (idempotent) before the first write and after a 404 (default false:
   * a missing database is a configuration fault — a typo must not create a new one)
   */
  createDatabase?: boolean;
}

/** A back-off that never takes the single host out of the pool; the framework backs off. */
const noBackoff = {
  getDelay: () => 0,
  next() {
    return noBackoff;
  },
  reset() {
    return noBackoff;
  },
};

export function statusOf(e: unknown): number | undefined {
  if (e instanceof RequestError) return e.res?.statusCode;
  return undefined;
}

/** Builds the `influx` client for the same server (queries, database creation). */
export function influxClient(opts: InfluxV1Options): InfluxDB {
  const u = new URL(opts.url);
  return new InfluxDB({
    host: u.hostname,
    port: Number(u.port || (u.protocol === 'https:' ? 443 : 8086)),
    protocol: u.protocol === 'https:' ? 'https' : 'http',
    database: opts.database,
    username: opts.username,
    password: opts.password,
    pool: { maxRetries: 0, requestTimeout: opts.timeoutMs ?? 10_000, backoff: noBackoff },
  });
}

/**
 * @example createInfluxV1Sink({ url: 'http://127.0.0.1:8086', database: 'openphase' })
 */
export function createInfluxV1Sink(opts: InfluxV1Options): Sink {
  const pool = new Pool({
    maxRetries: 0,
    requestTimeout: opts.timeoutMs ?? 10_000,
    backoff: noBackoff,
  });
  pool.addHost(opts.url.replace(/\/+$/, ''));
  const client = influxClient(opts);
  const auth = opts.username !== undefined ? `${opts.username}:${opts.password ?? ''}` : undefined;
  const create = opts.createDatabase === true;
  let dbReady = !create;
  const missing = () =>
    `InfluxDB at ${opts.url.replace(/\/\/[^@/]*@/, '//')} has no database '${opts.database}': ` +
    `create it (CREATE DATABASE "${opts.database}") or start the collector with --create-db`;
  const encoder = createLineEncoder();

  async function ensureDatabase() {
    if (dbReady) return;
    try {
      await client.createDatabase(opts.database);
      dbReady = true;
    } catch (e) {
      throw classify(e, 'create database');
    }
  }

  return {
    name: 'influx-v1',
    /** A missing database fails the start, in words; an unreachable server does not (spool). */
    async ready() {
      if (create) return;
      let names: string[];
      try {
        names = await client.getDatabaseNames();
      } catch {
        return; // down or not allowed to list: writes will say more, and the spool holds the data
      }
      if (!names.includes(opts.database)) throw new SinkError(missing(), 'permanent', 404);
    },
    async write(points) {
      if (points.length === 0) return;
      const body = encoder.body(points);
      if (body.length === 0) return;
      await ensureDatabase();
      try {
        await pool.discard({
          method: 'POST',
          path: '/write',
          query: { db: opts.database, precision: 'ns', rp: opts.retentionPolicy },
          // The pool's types say string; it writes any body `req.write` takes (a Buffer here).
          body: body as unknown as string,
          auth,
        });
      } catch (e) {
        if (statusOf(e) === 404) {
          if (create) dbReady = false;
          else throw new SinkError(missing(), 'retryable', 404);
        }
        throw classify(e, 'write');
      }
    },
  };
}

function classify(e: unknown, what: string): SinkError {
  const status = statusOf(e);
  const message = `influx-v1 ${what}: ${(e as Error).message ?? String(e)}`;
  if (status !== undefined) return new SinkError(message, kindOfStatus(status), status);
  return new SinkError(message, 'retryable');
}
