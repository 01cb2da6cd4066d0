/**
 * Shared by the broker tests and the ACL contract: a registry with known passwords (built in
 * memory, low PBKDF2 iterations so tests stay fast) and small mqtt.js helpers.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { addDevice, createRegistry, type Registry } from '../../broker/index.ts';

/** The default count (DEFAULT_ITERATIONS), the most the Mosquitto export accepts. */
export const TEST_ITERATIONS = 1000;

export const passwordOf = (id: string) => `pw-${id}-secret`;

export const FIXTURE_DEVICES = [
  { id: 's1', role: 'sensor', intersections: ['a'] },
  { id: 's2', role: 'sensor', intersections: ['a'] },
  { id: 's3', role: 'sensor', intersections: ['b'] },
  { id: 'sany', role: 'sensor', intersections: '*' },
  { id: 'sig-a', role: 'signal', intersections: ['a'] },
  { id: 'ctl-a', role: 'controller', intersections: ['a'] },
  { id: 'col', role: 'collector', intersections: '*' },
  { id: 'obs', role: 'observer', intersections: ['a'] },
  { id: 'adm', role: 'admin', intersections: '*' },
  // the test harness's own admin: listens and publishes for the contract
  { id: 'ops', role: 'admin', intersections: '*' },
] as const;

/** The fixture registry; every password is {@link passwordOf}(id). */
export function fixtureRegistry(iterations = TEST_ITERATIONS): Registry {
  let reg = createRegistry();
  for (const d of FIXTURE_DEVICES) {
    reg = addDevice(
      reg,
      {
        ...d,
        intersections: d.intersections === '*' ? '*' : [...d.intersections],
        password: passwordOf(d.id),
      },
      { iterations },
    );
  }
  return reg;
}

/** Connects as a device (client id = username = id) unless options override it. */
export function connectAs(
  url: string,
  id: string,
  options: IClientOptions = {},
): Promise<MqttClient> {
  return mqtt.connectAsync(
    url,
    {
      clientId: id,
      username: id,
      password: passwordOf(id),
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ...options,
    },
    false,
  ); // false: a closed connection rejects instead of waiting for a retry
}

/** CONNACK return code of a connection attempt (0 = accepted; the client is closed again). */
export async function connackCode(url: string, options: IClientOptions): Promise<number> {
  try {
    const c = await mqtt.connectAsync(url, {
      reconnectPeriod: 0,
      connectTimeout: 5000,
      ...options,
    });
    await c.endAsync();
    return 0;
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    throw e;
  }
}

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

/** Records every message a client receives. */
export function record(client: MqttClient): Received[] {
  const got: Received[] = [];
  client.on('message', (topic, payload, packet) => {
    got.push({ topic, payload: payload.toString(), retain: packet.retain });
  });
  return got;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `check()` is true; throws after `timeoutMs` with `what` in the message. */
export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Resolves when the client's connection closes (or after `ms`, with false). */
export function closedWithin(client: MqttClient, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (!client.connected) return resolve(true);
    const t = setTimeout(() => resolve(false), ms);
    client.once('close', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

/**
 * Subscribes and returns the granted QoS, or 128 when the broker refused the filter (mqtt.js
 * rejects on a refused SUBACK; the contract cares about what arrives, not about the code).
 */
export async function subscribeGranted(client: MqttClient, filter: string): Promise<number> {
  try {
    const granted = await client.subscribeAsync(filter, { qos: 1 });
    return granted[0]?.qos ?? 128;
  } catch (e) {
    if ((e as Error).name === 'ErrorWithSubackPacket' || /Subscribe error/.test(String(e))) {
      return 128;
    }
    throw e;
  }
}

/** One QoS 0 PUBLISH, encoded by hand: a burst of them costs the client nothing. */
export function publishPacket(topic: string, payload: Buffer | string): Buffer {
  const t = Buffer.from(topic);
  const p = Buffer.from(payload);
  const len: number[] = [];
  let n = 2 + t.length + p.length;
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    len.push(byte);
  } while (n > 0);
  return Buffer.concat([Buffer.from([0x30, ...len, t.length >> 8, t.length & 0xff]), t, p]);
}

/**
 * Leaves a persistent QoS 1 session of the collector `col` on every intersection's counts, then
 * disconnects: what is published next is queued for it. Returns its connect options.
 */
export async function leaveCollectorSession(url: string) {
  const session = { clientId: 'col', username: 'col', password: passwordOf('col'), clean: false };
  const away = await mqtt.connectAsync(url, { ...session, reconnectPeriod: 0 });
  await away.subscribeAsync('traffic/v1/+/counts/+', { qos: 1 });
  await away.endAsync();
  return { ...session, reconnectPeriod: 0 };
}
