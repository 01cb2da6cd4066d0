/**
 * Broker counters for `stats()`. Keys come from devices (bounded by the registry) or, in
 * insecure mode, from any client id: past MAX_KEYS distinct devices the rest share `_other`.
 * Maps inside (a client id may be `__proto__`), plain objects out.
 */

export const MAX_KEYS = 10_000;
export const OTHER = '_other';

export interface BrokerStatsCounters {
  published: number;
  /** Publishes that waited for a rate-limit token. */
  throttled: number;
  /** device → reason → count (publish reasons as is; subscriptions as `subscribe:{reason}`). */
  refused: Record<string, Record<string, number>>;
  /** reason → count: CONNECTs refused (`bad-password`, `unknown-device`, …). */
  connectRefused: Record<string, number>;
  /** reason → count: connections the broker cut (`too-large`, `refused-repeatedly`, …). */
  disconnected: Record<string, number>;
}

export function createCounters() {
  let published = 0;
  let throttled = 0;
  const refused = new Map<string, Map<string, number>>();
  const connectRefused = new Map<string, number>();
  const disconnected = new Map<string, number>();
  const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  return {
    published: () => void published++,
    throttled: () => void throttled++,
    refused(device: string, reason: string) {
      const key = refused.has(device) || refused.size < MAX_KEYS ? device : OTHER;
      const m = refused.get(key) ?? new Map<string, number>();
      refused.set(key, m);
      bump(m, reason);
    },
    connectRefused: (reason: string) => void bump(connectRefused, reason),
    disconnected: (reason: string) => void bump(disconnected, reason),
    snapshot(): BrokerStatsCounters {
      return {
        published,
        throttled,
        refused: Object.fromEntries([...refused].map(([d, m]) => [d, Object.fromEntries(m)])),
        connectRefused: Object.fromEntries(connectRefused),
        disconnected: Object.fromEntries(disconnected),
      };
    },
  };
}

export type Counters = ReturnType<typeof createCounters>;
