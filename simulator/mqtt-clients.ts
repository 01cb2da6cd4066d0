/**
 * The simulator's MQTT connections (shell). The broker's ACL lets a sensor publish only its own
 * counts and status, and the signal role only config, signal and status, so in secure mode the
 * simulator connects one client per credential: the main one (signal role, or admin) and, when
 * `sensorCredentials` gives one, a client per sensor. Each client's Last Will marks its device
 * offline; a client serving many intersections carries its Will on the first of them and
 * publishes the others' offline status itself on close.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { BrokerSession } from '../broker/index.ts';
import { superviseMqtt } from '../ops/mqtt-connection.ts';
import { mqttOptions, redactUrl } from '../ops/mqtt-options.ts';
import type { Status, Topics } from '../protocol/index.ts';

export interface MqttCredentials {
  username: string;
  password: string;
}

export interface Device {
  /** device id: the status topic's last level (its username in secure mode) */
  id: string;
  role: 'signal' | 'sensor';
  /** intersections it publishes status under */
  intersections: string[];
}

/**
 * What the simulator needs of a connection to the broker: an MQTT client (`clientLink`), or a
 * session of a broker running in this process (the bench's own, broker/in-process-session.ts),
 * which needs no MQTT packets at all.
 */
export interface Link {
  readonly connected: boolean;
  /** QoS 1; resolves once the broker has it (or when it cannot be sent: never throws) */
  publish(topic: string, payload: string, retain: boolean): Promise<void>;
  /** rejects when the broker refuses the filter */
  subscribe(filter: string, qos: 0 | 1): Promise<void>;
  onMessage(listener: (topic: string, payload: Buffer) => void): void;
  /** after a reconnect (an MQTT client only: a session has no connection to lose) */
  onReconnect(listener: () => void): void;
  /** a clean end: in-flight messages first, at most ~2 s */
  end(): Promise<void>;
}

export interface Connection {
  link: Link;
  devices: Device[];
}

/** A session of a broker in this process (broker.openSession), as the simulator uses it. */
export type SessionLike = BrokerSession;

/** A broker session as a Link: messages go to every `onMessage` listener. */
export function sessionLink(session: SessionLike): Link {
  const listeners: ((topic: string, payload: Buffer) => void)[] = [];
  return {
    get connected() {
      return session.connected;
    },
    publish: (topic, payload, retain) => session.publish(topic, payload, retain).catch(() => {}),
    subscribe: (filter) =>
      session.subscribe(filter, (topic, payload) => {
        for (const l of listeners) l(topic, payload);
      }),
    onMessage: (l) => void listeners.push(l),
    onReconnect: () => {},
    end: () => session.close(),
  };
}

/** An mqtt.js client as a Link. */
export function clientLink(client: MqttClient): Link {
  return {
    get connected() {
      return client.connected;
    },
    publish: (topic, payload, retain) => publish(client, topic, payload, retain),
    subscribe: (filter, qos) =>
      new Promise<void>((resolve, reject) =>
        client.subscribe(filter, { qos }, (err, granted) =>
          err || granted?.[0]?.qos === 128
            ? reject(new Error(`cannot subscribe to ${filter}`))
            : resolve(),
        ),
      ),
    onMessage: (l) => void client.on('message', (topic, payload) => l(topic, payload)),
    onReconnect: (l) => void client.on('connect', l),
    async end() {
      // A clean end waits for in-flight messages; a broker that is gone must not hang close().
      await Promise.race([
        new Promise<void>((resolve) => client.end(false, {}, () => resolve())),
        new Promise<void>((resolve) => setTimeout(resolve, 2000)),
      ]);
      if (!client.disconnected) client.end(true);
    },
  };
}

export const SOFTWARE = 'openphase-simulator';

export function statusPayload(device: Device, online: boolean, atMs: number): string {
  const s: Status = online
    ? { v: 1, online: true, device: device.id, role: device.role, atMs, software: SOFTWARE }
    : { v: 1, online: false, device: device.id };
  return JSON.stringify(s);
}

/**
 * Connects and waits for CONNACK; rejects with a plain-words error (never the password). Once
 * connected it reconnects for ever, also after a refusal (ops/mqtt-connection.ts).
 */
export async function connect(
  url: string,
  clientId: string,
  credentials: MqttCredentials | undefined,
  will: { topic: string; payload: string } | undefined,
  connectTimeoutMs = 10_000,
  log: (line: string) => void = () => {},
): Promise<MqttClient> {
  const options = mqttOptions({
    clientId,
    connectTimeoutMs,
    ...(credentials ? { username: credentials.username, password: credentials.password } : {}),
    ...(will
      ? { will: { topic: will.topic, payload: Buffer.from(will.payload), qos: 1, retain: true } }
      : {}),
  });
  const client = mqtt.connect(url, options);
  const sup = superviseMqtt(client, {
    component: 'simulator',
    url: redactUrl(url),
    clientId,
    ...(credentials ? { username: credentials.username } : {}),
    log,
  });
  try {
    await sup.firstConnect(connectTimeoutMs);
  } catch (e) {
    client.end(true);
    throw new Error(`cannot connect to ${redactUrl(url)} as ${clientId}: ${(e as Error).message}`);
  }
  // Small QoS 1 messages each tick: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms.
  const noDelay = () => (client.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
  noDelay();
  client.on('connect', noDelay);
  return client;
}

/**
 * Publishes at QoS 1 and resolves on PUBACK (or on error: a lost publish never throws here).
 * While the connection is down the message is dropped, not queued: mqtt.js's offline queue has
 * no bound, and a simulator that keeps ticking would fill it. Births and config are published
 * again on reconnect (see `onReconnect`).
 */
export function publish(
  client: MqttClient,
  topic: string,
  payload: string,
  retain: boolean,
): Promise<void> {
  if (!client.connected) return Promise.resolve();
  return new Promise((resolve) => {
    client.publish(topic, payload, { qos: 1, retain }, () => resolve());
  });
}

/** Birth of every device of the connection (retained). */
export async function births(conn: Connection, t: Topics, atMs: number): Promise<void> {
  await Promise.all(
    conn.devices.flatMap((d) =>
      d.intersections.map((i) =>
        conn.link.publish(t.status(i, d.id), statusPayload(d, true, atMs), true),
      ),
    ),
  );
}

/** Offline status of every device, then disconnect. Safe on a closed client. */
export async function goodbye(conn: Connection, t: Topics): Promise<void> {
  if (conn.link.connected) {
    await Promise.race([
      Promise.all(
        conn.devices.flatMap((d) =>
          d.intersections.map((i) =>
            conn.link.publish(t.status(i, d.id), statusPayload(d, false, 0), true),
          ),
        ),
      ),
      new Promise((r) => setTimeout(r, 2000)),
    ]);
  }
  await conn.link.end();
}
