/**
 * Password hashes in Mosquitto's `$7$` format: PBKDF2-HMAC-SHA512, 12-byte salt, 64-byte key,
 * `$7${iterations}${base64 salt}${base64 hash}` — the format `mosquitto_passwd` writes, so one
 * registry feeds both the embedded broker and Mosquitto (`password_file`).
 */
import { pbkdf2, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Iterations for real use. Mosquitto checks every CONNECT's hash on its only thread, so this
 * bounds what a flood of wrong passwords costs it (~2.4 ms a check on a busy 2-core machine;
 * 100,000 stalled every delivery for seconds). Generated device secrets are 192 random bits:
 * no iteration count changes how hard they are to guess. Mosquitto's own default is 101.
 */
export const DEFAULT_ITERATIONS = 1_000;
/** Highest count `devices export` writes for Mosquitto without --allow-slow-hashes. */
export const MOSQUITTO_MAX_ITERATIONS = 1_000;
const SALT_BYTES = 12;
const KEY_BYTES = 64;
/** Refuse absurd counts in a file: a hostile registry must not stall the broker for hours. */
const MAX_ITERATIONS = 10_000_000;
const HASH_RE = /^\$7\$([1-9][0-9]{0,7})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

export interface ParsedHash {
  iterations: number;
  salt: Buffer;
  key: Buffer;
}

export interface HashOptions {
  /** PBKDF2 iterations; default {@link DEFAULT_ITERATIONS}. Tests use a low count. */
  iterations?: number;
  /** Salt bytes; default 12 random bytes. Only tests should pass one. */
  salt?: Buffer;
}

/** Parses a `$7$` hash; undefined when it is not one (so a bad entry refuses, never throws). */
export function parseHash(hash: string): ParsedHash | undefined {
  const m = HASH_RE.exec(hash);
  if (!m) return undefined;
  const iterations = Number(m[1]);
  const salt = Buffer.from(m[2]!, 'base64');
  const key = Buffer.from(m[3]!, 'base64');
  if (iterations > MAX_ITERATIONS || salt.length === 0 || key.length !== KEY_BYTES) {
    return undefined;
  }
  return { iterations, salt, key };
}

/** True when `hash` is a well-formed `$7$` hash. */
export function isHash(hash: unknown): hash is string {
  return typeof hash === 'string' && parseHash(hash) !== undefined;
}

/**
 * Hashes a password for the registry (and Mosquitto's password file).
 * @example hashPassword('s3cret', { iterations: 1000 }) // '$7$1000$…$…'
 */
export function hashPassword(password: string, options: HashOptions = {}): string {
  const iterations = options.iterations ?? DEFAULT_ITERATIONS;
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
    throw new Error(`iterations must be an integer in 1..${MAX_ITERATIONS}, got ${iterations}`);
  }
  const salt = options.salt ?? randomBytes(SALT_BYTES);
  const key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, KEY_BYTES, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Checks a password against a `$7$` hash, comparing in constant time. False for a bad hash. */
export function verifyPassword(password: string, hash: string): boolean {
  const parsed = parseHash(hash);
  if (!parsed) return false;
  const key = pbkdf2Sync(
    Buffer.from(password, 'utf8'),
    parsed.salt,
    parsed.iterations,
    KEY_BYTES,
    'sha512',
  );
  return timingSafeEqual(key, parsed.key);
}

/**
 * Like {@link verifyPassword}, on libuv's thread pool: the broker uses this so a burst of
 * connects does not block the event loop for PBKDF2's (deliberate) slowness.
 */
export function verifyPasswordAsync(password: string | Buffer, hash: string): Promise<boolean> {
  const parsed = parseHash(hash);
  if (!parsed) return Promise.resolve(false);
  const pw = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  return new Promise((resolve) => {
    pbkdf2(pw, parsed.salt, parsed.iterations, KEY_BYTES, 'sha512', (err, key) => {
      resolve(!err && timingSafeEqual(key, parsed.key));
    });
  });
}

/** A fresh random secret for a device (printed once by `devices add`); 24 bytes, base64url. */
export function generateSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}
