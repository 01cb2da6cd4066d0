/**
 * Password checks for the broker, with a cache of verified credentials for the broker's life:
 * a reconnect storm of thousands of devices must not redo thousands of PBKDF2 runs.
 * The cache key is an HMAC (random per-broker key) of id + password, never the password; the
 * value is the registry hash it was verified against, so a rotated password no longer hits.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { verifyPasswordAsync } from './passwords.ts';

/** Bound on cached credentials (a registry of up to this many devices never misses twice). */
export const MAX_CACHED_CREDENTIALS = 100_000;

export interface CredentialChecker {
  check(id: string, password: Buffer, hash: string): Promise<boolean>;
  /** True when this exact credential was verified before (no PBKDF2 needed). */
  known(id: string, password: Buffer, hash: string): boolean;
  clear(): void;
  stats(): { verified: number; cacheHits: number; failed: number; cached: number };
}

export function createCredentialChecker(maxEntries = MAX_CACHED_CREDENTIALS): CredentialChecker {
  const key = randomBytes(32);
  const cache = new Map<string, string>();
  // one PBKDF2 run per (id, password) even when a thousand connects arrive at once
  const inflight = new Map<string, Promise<boolean>>();
  const counts = { verified: 0, cacheHits: 0, failed: 0 };

  const cacheKey = (id: string, password: Buffer) =>
    createHmac('sha256', key).update(id).update('\0').update(password).digest('base64');

  return {
    async check(id, password, hash) {
      const k = cacheKey(id, password);
      if (cache.get(k) === hash) {
        counts.cacheHits++;
        return true;
      }
      let pending = inflight.get(k);
      if (!pending) {
        pending = verifyPasswordAsync(password, hash).finally(() => inflight.delete(k));
        inflight.set(k, pending);
      }
      const ok = await pending;
      if (ok) {
        counts.verified++;
        if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
        cache.set(k, hash);
      } else counts.failed++;
      return ok;
    },
    known(id, password, hash) {
      return cache.get(cacheKey(id, password)) === hash;
    },
    clear() {
      cache.clear();
    },
    stats() {
      return { ...counts, cached: cache.size };
    },
  };
}
