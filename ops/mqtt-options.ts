/**
 * The MQTT client options every long-running OpenPhase component uses, and the pure rules
 * behind its connection behaviour: the default client id, the capped reconnect back-off and
 * the named errors for a broker's refusal. One place, so the collector, the controller
 * service, the dashboard and the simulator behave alike (pure; the shell is mqtt-connection.ts).
 */
import type { IClientOptions } from 'mqtt';

/** Reconnect back-off: base × 2^(failures−1), capped, times a jitter in [0.5, 1]. */
export interface Backoff {
  baseMs: number;
  capMs: number;
}

/**
 * The cap stays short on purpose: a device removed and added again (or a broker restarted) is
 * back within the cap plus one connect, not minutes later.
 */
export const DEFAULT_BACKOFF: Backoff = { baseMs: 1000, capMs: 5000 };

/**
 * After a suspected session takeover (another client with the same client id), the wait grows
 * to this cap, so two clients sharing an id stop taking the session from each other every second.
 */
export const TAKEOVER_CAP_MS = 60_000;

/**
 * The client id: the one given, else the username (OpenPhase's broker requires client id =
 * username), else the component's fallback.
 * @example defaultClientId({ username: 'col-1' }, 'openphase-collector') // 'col-1'
 */
export function defaultClientId(o: { clientId?: string; username?: string }, fallback: string) {
  return o.clientId || o.username || fallback;
}

export interface MqttOptionsInput {
  clientId: string;
  username?: string;
  password?: string;
  /** false: a persistent session (the collector) */
  clean?: boolean;
  keepaliveS?: number;
  connectTimeoutMs?: number;
  backoff?: Backoff;
  will?: IClientOptions['will'];
}

function noop() {}

/** A URL fit for a log line: user and password removed. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

/**
 * The options for `mqtt.connect`: MQTT 3.1.1 (what every supported broker accepts), retry
 * forever — also after a CONNACK refusal, which mqtt.js 5 otherwise treats as final.
 */
export function mqttOptions(o: MqttOptionsInput): IClientOptions {
  const backoff = o.backoff ?? DEFAULT_BACKOFF;
  return {
    clientId: o.clientId,
    protocolVersion: 4,
    clean: o.clean ?? true,
    keepalive: o.keepaliveS ?? 30,
    connectTimeout: o.connectTimeoutMs ?? 10_000,
    reconnectPeriod: Math.round(backoff.baseMs / 2),
    reconnectOnConnackError: true,
    ...(o.username !== undefined ? { username: o.username } : {}),
    ...(o.password !== undefined ? { password: o.password } : {}),
    ...(o.will ? { will: o.will } : {}),
    // mqtt.js logs several lines per packet through `debug`; unless DEBUG asks, skip the calls.
    ...(process.env.DEBUG ? {} : { log: noop }),
  };
}

/**
 * The wait before the next attempt after `failures` attempts in a row failed (≥ 1), `jitter01`
 * in [0, 1): spreads a fleet restarted together.
 * @example reconnectDelayMs(1, 0, { baseMs: 1000, capMs: 5000 }) // 500
 */
export function reconnectDelayMs(failures: number, jitter01: number, b: Backoff = DEFAULT_BACKOFF) {
  const exp = Math.min(b.capMs, b.baseMs * 2 ** Math.max(0, Math.min(30, failures - 1)));
  return Math.max(1, Math.round(exp * (0.5 + jitter01 / 2)));
}

/** The wait before taking a contested session back, after `level` takeovers in a row (≥ 1). */
export function takeoverDelayMs(level: number, jitter01: number, b: Backoff = DEFAULT_BACKOFF) {
  return reconnectDelayMs(level + 1, jitter01, { baseMs: b.baseMs, capMs: TAKEOVER_CAP_MS });
}

/** Stable codes of the ways a broker refuses or drops a client (docs/security.md lists them). */
export type MqttRefusalCode =
  | 'MQTT_IDENTIFIER_REJECTED'
  | 'MQTT_BAD_CREDENTIALS'
  | 'MQTT_NOT_AUTHORIZED'
  | 'MQTT_PROTOCOL_REFUSED'
  | 'MQTT_SERVER_UNAVAILABLE'
  | 'MQTT_REFUSED';

export interface Refusal {
  code: MqttRefusalCode;
  /** one line for the log: what was refused and what to check (never the password) */
  message: string;
}

/** CONNACK return codes (3.1.1) and reason codes (5) → our codes. */
const CODES: Record<number, MqttRefusalCode> = {
  1: 'MQTT_PROTOCOL_REFUSED',
  2: 'MQTT_IDENTIFIER_REJECTED',
  3: 'MQTT_SERVER_UNAVAILABLE',
  4: 'MQTT_BAD_CREDENTIALS',
  5: 'MQTT_NOT_AUTHORIZED',
  132: 'MQTT_PROTOCOL_REFUSED',
  133: 'MQTT_IDENTIFIER_REJECTED',
  134: 'MQTT_BAD_CREDENTIALS',
  135: 'MQTT_NOT_AUTHORIZED',
  136: 'MQTT_SERVER_UNAVAILABLE',
  138: 'MQTT_NOT_AUTHORIZED',
};

const HINTS: Record<MqttRefusalCode, (who: { clientId: string; username?: string }) => string> = {
  MQTT_IDENTIFIER_REJECTED: (w) =>
    `the broker rejected client id '${w.clientId}'` +
    (w.username && w.username !== w.clientId
      ? ` (OpenPhase's broker requires client id = username: use '${w.username}' or leave the client id unset)`
      : ''),
  MQTT_BAD_CREDENTIALS: (w) =>
    `the broker refused username '${w.username ?? ''}' or its password (unknown device, removed device, or a wrong or rotated password)`,
  MQTT_NOT_AUTHORIZED: (w) =>
    `the broker did not authorize '${w.username ?? w.clientId}' (no credentials given, or the device may not connect)`,
  MQTT_PROTOCOL_REFUSED: () => 'the broker refused the MQTT protocol version (3.1.1)',
  MQTT_SERVER_UNAVAILABLE: () => 'the broker says it is unavailable',
  MQTT_REFUSED: () => 'the broker refused the connection',
};

/**
 * A CONNACK refusal as a named error; undefined for anything else (network errors, timeouts).
 * @example describeRefusal({ code: 2 }, { clientId: 'x', username: 'col-1' })?.code // 'MQTT_IDENTIFIER_REJECTED'
 */
export function describeRefusal(
  err: unknown,
  who: { clientId: string; username?: string },
): Refusal | undefined {
  const rc = (err as { code?: unknown } | undefined)?.code;
  if (typeof rc !== 'number' || rc <= 0) return undefined;
  const code = CODES[rc] ?? 'MQTT_REFUSED';
  return { code, message: `${code}: ${HINTS[code](who)} (CONNACK ${rc})` };
}
