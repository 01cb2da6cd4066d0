/**
 * Where the embedded broker keeps sessions, queued QoS 1 messages, retained messages and
 * wills. In memory (aedes' default: lost on restart; right for the demo) or in Redis
 * (aedes-persistence-redis: survives a broker restart). The Redis URL may carry a password,
 * so it comes from the environment or a file, never from the command line (cli/commands/broker.ts).
 *
 * @example
 * const store = createRedisPersistence('redis://127.0.0.1:6379/0');
 * const broker = createBroker({ persistence: store.persistence, devices });
 * await broker.start(); … await broker.close(); await store.close();
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * Offline messages handed to a persistent session on one CONNECT. aedes-persistence-redis
 * defaults to 1,000 and leaves the rest for a later reconnect: a collector back from an outage
 * would stall behind its own backlog. The list of keys is read at once (~50 bytes a key).
 */
export const REDIS_MAX_SESSION_DELIVERY = 1_000_000;

export interface RedisTarget {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  tls: boolean;
}

/**
 * `redis://[user:password@]host[:port][/db]` (or `rediss://` for TLS) → connection options.
 * Errors never repeat the URL (it may carry a password).
 */
export function parseRedisUrl(url: string): RedisTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(
      'the Redis URL is not a URL (expected redis://[user:password@]host[:port][/db])',
    );
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new Error(`the Redis URL must start with redis:// or rediss://, not ${u.protocol}//`);
  }
  const dbText = u.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new Error('the Redis URL database must be an integer');
  return {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: u.port === '' ? 6379 : Number(u.port),
    db,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    tls: u.protocol === 'rediss:',
  };
}

/** True when the URL carries a password (then it must not come from argv). */
export const redisUrlHasSecret = (url: string) => parseRedisUrl(url).password !== undefined;

/** The URL without its password, for logs. */
export function showRedisUrl(url: string): string {
  const t = parseRedisUrl(url);
  return `${t.tls ? 'rediss' : 'redis'}://${t.password ? '***@' : ''}${t.host}:${t.port}/${t.db}`;
}

type PersistenceFactory = (opts: Record<string, unknown>) => {
  destroy(cb?: () => void): Promise<void> | void;
};

/** An aedes persistence in Redis, and how to let go of its connections. */
export function createRedisPersistence(url: string) {
  const t = parseRedisUrl(url);
  const factory = require('aedes-persistence-redis') as PersistenceFactory;
  const persistence = factory({
    host: t.host,
    port: t.port,
    db: t.db,
    ...(t.username ? { username: t.username } : {}),
    ...(t.password ? { password: t.password } : {}),
    ...(t.tls ? { tls: {} } : {}),
    connectTimeout: 5000,
    maxSessionDelivery: REDIS_MAX_SESSION_DELIVERY,
  });
  let closing: Promise<void> | undefined;
  return {
    persistence,
    /** Disconnects from Redis (after the broker closed). Safe twice. */
    close(): Promise<void> {
      closing ??= Promise.resolve(persistence.destroy()).catch(() => undefined);
      return closing;
    },
  };
}
