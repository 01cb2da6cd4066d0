/**
 * What both conformance runs need (shell): the conformance broker — the embedded aedes broker
 * with a fresh credential per party, that can cut one client's connection (the broker then
 * publishes its Last Will) and restart on the same port — and a probe of retained messages.
 */
import type { MqttClient } from 'mqtt';
import {
  addDevice,
  type Broker,
  createBroker,
  createRegistry,
  type Role,
} from '../../broker/index.ts';
import type { Observed } from './checks.ts';

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `ok` every 50 ms; false when `ms` passed first or `stop` said so. */
export async function until(ok: () => boolean, ms: number, stop?: () => boolean): Promise<boolean> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end || stop?.()) return false;
    await sleep(50);
  }
  return true;
}

export interface Party {
  id: string;
  role: Role;
  intersections: '*' | string[];
  password: string;
}

interface AedesLike {
  clients: Record<string, { close(): void } | undefined>;
  on(event: 'client', f: (c: { id: string }) => void): void;
}

export interface ConformanceBroker {
  readonly url: string;
  /** true while a client with this id is connected */
  connected(id: string): boolean;
  /** how many times a client with this id has connected, over restarts */
  connects(id: string): number;
  /** closes the client's connection without a DISCONNECT: the broker publishes its Will */
  drop(id: string): void;
  /** stops the broker (retained messages and sessions are lost) and starts it on the same port */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** @example const b = await startConformanceBroker([{ id: 'acme', role: 'controller', intersections: '*', password }]) */
export async function startConformanceBroker(
  parties: readonly Party[],
): Promise<ConformanceBroker> {
  let reg = createRegistry();
  // 10 000 PBKDF2 iterations: the broker lives for one check, the passwords are random
  for (const p of parties) reg = addDevice(reg, p, { iterations: 10_000 });
  const counts = new Map<string, number>();
  let port = 0;
  let broker: Broker | undefined;
  let url = '';
  const start = async () => {
    broker = createBroker({
      host: '127.0.0.1',
      port,
      devices: reg,
      rateLimit: false,
      log: () => {},
    });
    (broker.aedes as unknown as AedesLike).on('client', (c) =>
      counts.set(c.id, (counts.get(c.id) ?? 0) + 1),
    );
    const started = await broker.start();
    port = started.port;
    url = started.url;
  };
  await start();
  const clients = () => (broker!.aedes as unknown as AedesLike).clients;
  return {
    get url() {
      return url;
    },
    connected: (id) => Boolean(clients()[id]),
    connects: (id) => counts.get(id) ?? 0,
    drop: (id) => clients()[id]?.close(),
    async restart() {
      await broker!.close();
      await start();
    },
    close: async () => broker?.close(),
  };
}

/**
 * What a NEW subscriber to `filter` receives at once: the retained messages. The client
 * unsubscribes and subscribes again, since a broker sends retained messages on subscribe only
 * (and clears the retain flag on live deliveries).
 */
export async function probeRetained(
  client: MqttClient,
  filter: string,
  matches: (topic: string) => boolean,
  waitMs = 500,
): Promise<Observed[]> {
  const got: Observed[] = [];
  const onMessage = (topic: string, payload: Buffer, packet: { retain?: boolean }) => {
    if (packet.retain && matches(topic))
      got.push({ topic, intersection: '', payload, atMs: Date.now(), retained: true });
  };
  client.on('message', onMessage);
  try {
    await client.unsubscribeAsync(filter);
    await client.subscribeAsync(filter, { qos: 1 });
    await sleep(waitMs);
  } finally {
    client.off('message', onMessage);
  }
  return got;
}
