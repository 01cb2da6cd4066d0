/**
 * The controller service (shell): one MQTT connection serving many intersections with a
 * registered algorithm. Every decision is made by the runner (runner.ts, pure); this file only
 * moves bytes: connect, subscribe, publish decisions (QoS 1), birth and Last Will, reconnect
 * with jitter.
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

import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { createLatencySamples } from '../metrics/index.ts';
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
  /** base reconnect delay, ms; each attempt waits base × (0.5..1.5) (default 1000) */
  reconnectMs?: number;
  /** seed of the reconnect jitter (default from the client id) */
  seed?: number;
  log?: (line: string) => void;
  /** wall clock for status `atMs` only (default Date.now) */
  now?: () => number;
}

export interface ControllerServiceStats extends RunnerStats {
  connected: boolean;
  reconnects: number;
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

export function createControllerService(options: ControllerServiceOptions) {
  const root = options.root ?? DEFAULT_ROOT;
  const t = topics(root);
  const clientId = options.clientId ?? options.username ?? 'openphase-controller';
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
  });
  const anchor =
    options.willIntersection ??
    (options.intersections === 'all' ? undefined : options.intersections[0]);
  const baseReconnect = options.reconnectMs ?? 1000;
  let rng = options.seed ?? hashSeed(clientId);
  const jitter = () => {
    rng = (Math.imul(rng, 1664525) + 1013904223) >>> 0;
    return 0.5 + rng / 4294967296;
  };
  const latency = createLatencySamples(LATENCY_SAMPLES);
  let client: MqttClient | undefined;
  let connected = false;
  let reconnects = 0;
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
    /** Connects, subscribes and publishes births; rejects when the first connect fails. */
    start(): Promise<void> {
      if (client) return Promise.reject(new Error('controller service already started'));
      const opts: IClientOptions = {
        clientId,
        clean: true,
        reconnectPeriod: Math.round(baseReconnect * jitter()),
        connectTimeout: 10_000,
        ...(options.username !== undefined ? { username: options.username } : {}),
        ...(options.password !== undefined ? { password: options.password } : {}),
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
      };
      const c = mqtt.connect(options.mqttUrl, opts);
      client = c;
      c.on('message', onMessage);
      c.on('connect', () => {
        connected = true;
        // Decisions are small and urgent: no Nagle delay on TCP.
        (c.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
        c.subscribe(runner.filters, { qos: 1 }, (err) => {
          if (err) log(`controller: subscribe failed: ${err.message}`);
        });
        for (const i of served()) publishBirth(i);
      });
      c.on('close', () => {
        connected = false;
        // [reconnect with jitter] so a fleet restarted together does not reconnect together.
        c.options.reconnectPeriod = Math.round(baseReconnect * jitter());
      });
      c.on('reconnect', () => {
        reconnects++;
        log(`controller: reconnecting to ${options.mqttUrl}`);
      });
      return new Promise<void>((resolve, reject) => {
        const onError = (err: Error) => {
          c.removeListener('connect', onConnect);
          c.end(true);
          reject(new Error(`controller: cannot connect to ${options.mqttUrl}: ${err.message}`));
        };
        const onConnect = () => {
          c.removeListener('error', onError);
          c.on('error', (err) => log(`controller: ${err.message}`));
          resolve();
        };
        c.once('connect', onConnect);
        c.once('error', onError);
      });
    },

    /** Publishes `{online:false}` on every served intersection, disconnects; safe twice. */
    close(): Promise<void> {
      closed ??= (async () => {
        const c = client;
        if (c?.connected) {
          await Promise.all(
            served().map((i) =>
              c
                .publishAsync(t.status(i, device), status(false), { qos: 1, retain: true })
                .catch(() => {}),
            ),
          );
        }
        if (c) await c.endAsync().catch(() => {});
        runner.close();
      })();
      return closed;
    },

    stats(): ControllerServiceStats {
      return {
        ...runner.stats(),
        connected,
        reconnects,
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
