/**
 * The dashboard's MQTT shell: subscribes to config, signal, counts and status under the root
 * and feeds every message to the store (store.ts → the pure reducer in state.ts).
 *
 * @example
 * const source = createMqttSource({ mqttUrl: 'mqtt://127.0.0.1:1883', username, password, reader });
 * await source.start();
 */
import mqtt, { type MqttClient } from 'mqtt';
import { superviseMqtt } from '../ops/mqtt-connection.ts';
import { defaultClientId, mqttOptions, redactUrl } from '../ops/mqtt-options.ts';
import { DEFAULT_ROOT, topics } from '../protocol/index.ts';
import type { DashboardSource } from './source.ts';
import { createStore, type StoreOptions } from './store.ts';

export interface MqttSourceOptions extends StoreOptions {
  mqttUrl: string;
  username?: string;
  password?: string;
  /**
   * default: the username (OpenPhase's broker requires it), else `openphase-dashboard-{random}`
   * (several anonymous dashboards may watch one broker)
   */
  clientId?: string;
}

export function createMqttSource(o: MqttSourceOptions): DashboardSource {
  const store = createStore(o);
  const t = topics(o.root ?? DEFAULT_ROOT);
  const log = o.log ?? ((l: string) => console.error(l));
  let client: MqttClient | undefined;
  let closing: Promise<void> | undefined;

  return {
    ...store,
    async start() {
      if (client) return;
      const clientId = defaultClientId(
        o,
        `openphase-dashboard-${Math.random().toString(36).slice(2, 10)}`,
      );
      const c = mqtt.connect(
        o.mqttUrl,
        mqttOptions({
          clientId,
          ...(o.username ? { username: o.username, password: o.password } : {}),
        }),
      );
      client = c;
      // retries for ever (also after a refusal); a refusal is logged as a named error
      const sup = superviseMqtt(c, {
        component: 'dashboard',
        url: redactUrl(o.mqttUrl),
        clientId,
        ...(o.username ? { username: o.username } : {}),
        log,
      });
      c.on('message', (topic, payload, packet) => store.feed(topic, payload, packet.retain));
      await sup.firstConnect(10_000).catch(async (e: Error) => {
        client = undefined;
        await c.endAsync(true).catch(() => undefined);
        throw e;
      });
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
