/**
 * `openphase signal`, the field signal gateway (shell). For each intersection it serves: its
 * description from the retained `config` (or a local file until one arrives), decisions from
 * `decision`, the safety monitor and watchdog (core.ts), a cabinet through its adapter, and
 * the `signal` the cabinet actually shows, published retained every tick. One MQTT
 * connection as a `signal` device; birth and Last Will on `status/{device}`.
 *
 * The tick runs on the wall clock whatever the broker does: with the broker gone, no decision
 * arrives, the watchdog runs the time-of-day plan and the cabinet keeps being steered by it.
 * Nothing is queued while disconnected (a signal is state, the next tick sends a fresh one).
 */
import mqtt, { type MqttClient } from 'mqtt';
import { farewell } from '../../ops/farewell.ts';
import { superviseMqtt } from '../../ops/mqtt-connection.ts';
import { mqttOptions, redactUrl } from '../../ops/mqtt-options.ts';
import {
  assertId,
  DEFAULT_ROOT,
  type Decision,
  decodeMessage,
  type IntersectionConfig,
  parseTopic,
  type Status,
  topics,
} from '../../protocol/index.ts';
import type { CabinetAdapter } from '../cabinet/types.ts';
import { createIntersectionCore, type IntersectionCore } from './core.ts';

export interface GatewayOptions {
  mqttUrl: string;
  username?: string;
  password?: string;
  root?: string;
  /** the intersections served, each with its cabinet adapter (created, not started) */
  cabinets: Map<string, (config: IntersectionConfig) => CabinetAdapter>;
  /** local descriptions used until (or without) a retained config */
  configs?: IntersectionConfig[];
  /** tick, ms (default 1000): apply, read, publish */
  tickMs?: number;
  timeZone?: string;
  graceMs?: number;
  /** the cabinets' backup time, ms (see CoreOptions) */
  backupMs?: number;
  now?: () => number;
  /** one JSON object per event (ready, fallback, cabinet lost/back, stats) */
  event?: (e: Record<string, unknown>) => void;
  log?: (line: string) => void;
}

interface Served {
  id: string;
  configText?: string;
  core?: IntersectionCore;
  adapter?: CabinetAdapter;
  cabinetUp?: boolean;
  busy: boolean;
}

const SOFTWARE = 'openphase signal';

export function createSignalGateway(options: GatewayOptions) {
  const t = topics(options.root ?? DEFAULT_ROOT);
  const now = options.now ?? Date.now;
  const tickMs = options.tickMs ?? 1000;
  const event = options.event ?? ((e) => console.log(JSON.stringify(e)));
  const log = options.log ?? ((line: string) => console.error(line));
  const device = assertId('device', options.username ?? `openphase-signal-${process.pid}`);
  const served = new Map<string, Served>();
  for (const id of options.cabinets.keys())
    served.set(assertId('intersection', id), { id, busy: false });
  if (served.size === 0)
    throw new Error('the gateway needs at least one intersection and its cabinet');
  const stats = {
    ticks: 0,
    published: 0,
    decisions: 0,
    invalid: { decision: 0, config: 0 },
    cabinetSilent: 0,
    /** the cabinet went unheard past its backup time and was taken up afresh */
    retakes: 0,
    /** ticks that came late by more than a tick: the gateway itself was held up */
    lateTicks: 0,
    fallbacks: 0,
  };
  let client: MqttClient | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed: Promise<void> | undefined;

  async function install(s: Served, config: IntersectionConfig): Promise<void> {
    const text = JSON.stringify(config);
    if (s.configText === text) return;
    s.configText = text;
    const old = s.adapter;
    s.core = createIntersectionCore(config, now(), {
      ...(options.timeZone ? { timeZone: options.timeZone } : {}),
      ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
      ...(options.backupMs !== undefined ? { backupMs: options.backupMs } : {}),
    });
    s.adapter = options.cabinets.get(s.id)!(config);
    s.cabinetUp = undefined;
    await old?.close();
    await s.adapter.start();
    event({ config: true, intersection: s.id, phases: config.phases.length });
  }

  const status = (online: boolean) => {
    const st: Status = online
      ? { v: 1, online: true, device, role: 'signal', atMs: now(), software: SOFTWARE }
      : { v: 1, online: false, device };
    return JSON.stringify(st);
  };

  function onMessage(topic: string, payload: Buffer): void {
    const p = parseTopic(topic, t.root);
    if (!p) return;
    const s = served.get(p.intersection);
    if (!s) return;
    if (p.kind === 'decision') {
      const r = decodeMessage('decision', payload);
      if (!r.ok) {
        stats.invalid.decision++; // a bad payload is no decision: the watchdog counts on
        return;
      }
      const d = r.value as Decision;
      stats.decisions++;
      s.core?.decide({ phase: d.phase, controller: d.controller });
    } else if (p.kind === 'config') {
      const r = decodeMessage('config', payload);
      if (!r.ok || (r.value as IntersectionConfig).id !== p.intersection) {
        stats.invalid.config++;
        return;
      }
      void install(s, r.value as IntersectionConfig).catch((e) =>
        log(`signal: ${p.intersection}: ${(e as Error).message}`),
      );
    }
  }

  async function tickOne(s: Served): Promise<void> {
    if (!s.core || !s.adapter || s.busy) return;
    s.busy = true; // a slow cabinet never piles up requests
    try {
      const at = now();
      const { permit, fallback, retake } = s.core.step(at);
      if (retake) {
        stats.retakes++;
        event({ cabinet: 'retake', intersection: s.id, atMs: at, unheardMs: retake.unheardMs });
      }
      if (fallback === 'entered') {
        stats.fallbacks++;
        event({ fallback: true, intersection: s.id, atMs: at });
      } else if (fallback === 'left') {
        event({
          fallback: false,
          intersection: s.id,
          atMs: at,
          controller: s.core.monitor().controller,
        });
      }
      if (permit) await s.adapter.apply(permit);
      const cab = await s.adapter.read();
      const signal = s.core.observe(cab);
      if (!cab) {
        stats.cabinetSilent++;
        if (s.cabinetUp !== false) event({ cabinet: 'silent', intersection: s.id, atMs: at });
        s.cabinetUp = false;
        return;
      }
      if (s.cabinetUp !== true) event({ cabinet: 'answering', intersection: s.id, atMs: at });
      s.cabinetUp = true;
      if (signal && client?.connected) {
        client.publish(t.signal(s.id), JSON.stringify(signal), { qos: 1, retain: true }, (err) => {
          if (!err) stats.published++;
        });
      }
    } catch (e) {
      log(`signal: ${s.id}: ${(e as Error).message}`);
    } finally {
      s.busy = false;
    }
  }

  return {
    /** Installs local configs, connects (retrying in the background), starts the tick. */
    async start(): Promise<void> {
      if (timer) throw new Error('signal gateway already started');
      for (const c of options.configs ?? []) {
        const s = served.get(c.id);
        if (s) await install(s, c);
      }
      const first = [...served.keys()][0]!;
      // the shared options: retries for ever, also after a refusal (ops/mqtt-connection.ts)
      const c = mqtt.connect(options.mqttUrl, {
        ...mqttOptions({
          clientId: device,
          connectTimeoutMs: 5000,
          ...(options.username !== undefined ? { username: options.username } : {}),
          ...(options.password !== undefined ? { password: options.password } : {}),
          will: {
            topic: t.status(first, device),
            payload: Buffer.from(status(false)),
            qos: 1,
            retain: true,
          },
        }),
        queueQoSZero: false,
      });
      client = c;
      superviseMqtt(c, {
        component: 'signal',
        url: redactUrl(options.mqttUrl),
        clientId: device,
        ...(options.username !== undefined ? { username: options.username } : {}),
        log,
      });
      c.on('message', onMessage);
      c.on('connect', () => {
        (c.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
        const ids = [...served.keys()];
        c.subscribe(
          [...ids.map((i) => t.decision(i)), ...ids.map((i) => t.config(i))],
          { qos: 1 },
          (err) => err && log(`signal: subscribe failed: ${err.message}`),
        );
        for (const i of ids) c.publish(t.status(i, device), status(true), { qos: 1, retain: true });
        event({ mqtt: 'connected', url: options.mqttUrl });
      });
      c.on('offline', () => event({ mqtt: 'offline' }));
      let lastTickMs = now();
      timer = setInterval(() => {
        stats.ticks++;
        // a late tick means the machine held the gateway up: the cabinet went unsteered
        const at = now();
        if (at - lastTickMs > 2 * tickMs) {
          stats.lateTicks++;
          event({ tick: 'late', atMs: at, gapMs: at - lastTickMs });
        }
        lastTickMs = at;
        for (const s of served.values()) void tickOne(s);
      }, tickMs);
    },

    /** Publishes offline status, disconnects, closes the cabinets; safe twice. */
    close(): Promise<void> {
      closed ??= (async () => {
        if (timer) clearInterval(timer);
        const c = client;
        // bounded: a broker gone at the same moment never acknowledges (ops/farewell.ts)
        if (c)
          await farewell(
            c,
            c.connected
              ? [...served.keys()].map((i) =>
                  c.publishAsync(t.status(i, device), status(false), { qos: 1, retain: true }),
                )
              : [],
          );
        for (const s of served.values()) await s.adapter?.close();
      })();
      return closed;
    },

    stats: () => ({
      ...stats,
      connected: client?.connected ?? false,
      intersections: Object.fromEntries(
        [...served.values()].map((s) => [
          s.id,
          {
            configured: s.core !== undefined,
            cabinet: s.cabinetUp ?? null,
            fallback: s.core?.inFallback() ?? null,
            overrides: s.core?.overrideCounts() ?? {},
          },
        ]),
      ),
    }),

    async [Symbol.asyncDispose]() {
      await this.close();
    },
  };
}

export type SignalGateway = ReturnType<typeof createSignalGateway>;
