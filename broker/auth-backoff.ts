/**
 * Failure back-off for password checks, pure (time is passed in). A flood of wrong passwords
 * needs no credential, only a device id (ids are public in topics), and each wrong attempt
 * costs one PBKDF2 run. Every failed check takes a token from a bucket of its device id and
 * one of its address; while either bucket is empty, attempts that would need a PBKDF2 run are
 * refused without one. Buckets refill slowly, so a steady trickle of failures (a device with
 * an old secret) never locks its neighbours out, while a flood is held to the refill rate.
 * A credential the broker has verified before (credentials.ts cache) is never held back.
 */
import type { RateLimit } from './limits.ts';

export interface BackoffPolicy {
  /** Failures per device id: `burst` at once (typos, an old secret), then `perSecond`. */
  perId: RateLimit;
  /** Failures per address, over all ids (several devices may share a NAT address). */
  perAddress: RateLimit;
  /** Buckets remembered; the oldest is forgotten past it. */
  maxKeys: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  perId: { burst: 3, perSecond: 1 / 10 },
  perAddress: { burst: 20, perSecond: 1 / 2 },
  maxKeys: 100_000,
};

interface Bucket {
  tokens: number;
  atMs: number;
}

export function createAuthBackoff(policy: BackoffPolicy = DEFAULT_BACKOFF) {
  const buckets = new Map<string, Bucket>();
  const limitOf = (key: string) => (key.startsWith('id:') ? policy.perId : policy.perAddress);
  const tokensOf = (key: string, nowMs: number): number => {
    const b = buckets.get(key);
    const limit = limitOf(key);
    if (!b) return limit.burst;
    const tokens = Math.min(limit.burst, b.tokens + ((nowMs - b.atMs) * limit.perSecond) / 1000);
    if (tokens >= limit.burst) buckets.delete(key); // full again: nothing to remember
    return tokens;
  };
  const keys = (id: string, address: string | undefined) =>
    address ? [`id:${id}`, `ip:${address}`] : [`id:${id}`];

  return {
    /** Milliseconds until an attempt for `id` from `address` may be hashed (0 = now). */
    waitMs(id: string, address: string | undefined, nowMs: number): number {
      let wait = 0;
      for (const k of keys(id, address)) {
        const missing = 1 - tokensOf(k, nowMs);
        if (missing > 0) wait = Math.max(wait, (missing * 1000) / limitOf(k).perSecond);
      }
      return Math.ceil(wait);
    },
    /** A PBKDF2 check failed: one token from the id's bucket and the address's. */
    failed(id: string, address: string | undefined, nowMs: number): void {
      for (const k of keys(id, address)) {
        const tokens = tokensOf(k, nowMs) - 1;
        buckets.delete(k); // re-insert: the map's order is the eviction order
        buckets.set(k, { tokens, atMs: nowMs });
        if (buckets.size > policy.maxKeys) buckets.delete(buckets.keys().next().value as string);
      }
    },
    size: () => buckets.size,
  };
}

export type AuthBackoff = ReturnType<typeof createAuthBackoff>;
