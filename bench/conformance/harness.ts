/**
 * What both conformance runs need (shell): the conformance broker — the embedded aedes broker
 * with a fresh credential per party, that can cut one client's connection (the broker then
 * publishes its Last Will) and restart on the same port — and a probe of retained messages.
 */
import { rmSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import {
  addDevice,
  type Broker,
  createBroker,
  createRegistry,
  type Role,
} from '../../broker/index.ts';
import { createVendorProcess, type VendorCredential, writeCredentialFile } from '../vendor.ts';
import { type Check, type Observed, verdict } from './checks.ts';

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
  on(event: 'client', f: (c: { id: string; version?: number }) => void): void;
}

export interface ConformanceBroker {
  readonly url: string;
  /** true while a client with this id is connected */
  connected(id: string): boolean;
  /** how many times a client with this id has connected, over restarts */
  connects(id: string): number;
  /** the MQTT protocol level of its last CONNECT: 3 (MQTT 3.1), 4 (3.1.1) */
  protocolVersion(id: string): number | undefined;
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
  const versions = new Map<string, number>();
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
    (broker.aedes as unknown as AedesLike).on('client', (c) => {
      counts.set(c.id, (counts.get(c.id) ?? 0) + 1);
      if (c.version !== undefined) versions.set(c.id, c.version);
    });
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
    protocolVersion: (id) => versions.get(id),
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

/** What a conformance run undoes at its end, last first. */
export type Cleanup = (() => Promise<unknown>)[];

/** The conformance client's credential: its own on the conformance broker, the user's on a city's. */
export function observerCredential(
  broker: ConformanceBroker | undefined,
  me: VendorCredential,
  external?: { username?: string; password?: string },
): VendorCredential | undefined {
  if (broker) return me;
  return external?.username
    ? { username: external.username, password: external.password ?? '' }
    : undefined;
}

/** The one connection that records (and drives ticks); the client id must equal the device id. */
export async function connectObserver(
  url: string,
  creds: VendorCredential | undefined,
  cleanup: Cleanup,
): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, {
    clientId: creds?.username ?? `openphase-conformance-${process.pid}`,
    ...(creds ?? {}),
    reconnectPeriod: 300,
    connectTimeout: 10_000,
  });
  client.on('error', () => {});
  cleanup.push(() => client.endAsync().catch(() => undefined));
  (client.stream as { setNoDelay?: (v: boolean) => void }).setNoDelay?.(true);
  return client;
}

export interface DeviceUnderTest {
  /** true once a program we started has exited */
  exited(): boolean;
  /** `; the program exited (code 1), see LOG` once it has, else '' — appended to failure details */
  exitNote(): string;
}

/**
 * Starts the program under test (`spawn`) with only its own credential (never the caller's), or,
 * on the conformance broker without `spawn`, writes that credential to a file the user starts
 * the device with (deleted at the end). On a city's broker the device is already running.
 */
export function startDeviceUnderTest(
  o: {
    kind: 'controller' | 'sensor';
    id: string;
    url: string;
    root: string;
    workDir: string;
    /** its credential on the conformance broker; undefined on a city's broker */
    credential: VendorCredential | undefined;
    spawn?: string;
    onNotice?: (line: string) => void;
  },
  cleanup: Cleanup,
): DeviceUnderTest {
  const log = `${o.workDir}/${o.id}.log`;
  if (o.spawn) {
    const p = createVendorProcess(
      o.spawn,
      {
        OPENPHASE_MQTT_URL: o.url,
        OPENPHASE_ROOT: o.root,
        ...(o.credential
          ? {
              OPENPHASE_MQTT_USERNAME: o.credential.username,
              OPENPHASE_MQTT_PASSWORD: o.credential.password,
            }
          : {}),
      },
      log,
    );
    p.start();
    cleanup.push(() => p.close());
    return {
      exited: () => p.exited() !== undefined,
      exitNote: () => (p.exited() ? `; the program exited (${p.exited()}), see ${log}` : ''),
    };
  }
  if (o.credential) {
    const dir = `${o.workDir}/.credentials`;
    const file = writeCredentialFile(dir, o.url, o.root, o.credential);
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    o.onNotice?.(
      `start the ${o.kind} now with the broker address and credential in ${file} (read it with: set -a; . ${file}; set +a); it is deleted at the end`,
    );
  }
  return { exited: () => false, exitNote: () => '' };
}

/** The `connects` check on the conformance broker: connected as `id` within `connectMs`. */
export async function checkConnects(
  broker: ConformanceBroker,
  id: string,
  connectMs: number,
  dut: DeviceUnderTest,
  title: string,
): Promise<Check> {
  const ok = await until(() => broker.connected(id), connectMs, dut.exited);
  const level = broker.protocolVersion(id);
  return verdict(
    'connects',
    title,
    ok,
    `connected as ${id} over ${level !== undefined ? mqttVersionName(level) : 'MQTT'}`,
    `not connected within ${connectMs / 1000} s${dut.exitNote()} (this broker, like the embedded one, speaks MQTT 3.1.1 and 3.1: an MQTT 5 client is refused at CONNECT)`,
  );
}

/** The MQTT version of a CONNECT protocol level: 3 → MQTT 3.1, 4 → MQTT 3.1.1, 5 → MQTT 5. */
export function mqttVersionName(level: number): string {
  return level === 3
    ? 'MQTT 3.1'
    : level === 4
      ? 'MQTT 3.1.1'
      : level === 5
        ? 'MQTT 5'
        : `MQTT level ${level}`;
}
