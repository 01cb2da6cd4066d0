/**
 * The dashboard's MQTT shell: subscribes to config, signal, counts and status under the root
 * and feeds every message to the store (store.ts → the pure reducer in state.ts).
 *
 * @example
 * const source = createMqttSource({ mqttUrl: 'mqtt://127.0.0.1:1883', username, password, reader });
 * await source.start();
 */
import mqtt, { type MqttClient } from 'mqtt';
import { DEFAULT_ROOT, topics } from '../protocol/index.ts';
import type { DashboardSource } from './source.ts';
import { createStore, type StoreOptions } from './store.ts';

export interface MqttSourceOptions extends StoreOptions {
  mqttUrl: string;
  username?: string;
  password?: string;
  /** default `openphase-dashboard-{random}`: several dashboards may watch one broker */
  clientId?: string;
}

export function createMqttSource(o: MqttSourceOptions): DashboardSource {
  const store = createStore(o);
  const t = topics(o.root ?? DEFAULT_ROOT);
  const log = o.log ?? ((l: string) => console.error(l));
  let client: MqttClient | undefined;
  let closing: Promise<void> | undefined;

  const connect = (c: MqttClient) =>
    new Promise<void>((resolve, reject) => {
      const fail = (e: Error) => {
        clearTimeout(timer);
        c.off('connect', ok);
        c.end(true);
        reject(new Error(`dashboard: cannot connect to ${o.mqttUrl}: ${e.message}`));
      };
      const ok = () => {
        clearTimeout(timer);
        c.off('error', fail);
        resolve();
      };
      const timer = setTimeout(() => fail(new Error('no answer within 10 s')), 10_000);
      c.once('connect', ok);
      c.once('error', fail);
    });

  return {
    ...store,
    async start() {
      if (client) return;
      const c = mqtt.connect(o.mqttUrl, {
        clientId: o.clientId ?? `openphase-dashboard-${Math.random().toString(36).slice(2, 10)}`,
        ...(o.username ? { username: o.username, password: o.password } : {}),
        clean: true,
        reconnectPeriod: 1000,
        connectTimeout: 10_000,
      });
      client = c;
      c.on('message', (topic, payload, packet) => store.feed(topic, payload, packet.retain));
      c.on('error', (e) => log(`dashboard: mqtt: ${e.message}`));
      await connect(c);
      // QoS 0: the dashboard shows the present; the collector is the one that keeps everything.
      const filters = [t.filters.config, t.filters.signal, t.filters.counts, t.filters.status];
      const subscribe = () =>
        c.subscribeAsync(Object.fromEntries(filters.map((f) => [f, { qos: 0 as const }])));
      // a clean session forgets its subscriptions: subscribe again on every reconnect
      c.on('connect', () => {
        subscribe().catch((e: Error) => log(`dashboard: subscribe failed: ${e.message}`));
      });
      await subscribe();
    },
    close() {
      closing ??= (async () => {
        store.clearListeners();
        if (client) await client.endAsync(true).catch(() => undefined);
      })();
      return closing;
    },
    connected: () => client?.connected === true,
  };
}
