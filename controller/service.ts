/**
 * The controller service (shell): one MQTT connection serving many intersections with a
 * registered algorithm. Every decision is made by the runner (runner.ts, pure); this file only
 * moves bytes: connect, subscribe, publish decisions (QoS 1), birth and Last Will, reconnect
 * forever with a capped, jittered back-off (ops/mqtt-connection.ts), and optionally `/health`
 * and `/metrics` on `metricsPort`.
 *
 * Liveness: a birth `{online:true}` is published retained on `status/{device}` of every served
 * intersection (on connect, and when an intersection is discovered). MQTT allows one Last Will
 * per connection, so the will `{online:false}` goes to the first listed intersection (the
 * "anchor"; none with `intersections: 'all'` unless `willIntersection` is given); a clean
 * `close()` publishes `{online:false}` on every served intersection. The signal side's watchdog
 * covers the rest: no decision for `watchdogS` and the fallback plan runs.
 *
 * @example
 * const svc = createControllerService({ mqttUrl: 'mqtt://127.0.0.1:1883', username: 'ctl-a',
 *   password: process.env.PW, algorithm: 'actuated', intersections: ['a', 'b'] });
 * await svc.start(); … await svc.close();
 */
import mqtt, { type MqttClient } from 'mqtt';
import { createLatencySamples } from '../metrics/index.ts';
import { farewell } from '../ops/farewell.ts';
import { createOpsServer } from '../ops/http.ts';
import { type ConnectionStats, type Supervised, superviseMqtt } from '../ops/mqtt-connection.ts';
import { defaultClientId, mqttOptions, redactUrl } from '../ops/mqtt-options.ts';
import { batchWritesPerTurn } from '../ops/write-batching.ts';
import { assertId, DEFAULT_ROOT, type Status, topics } from '../protocol/index.ts';
import type { IntersectionControllerOptions } from './intersection-controller.ts';
import { createRunner, type RunnerStats } from './runner.ts';

export interface ControllerServiceOptions {
  mqttUrl: string;
  username?: string;
  password?: string;
  /** MQTT client id (default: the username, else `openphase-controller`) */
  clientId?: string;
  root?: string;
  algorithm: string;
  intersections: string[] | 'all';
  /** id in decisions (default: the username, else the client id; status/{device} always uses that) */
  controllerId?: string;
  /** where the Last Will goes (default: the first listed intersection) */
  willIntersection?: string;
  algorithmOptions?: IntersectionControllerOptions;
  /** base reconnect delay, ms; doubles per failed attempt up to 5 s, jittered (default 1000) */
  reconnectMs?: number;
  /** ms the first connection may take before start() fails (default 10,000; it keeps trying) */
  connectTimeoutMs?: number;
  /** serve `/health` (JSON) and `/metrics` (Prometheus text) on this port (0 = any free port) */
  metricsPort?: number;
  /** default 127.0.0.1 */
  metricsHost?: string;
  /** seed of the reconnect jitter (default from the client id) */
  seed?: number;
  log?: (line: string) => void;
  /** wall clock for status `atMs` and the time window (default Date.now) */
  now?: () => number;
  /**
   * refuse counts and signals further than this from `now` (counted invalid); absent or 0: off,
   * as for a simulation on its own clock. `openphase controller` defaults to 1 day.
   */
  timeWindowMs?: number;
}

export interface ControllerServiceStats extends RunnerStats {
  connected: boolean;
  reconnects: number;
  /** CONNACK refusals and suspected session takeovers since start */
  refusals: number;
  takeovers: number;
  published: number;
  publishErrors: number;
  /** signal received → decision handed to the client, ms (last 10,000 decisions) */
  handleMs: { p50: number; p99: number; count: number };
}

const LATENCY_SAMPLES = 10_000;
const SOFTWARE = 'openphase controller';

function hashSeed(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

/** The stats as Prometheus text (a handful of numbers: no client library needed). */
function metricsText(s: ControllerServiceStats): string {
  const p = 'openphase_controller_';
  const rows: [string, string, 'gauge' | 'counter', number][] = [
    ['mqtt_connected', '1 while connected to the broker', 'gauge', s.connected ? 1 : 0],
    ['mqtt_reconnects_total', 'reconnect attempts since start', 'counter', s.reconnects],
    ['mqtt_refusals_total', 'connections the broker refused', 'counter', s.refusals],
    ['mqtt_session_takeovers_total', 'suspected session takeovers', 'counter', s.takeovers],
    ['intersections', 'intersections served', 'gauge', s.intersections],
    ['decisions_total', 'decisions made', 'counter', s.decisions],
    ['decisions_published_total', 'decisions the broker acknowledged', 'counter', s.published],
    ['publish_errors_total', 'decisions that failed to publish', 'counter', s.publishErrors],
    ['signals_stale_total', 'signals not newer than the last answered', 'counter', s.stale],
  ];
  return rows
    .map(
      ([n, help, type, v]) => `# HELP ${p}${n} ${help}\n# TYPE ${p}${n} ${type}\n${p}${n} ${v}\n`,
    )
    .join('');
}

export function createControllerService(options: ControllerServiceOptions) {
  const root = options.root ?? DEFAULT_ROOT;
  const t = topics(root);
  const clientId = defaultClientId(options, 'openphase-controller');
  // status/{device}: the broker's ACL lets a device publish only its own status (its username).
  const device = assertId('device', options.username ?? clientId);
  const controllerId = assertId('controller', options.controllerId ?? device);
  if (options.intersections !== 'all')
    for (const i of options.intersections) assertId('intersection', i);
  const log = options.log ?? ((line: string) => console.error(line));
  const now = options.now ?? Date.now;
  const runner = createRunner({
    algorithm: options.algorithm, // unknown names throw here, before any I/O
    intersections: options.intersections,
    controllerId,
    root,
    ...(options.algorithmOptions ? { algorithmOptions: options.algorithmOptions } : {}),
    ...(options.timeWindowMs
      ? { timeWindow: { nowMs: () => now(), windowMs: options.timeWindowMs } }
      : {}),
  });
  const anchor =
    options.willIntersection ??
    (options.intersections === 'all' ? undefined : options.intersections[0]);
  const baseReconnect = options.reconnectMs ?? 1000;
  const seed = options.seed ?? hashSeed(clientId);
  const latency = createLatencySamples(LATENCY_SAMPLES);
  let client: MqttClient | undefined;
  let supervised: Supervised | undefined;
  let ops: ReturnType<typeof createOpsServer> | undefined;
  let published = 0;
  let publishErrors = 0;
  let closed: Promise<void> | undefined;

  const status = (online: boolean): string => {
    const s: Status = online
      ? { v: 1, online: true, device, role: 'controller', atMs: now(), software: SOFTWARE }
      : { v: 1, online: false, device };
    return JSON.stringify(s);
  };
  const publishBirth = (intersection: string) =>
    client?.publish(t.status(intersection, device), status(true), { qos: 1, retain: true });
  const served = () =>
    options.intersections === 'all' ? runner.intersections() : options.intersections;

  const onMessage = (topic: string, payload: Buffer) => {
    const start = performance.now();
    const r = runner.handle(topic, payload);
    if (r.discovered && options.intersections === 'all') publishBirth(r.discovered);
    if (!r.decision) return;
    client?.publish(r.decision.topic, r.decision.payload, { qos: 1 }, (err) => {
      if (err) publishErrors++;
      else published++;
    });
    latency.add(performance.now() - start);
  };

  return {
    /**
     * Connects, subscribes and publishes births; keeps reconnecting for ever after. Rejects
     * when no first connection came within `connectTimeoutMs` (the reason named).
     */
    async start(): Promise<{ metricsPort?: number }> {
      if (client) throw new Error('controller service already started');
      const c = mqtt.connect(
        options.mqttUrl,
        mqttOptions({
          clientId,
          ...(options.username !== undefined ? { username: options.username } : {}),
          ...(options.password !== undefined ? { password: options.password } : {}),
          backoff: { baseMs: baseReconnect, capMs: Math.max(5000, baseReconnect) },
          ...(anchor
            ? {
                will: {
                  topic: t.status(anchor, device),
                  payload: Buffer.from(status(false)),
                  qos: 1 as const,
                  retain: true,
                },
              }
            : {}),
        }),
      );
      client = c;
      // [reconnect with jitter] so a fleet restarted together does not reconnect together.
      const sup = superviseMqtt(c, {
        component: 'controller',
        url: redactUrl(options.mqttUrl),
        clientId,
        ...(options.username !== undefined ? { username: options.username } : {}),
        log,
        backoff: { baseMs: baseReconnect, capMs: Math.max(5000, baseReconnect) },
        seed,
      });
      supervised = sup;
      c.on('message', onMessage);
      c.on('connect', () => {
        // Decisions are small and urgent: no Nagle delay on TCP.
        (c.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
        // ...but one write per turn, not one per message (PUBACK + decision): see write-batching.ts
        batchWritesPerTurn(c.stream);
        c.subscribe(runner.filters, { qos: 1 }, (err) => {
          if (err) log(`controller: subscribe failed: ${err.message}`);
        });
        for (const i of served()) publishBirth(i);
      });
      try {
        await sup.firstConnect(options.connectTimeoutMs ?? 10_000);
      } catch (e) {
        await c.endAsync(true).catch(() => {});
        throw e;
      }
      if (options.metricsPort === undefined) return {};
      ops = createOpsServer({
        port: options.metricsPort,
        ...(options.metricsHost ? { host: options.metricsHost } : {}),
        health: () => {
          const s = this.stats();
          return {
            ok: s.connected,
            component: 'controller',
            clientId,
            connected: s.connected,
            reconnects: s.reconnects,
            refusals: s.refusals,
            takeovers: s.takeovers,
            ...(sup.stats().lastError ? { lastError: sup.stats().lastError } : {}),
            intersections: s.intersections,
            decisions: s.decisions,
          };
        },
        metrics: async () => metricsText(this.stats()),
      });
      try {
        return { metricsPort: await ops.start() };
      } catch (e) {
        // the metrics port is taken: leave the broker too, or the process would live on
        await c.endAsync(true).catch(() => {});
        throw e;
      }
    },

    /** Publishes `{online:false}` on every served intersection, disconnects; safe twice. */
    close(): Promise<void> {
      closed ??= (async () => {
        const c = client;
        // bounded: a broker gone at the same moment never acknowledges (ops/farewell.ts)
        if (c)
          await farewell(
            c,
            c.connected
              ? served().map((i) =>
                  c.publishAsync(t.status(i, device), status(false), { qos: 1, retain: true }),
                )
              : [],
          );
        await ops?.close();
        runner.close();
      })();
      return closed;
    },

    stats(): ControllerServiceStats {
      const conn: ConnectionStats = supervised?.stats() ?? {
        connected: false,
        reconnects: 0,
        refusals: 0,
        takeovers: 0,
      };
      return {
        ...runner.stats(),
        connected: conn.connected,
        reconnects: conn.reconnects,
        refusals: conn.refusals,
        takeovers: conn.takeovers,
        published,
        publishErrors,
        handleMs: { ...latency.summary(), count: latency.count },
      };
    },

    async [Symbol.asyncDispose]() {
      await this.close();
    },
  };
}

export type ControllerService = ReturnType<typeof createControllerService>;
