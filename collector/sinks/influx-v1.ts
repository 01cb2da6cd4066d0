/**
 * InfluxDB 1.x sink, also InfluxDB 2.x/3.x through their v1-compatible `/write` endpoint.
 * Uses the `influx` package's HTTP pool for the requests (keep-alive, basic auth, timeouts) but
 * sends the lines of our one encoder rather than the package's own point serializer, so every
 * sink writes byte-identical line protocol. The pool's own retries and host back-off are turned
 * off: retry belongs to the framework.
 */
import { InfluxDB } from 'influx';
import { Pool, RequestError } from 'influx/lib/src/pool.js';
import { kindOfStatus, type Sink, SinkError } from './types.ts';

export interface InfluxV1Options {
  /** e.g. http://127.0.0.1:8086 */
  url: string;
  database: string;
  username?: string;
  password?: string;
  retentionPolicy?: string;
  /** per-request timeout, ms (default 10,000) */
  timeoutMs?: number;
  /** run `CREATE DATABASE` (idempotent) before the first write and after a 404 (default true) */
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
  let dbReady = opts.createDatabase === false;

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
    async write(points) {
      if (points.length === 0) return;
      await ensureDatabase();
      try {
        await pool.discard({
          method: 'POST',
          path: '/write',
          query: { db: opts.database, precision: 'ns', rp: opts.retentionPolicy },
          body: points.join('\n'),
          auth,
        });
      } catch (e) {
        if (statusOf(e) === 404 && opts.createDatabase !== false) dbReady = false;
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
