/**
 * Keeps one long-lived mqtt.js client connected, for as long as the process runs (shell).
 *
 * - Retries forever with a capped, jittered back-off (mqtt-options.ts), also after the broker
 *   refused the CONNACK (a device removed and added again is let back in on the next try).
 * - A refusal becomes one named log line (`MQTT_BAD_CREDENTIALS: …`), repeated at most once a
 *   minute while it lasts.
 * - A suspected session takeover — the broker closed a healthy connection and let us in again
 *   at the very next attempt: another client holds the same client id — is logged as
 *   `MQTT_SESSION_TAKEN_OVER`, reported to `onTakeover`, and the next wait grows (to one
 *   minute), so two clients sharing an id stop taking the session from each other.
 * - `stats()` says whether it is connected, for `/health` and the `connected` gauge.
 *
 * mqtt.js arms its reconnect timer from `reconnectPeriod` in its own `close` handler (and
 * right after a refused CONNACK); the wait for the next attempt is set just before that.
 */
import type { MqttClient } from 'mqtt';
import {
  type Backoff,
  DEFAULT_BACKOFF,
  describeRefusal,
  reconnectDelayMs,
  takeoverDelayMs,
} from './mqtt-options.ts';

export interface SuperviseOptions {
  /** log prefix, e.g. `collector` */
  component: string;
  /** for log lines: without credentials */
  url: string;
  clientId: string;
  username?: string;
  log(line: string): void;
  backoff?: Backoff;
  /** seed of the jitter (default from the client id) */
  seed?: number;
  /** a session lasting this long ends a run of takeovers (default 2 minutes) */
  stableMs?: number;
  /** called on a suspected takeover, at the new connect, before any message of it */
  onTakeover?(): void;
  now?(): number;
}

export interface ConnectionStats {
  connected: boolean;
  /** attempts to reconnect since start */
  reconnects: number;
  /** CONNACK refusals since start */
  refusals: number;
  /** suspected session takeovers since start */
  takeovers: number;
  /** the code or message of the last failure, if any (never a password) */
  lastError?: string;
}

export interface Supervised {
  connected(): boolean;
  stats(): ConnectionStats;
  /** resolves at the first connect; rejects after `timeoutMs` with the last failure named */
  firstConnect(timeoutMs: number): Promise<void>;
}

/** a refusal or error that repeats is logged again at most this often */
const REFUSAL_LOG_EVERY_MS = 60_000;

function hashSeed(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function superviseMqtt(client: MqttClient, o: SuperviseOptions): Supervised {
  const backoff = o.backoff ?? DEFAULT_BACKOFF;
  const now = o.now ?? Date.now;
  const stableMs = o.stableMs ?? 120_000;
  let rng = o.seed ?? hashSeed(o.clientId);
  const jitter = () => {
    rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0;
    return rng / 4294967296;
  };
  const who = {
    clientId: o.clientId,
    ...(o.username !== undefined ? { username: o.username } : {}),
  };
  const stats: ConnectionStats = { connected: false, reconnects: 0, refusals: 0, takeovers: 0 };
  /** attempts in a row that did not reach a session */
  let failures = 0;
  /** the last close was the broker's, on a healthy connection (not ours, no keepalive timeout) */
  let brokerClosed = false;
  /** attempts since that close */
  let attemptsSinceClose = 0;
  /** takeovers in a row (a stable session resets it) */
  let contested = 0;
  let errorThisConnection = false;
  let refusedThisAttempt = false;
  let connectedAt = 0;
  let lastRefusal = '';
  let lastRefusalLogAt = Number.NEGATIVE_INFINITY;
  let everConnected = false;
  /** the last failure in words, for the start error */
  let lastDetail = '';
  let lastErrorLogged = '';
  let lastErrorLogAt = Number.NEGATIVE_INFINITY;
  const waiters: { resolve(): void }[] = [];

  const setWait = (ms: number) => {
    client.options.reconnectPeriod = ms;
  };
  setWait(reconnectDelayMs(1, jitter(), backoff));

  client.on('connect', () => {
    const takeover = brokerClosed && attemptsSinceClose <= 1;
    brokerClosed = false;
    attemptsSinceClose = 0;
    failures = 0;
    errorThisConnection = false;
    connectedAt = now();
    stats.connected = true;
    if (lastRefusal) {
      o.log(`${o.component}: connected again after ${lastRefusal}`);
      lastRefusal = '';
      lastRefusalLogAt = Number.NEGATIVE_INFINITY;
    }
    if (takeover) {
      stats.takeovers++;
      contested++;
      stats.lastError = 'MQTT_SESSION_TAKEN_OVER';
      o.log(
        `${o.component}: MQTT_SESSION_TAKEN_OVER: the broker closed our connection and let us ` +
          `in again at once: most likely another client uses client id '${o.clientId}' ` +
          `(two instances with the same id take the session from each other; give each its own ` +
          `device and id). Takeovers in a row: ${contested}; the next wait grows to ` +
          `${Math.round(takeoverDelayMs(contested, 1, backoff) / 1000)} s.`,
      );
      o.onTakeover?.();
    }
    everConnected = true;
    for (const w of waiters.splice(0)) w.resolve();
  });

  client.on('reconnect', () => {
    stats.reconnects++;
    attemptsSinceClose++;
    refusedThisAttempt = false;
  });

  client.on('error', (err) => {
    // Our own keepalive found the broker silent: that close is not the broker's doing. (A
    // reset or an ended socket is how a broker's close often looks: those do not count.)
    if (err.message === 'Keepalive timeout') errorThisConnection = true;
    const refusal = client.connected ? undefined : describeRefusal(err, who);
    if (!refusal) {
      const code = (err as { code?: unknown }).code;
      stats.lastError = code ? String(code) : err.message;
      lastDetail = err.message;
      const t = now();
      if (err.message !== lastErrorLogged || t - lastErrorLogAt >= REFUSAL_LOG_EVERY_MS) {
        o.log(`${o.component}: mqtt: ${err.message}`);
        lastErrorLogged = err.message;
        lastErrorLogAt = t;
      }
      return;
    }
    // mqtt.js arms the next attempt right after this event: set its wait now.
    refusedThisAttempt = true;
    stats.refusals++;
    stats.lastError = refusal.code;
    lastDetail = refusal.message;
    failures++;
    setWait(reconnectDelayMs(failures, jitter(), backoff));
    const t = now();
    if (refusal.code !== lastRefusal || t - lastRefusalLogAt >= REFUSAL_LOG_EVERY_MS) {
      o.log(`${o.component}: ${refusal.message}; retrying (every ≤ ${backoff.capMs / 1000} s)`);
      lastRefusalLogAt = t;
    }
    lastRefusal = refusal.code;
  });

  // Before mqtt.js' own close handler, which arms the reconnect timer with `reconnectPeriod`.
  client.prependListener('close', () => {
    const wasConnected = stats.connected;
    stats.connected = false;
    if (refusedThisAttempt) {
      refusedThisAttempt = false;
      return; // the wait is set already
    }
    if (wasConnected) {
      const lasted = now() - connectedAt;
      if (lasted >= stableMs) contested = 0;
      brokerClosed = !errorThisConnection && !client.disconnecting;
      attemptsSinceClose = 0;
      failures = 0;
      if (brokerClosed && contested > 0) {
        setWait(takeoverDelayMs(contested, jitter(), backoff));
        return;
      }
    }
    failures++;
    setWait(reconnectDelayMs(failures, jitter(), backoff));
  });

  return {
    connected: () => client.connected,
    stats: () => ({ ...stats, connected: client.connected }),
    firstConnect(timeoutMs) {
      if (everConnected) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) waiters.splice(i, 1);
          const why = lastDetail ? ` (last: ${lastDetail})` : '';
          reject(
            new Error(
              `${o.component}: no connection to ${o.url} as '${o.clientId}' within ${Math.round(timeoutMs / 1000)} s${why}`,
            ),
          );
        }, timeoutMs);
        const w = {
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        waiters.push(w);
      });
    },
  };
}
