/**
 * Publishes intersection configs retained on `{root}/v1/{id}/config` (shell). Only valid
 * configs reach here (the caller checks first), so a good retained config is never replaced
 * by an invalid one; an identical retained config is left alone.
 */
import mqtt from 'mqtt';
import {
  DEFAULT_ROOT,
  type IntersectionConfig,
  topics,
  validateIntersection,
} from '../protocol/index.ts';

export interface PublishOptions {
  mqttUrl: string;
  username?: string;
  password?: string;
  root?: string;
  /** how long to wait for the retained configs already there (default 1500 ms) */
  settleMs?: number;
}

export interface PublishResult {
  id: string;
  /** what the broker held before: nothing, a valid config, an invalid one, or this very one */
  previous: 'none' | 'valid' | 'invalid' | 'same';
  published: boolean;
}

export async function publishConfigs(
  configs: IntersectionConfig[],
  options: PublishOptions,
): Promise<PublishResult[]> {
  for (const c of configs) {
    const r = validateIntersection(c);
    if (!r.ok) throw new Error(`intersection '${c.id}' is invalid; nothing published`);
  }
  const t = topics(options.root ?? DEFAULT_ROOT);
  const client = await mqtt.connectAsync(options.mqttUrl, {
    clientId: options.username ?? `openphase-intersection-${process.pid}`,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 10_000,
    ...(options.username !== undefined ? { username: options.username } : {}),
    ...(options.password !== undefined ? { password: options.password } : {}),
  });
  const clientId = client.options.clientId;
  // Closed under us, an offline client would hold the publish for ever and the command end
  // with nothing said: most likely a running gateway took back the device's session.
  const closed = new Promise<never>((_, reject) =>
    client.once('close', () =>
      reject(
        new Error(
          `the broker closed the connection before the configs were published: most likely another client is connected with client id '${clientId}' (a running gateway of that device takes its session back). Publish with a device of its own (an admin), or stop that client first`,
        ),
      ),
    ),
  );
  closed.catch(() => {});
  const work = async (): Promise<PublishResult[]> => {
    const retained = new Map<string, string>();
    client.on('message', (topic, payload, packet) => {
      if (packet.retain) retained.set(topic, payload.toString('utf8'));
    });
    const wanted = configs.map((c) => t.config(c.id));
    // A signal device may not read config: a refused subscription just means "unknown".
    await client.subscribeAsync(wanted, { qos: 1 }).catch(() => []);
    await new Promise((r) => setTimeout(r, options.settleMs ?? 1500));
    const out: PublishResult[] = [];
    for (const c of configs) {
      const topic = t.config(c.id);
      const text = JSON.stringify(c);
      const before = retained.get(topic);
      let previous: PublishResult['previous'] = 'none';
      if (before !== undefined) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(before);
        } catch {}
        previous = before === text ? 'same' : validateIntersection(parsed).ok ? 'valid' : 'invalid';
      }
      if (previous === 'same') {
        out.push({ id: c.id, previous, published: false });
        continue;
      }
      await client.publishAsync(topic, text, { qos: 1, retain: true });
      out.push({ id: c.id, previous, published: true });
    }
    return out;
  };
  try {
    return await Promise.race([work(), closed]);
  } finally {
    await client.endAsync().catch(() => {});
  }
}
