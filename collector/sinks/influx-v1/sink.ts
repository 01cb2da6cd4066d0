/**
 * InfluxDB 1.x sink, also InfluxDB 2.x/3.x through their v1-compatible `/write` endpoint.
 * Encodes the points itself (../line-encoder.ts: cached series keys) rather than through the
 * `influx` package's point serializer, so every line-protocol sink writes byte-identical lines,
 * and posts each batch with Node's own HTTP client on a keep-alive connection (the package's
 * pool copied every body once just to measure it: a 350 kB copy per batch). The `influx` client
 * is kept for queries and `CREATE DATABASE`. No retries here: retry belongs to the framework.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { InfluxDB } from 'influx';
import { RequestError } from 'influx/lib/src/pool.js';
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

/** A `/write` answered with a status of 300 or more; the message carries InfluxDB's own words. */
export class WriteStatusError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function statusOf(e: unknown): number | undefined {
  if (e instanceof RequestError) return e.res?.statusCode;
  if (e instanceof WriteStatusError) return e.status;
  return undefined;
}

/**
 * POSTs one `/write` body (Buffers sent as they are, one after the other: lines kept as bytes
 * go from where they lie, uncopied) on a keep-alive connection; resolves on 2xx,
 * rejects with a {@link WriteStatusError} (status and response text) otherwise, or with the
 * socket's error or a timeout. It settles only once the request is closed: every byte of the body
 * is then sent or dropped, so nothing reads the pieces after it (the counts lane writes later
 * lines over them).
 */
function createWriter(url: string, timeoutMs: number) {
  const u = new URL(url);
  const https = u.protocol === 'https:';
  const agent = https ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
  const send = https ? httpsRequest : httpRequest;
  const base = u.pathname.replace(/\/+$/, '');
  const port = Number(u.port || (https ? 443 : 80));
  const post = (query: string, body: readonly Buffer[], auth: string | undefined): Promise<void> =>
    new Promise((resolve, reject) => {
      let length = 0;
      for (const piece of body) length += piece.length;
      const headers: Record<string, string | number> = { 'content-length': length };
      if (auth !== undefined)
        headers.authorization = `Basic ${Buffer.from(auth).toString('base64')}`;
      /** the answer, or the socket's error; given once the request is closed */
      let outcome: 'written' | Error | undefined;
      const req = send(
        {
          agent,
          hostname: u.hostname,
          port,
          method: 'POST',
          path: `${base}/write?${query}`,
          headers,
          timeout: timeoutMs,
        },
        (res: IncomingMessage) => {
          const status = res.statusCode ?? 0;
          if (status < 300) {
            res.resume();
            res.on('end', () => {
              outcome ??= 'written';
            });
            return;
          }
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => {
            if (text.length < 65_536) text += d;
          });
          res.on('end', () => {
            outcome ??= new WriteStatusError(
              status,
              `A ${status} ${res.statusMessage ?? ''} error occurred: ${text}`,
            );
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('Request timed out')));
      req.on('error', (e) => {
        outcome ??= e;
      });
      req.on('close', () => {
        if (outcome === 'written') resolve();
        else reject(outcome ?? new Error('the connection closed before InfluxDB answered'));
      });
      // pieces written in one go are gathered into one writev by the corked socket
      for (const piece of body) req.write(piece);
      req.end();
    });
  return { post, close: () => agent.destroy() };
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
  const writer = createWriter(opts.url, opts.timeoutMs ?? 10_000);
  const query = new URLSearchParams({
    db: opts.database,
    precision: 'ns',
    ...(opts.retentionPolicy !== undefined ? { rp: opts.retentionPolicy } : {}),
  }).toString();
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
    async close() {
      writer.close();
    },
    async write(points) {
      if (points.length === 0) return;
      const body = encoder.pieces(points);
      if (body.length === 0) return;
      await ensureDatabase();
      try {
        await writer.post(query, body, auth);
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
