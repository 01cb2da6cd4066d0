/**
 * The simulator's MQTT connections (shell). The broker's ACL lets a sensor publish only its own
 * counts and status, and the signal role only config, signal and status, so in secure mode the
 * simulator connects one client per credential: the main one (signal role, or admin) and, when
 * `sensorCredentials` gives one, a client per sensor. Each client's Last Will marks its device
 * offline; a client serving many intersections carries its Will on the first of them and
 * publishes the others' offline status itself on close.
 */
import type { Duplex } from 'node:stream';
import mqtt, { MqttClient } from 'mqtt';
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

export interface Connection {
  client: MqttClient;
  devices: Device[];
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
 * connected it reconnects for ever, also after a refusal (ops/mqtt-connection.ts). With
 * `stream` (a broker in this process: a new connection to it per call) the packets go through
 * it instead of a socket to `url`.
 */
export async function connect(
  url: string,
  clientId: string,
  credentials: MqttCredentials | undefined,
  will: { topic: string; payload: string } | undefined,
  connectTimeoutMs = 10_000,
  log: (line: string) => void = () => {},
  stream?: () => Duplex,
): Promise<MqttClient> {
  const options = mqttOptions({
    clientId,
    connectTimeoutMs,
    ...(credentials ? { username: credentials.username, password: credentials.password } : {}),
    ...(will
      ? { will: { topic: will.topic, payload: Buffer.from(will.payload), qos: 1, retain: true } }
      : {}),
  });
  const client = stream ? new MqttClient(stream, options) : mqtt.connect(url, options);
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
        publish(conn.client, t.status(i, d.id), statusPayload(d, true, atMs), true),
      ),
    ),
  );
}

/** Offline status of every device, then disconnect. Safe on a closed client. */
export async function goodbye(conn: Connection, t: Topics): Promise<void> {
  if (conn.client.connected) {
    await Promise.race([
      Promise.all(
        conn.devices.flatMap((d) =>
          d.intersections.map((i) =>
            publish(conn.client, t.status(i, d.id), statusPayload(d, false, 0), true),
          ),
        ),
      ),
      new Promise((r) => setTimeout(r, 2000)),
    ]);
  }
  // A clean end waits for in-flight messages; a broker that is gone must not hang close().
  await Promise.race([
    new Promise<void>((resolve) => conn.client.end(false, {}, () => resolve())),
    new Promise<void>((resolve) => setTimeout(resolve, 2000)),
  ]);
  if (!conn.client.disconnected) conn.client.end(true);
}
