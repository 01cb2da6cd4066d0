/** Result and stats shapes of the broker shell (kept apart so callers can import types only). */
import type { BrokerStatsCounters } from './counters.ts';

export interface BrokerStarted {
  /** The TCP port (mqtt, or mqtts with TLS). */
  port: number;
  /** `mqtt://host:port` or `mqtts://host:port`. */
  url: string;
  wsPort?: number;
  /** `ws://host:port/mqtt` or `wss://…`. */
  wsUrl?: string;
}

export interface BrokerStats extends BrokerStatsCounters {
  /** Connected clients. */
  clients: number;
  /** Password checks: PBKDF2 runs, cache hits, failures, cached credentials. */
  auth: { verified: number; cacheHits: number; failed: number; cached: number };
}
