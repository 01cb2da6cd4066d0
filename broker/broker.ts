/**
 * The embedded broker: aedes with device credentials, role ACLs, payload and rate limits, over
 * TCP/TLS and WebSocket. A shell: the gatekeeper (gatekeeper.ts) answers aedes' hooks from the
 * pure modules; this file owns the lifecycle, the listeners and the registry source.
 *
 * @example
 * const broker = createBroker({ port: 0, devices: registry });
 * const { url } = await broker.start();   // 'mqtt://127.0.0.1:40123'
 * await broker.close();
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Aedes, type AedesOptions, type Client, type PublishPacket } from 'aedes';
import { createWebSocketStream, type WebSocket } from 'ws';
import { assertRoot, DEFAULT_ROOT } from '../protocol/index.ts';
import type { BackoffPolicy } from './auth-backoff.ts';
import { flattenReleases, type QueuedEmitter } from './emitter-depth.ts';
import { FrameGuard } from './frame-guard.ts';
import { createGatekeeper } from './gatekeeper.ts';
import { type BrokerSession, type OpenedSession, openSession } from './in-process-session.ts';
import { DEFAULT_MAX_CONSECUTIVE_REFUSALS, type RateLimit } from './limits.ts';
import {
  attachWebSocket as attachWs,
  closeServer,
  listenTcp,
  listenWebSocket,
  loadTls,
  type TlsMaterial,
} from './listeners.ts';
import { createMemoryPersistence } from './memory-persistence.ts';
import { loadRegistry, type Registry, validateRegistry } from './registry.ts';
import { paceReplays, REPLAY_ROOM_BYTES, type ReplayingStore } from './replay-pace.ts';
import type { BrokerStarted, BrokerStats } from './types.ts';
import { DEFAULT_WRITE_LIMITS } from './write-batch.ts';

export interface BrokerOptions {
  /** Interface to bind; default 127.0.0.1. */
  host?: string;
  /** MQTT over TCP (mqtts with `tls`); 0 picks a free port; default 1883. */
  port?: number;
  /** MQTT over WebSocket at /mqtt on its own port (wss with `tls`); none when absent. */
  wsPort?: number;
  /** Certificate and key (PEM text or file paths): TCP becomes mqtts and WebSocket wss. */
  tls?: TlsMaterial;
  /** The device registry, or the path of its YAML/JSON file (read at start and reload()). */
  devices?: Registry | string;
  /** Allow clients without a username (they get admin rights). Logs a warning at start. */
  insecure?: boolean;
  /** Topic root; default 'traffic'. */
  root?: string;
  /**
   * Largest payload delivered; a bigger one is acknowledged and dropped (counted as refused
   * `oversize`), as Mosquitto's `message_size_limit` does. Default 64 KiB.
   */
  maxPayloadBytes?: number;
  /**
   * Hard limit on one MQTT packet (remaining length); a packet announcing more cuts the
   * connection before its body is read. Default 256 KiB, and at least the payload limit + 4 KiB.
   */
  maxPacketBytes?: number;
  /**
   * Retained bytes (topic + payload) one device may hold; a retained publish past it is
   * refused (`retained-quota`). Admins are not bounded. Default: scaled to what the device
   * serves (1 MiB, 16 KiB per listed intersection if more, 32 MiB for `*`; retained.ts).
   */
  maxRetainedBytes?: number;
  /**
   * Per-device publish token bucket, one limit for every device; `false` turns it off.
   * Default: scaled to what the device serves (2,000/s, 20/s per listed intersection if more,
   * 50,000/s for `*`; limits.ts `rateFor`).
   */
  rateLimit?: RateLimit | false;
  /**
   * A subscriber that stops reading is disconnected when what the broker could not send it
   * yet passes `maxBacklogBytes` (default 16 MiB) or has not drained for `drainTimeoutMs`
   * (default 10 s); nobody else waits for it meanwhile (write-batch.ts).
   */
  drainTimeoutMs?: number;
  maxBacklogBytes?: number;
  /**
   * Turns of the event loop what the broker writes to a connection is gathered over before it
   * leaves as one write (default 1). aedes acknowledges a QoS 1 publish a turn before it routes
   * it and writes each delivery a turn after that; in lockstep (the bench) 3 lets a tick's
   * acknowledgements and the next tick's messages, which follow them two turns later, leave
   * together: one system call instead of two, at the price of two turns of latency.
   */
  writeTurns?: number;
  /** Refusals in a row after which a device is disconnected; default 100. */
  maxConsecutiveRefusals?: number;
  /** Wrong-password back-off per address and per device id (auth-backoff.ts). */
  backoff?: BackoffPolicy;
  /** Where log lines go; default console.error. Never receives a password. */
  log?: (line: string) => void;
  /** Monotonic milliseconds, for the limits; default performance.now. */
  now?: () => number;
  /** An aedes persistence (e.g. aedes-persistence-redis) instead of the in-memory one. */
  persistence?: unknown;
}

/** Room for the topic, packet id and properties around the payload, in the frame guard. */
const FRAME_OVERHEAD = 4096;
export const DEFAULT_MAX_PAYLOAD_BYTES = 64 * 1024;
/** Bounds what aedes' parser buffers per connection (it holds a whole packet before any hook). */
export const DEFAULT_MAX_PACKET_BYTES = 256 * 1024;

type PublishFn = (packet: PublishPacket, client: Client | null, done?: (e?: Error) => void) => void;

export function createBroker(options: BrokerOptions = {}) {
  const host = options.host ?? '127.0.0.1';
  const root = assertRoot(options.root ?? DEFAULT_ROOT);
  const maxPayload = options.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  // false: off; undefined: per device, scaled to what it serves; a limit: that one for all
  const rate = options.rateLimit === false ? false : options.rateLimit;
  const maxRefusals = options.maxConsecutiveRefusals ?? DEFAULT_MAX_CONSECUTIVE_REFUSALS;
  const log = options.log ?? ((line: string) => console.error(line));
  const now = options.now ?? (() => performance.now());
  const tls = options.tls ? loadTls(options.tls) : undefined;
  const insecure = options.insecure === true;
  if (rate && !(rate.perSecond > 0 && rate.burst >= 1)) {
    throw new Error('rateLimit needs perSecond > 0 and burst >= 1');
  }

  let source = options.devices;
  const detachers: (() => void)[] = [];
  const maxRetainedBytes = options.maxRetainedBytes;
  const gk = createGatekeeper({
    root,
    insecure,
    maxPayload,
    rate,
    maxRefusals,
    maxRetainedBytes,
    log,
    now,
    ...(options.backoff ? { backoff: options.backoff } : {}),
  });
  const { counters, credentials, gatedLog } = gk;
  const resolveRegistry = (): Registry | undefined =>
    source === undefined
      ? undefined
      : typeof source === 'string'
        ? loadRegistry(source)
        : validateRegistry(source);
  if (source !== undefined && typeof source !== 'string') gk.setRegistry(validateRegistry(source));

  // a replay leaves most of what a connection may hold unsent to the live messages
  const replayRoom = Math.min(
    REPLAY_ROOM_BYTES,
    (options.maxBacklogBytes ?? DEFAULT_WRITE_LIMITS.maxBacklogBytes) / 4,
  );
  /** The connection of a client, when it is one of ours. */
  let connOf: (id: string) => unknown = () => undefined;
  const aedes: Aedes = new Aedes({
    maxClientsIdLength: 64,
    // in memory by default, with each client's queue indexed (memory-persistence.ts); a
    // session's backlog replayed at its reader's pace (replay-pace.ts)
    persistence: paceReplays(
      (options.persistence ?? createMemoryPersistence()) as ReplayingStore,
      (id): Promise<void> | undefined => {
        const conn = connOf(id);
        return conn instanceof FrameGuard ? conn.whenRoom(replayRoom) : undefined;
      },
    ) as unknown as AedesOptions['persistence'],
    ...gk.hooks,
  });
  connOf = (id) =>
    (aedes as unknown as { clients: Record<string, { conn?: unknown } | undefined> }).clients[id]
      ?.conn;

  // aedes has no "refuse without disconnecting": the refused packet is acknowledged by aedes
  // as usual, and here it is not handed on (no subscriber, no retained store, no event).
  const rawPublish = aedes.publish.bind(aedes) as unknown as PublishFn;
  (aedes as unknown as { publish: PublishFn }).publish = (packet, client, done) => {
    if (typeof client === 'function') return rawPublish(packet, null, client);
    if (gk.takeRefused(packet)) return done?.();
    if (client) counters.published();
    rawPublish(packet, client, done);
  };

  // When aedes hands a message to its emitter (after the retained store and offline queues), an
  // in-process session's publish resolves: what it publishes next is emitted after it, and
  // reaches every subscriber after it (aedes delivers in emission order).
  const emittedWaiters = new WeakMap<Buffer, () => void>();
  const aedesMq = (aedes as unknown as { mq: QueuedEmitter }).mq;
  // a backlog drained at once must not become one synchronous chain (emitter-depth.ts)
  flattenReleases(aedesMq);
  const mq = aedesMq as unknown as { emit(packet: PublishPacket, cb?: () => void): void };
  const rawEmit = mq.emit.bind(mq);
  mq.emit = (packet, cb) => {
    rawEmit(packet, cb);
    const waiter = Buffer.isBuffer(packet.payload) ? emittedWaiters.get(packet.payload) : undefined;
    if (!waiter) return;
    emittedWaiters.delete(packet.payload as Buffer);
    waiter();
  };
  const whenEmitted = (payload: Buffer, then: () => void) => emittedWaiters.set(payload, then);

  const frameLimit = Math.max(
    options.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES,
    maxPayload + FRAME_OVERHEAD,
  );
  const writeLimits = {
    maxBacklogBytes: options.maxBacklogBytes ?? DEFAULT_WRITE_LIMITS.maxBacklogBytes,
    drainTimeoutMs: options.drainTimeoutMs ?? DEFAULT_WRITE_LIMITS.drainTimeoutMs,
    turns: options.writeTurns ?? 1,
  };
  const handle = (stream: Duplex, req?: IncomingMessage) => {
    const guard: FrameGuard & { client?: Client } = new FrameGuard(
      stream,
      frameLimit,
      (v) => {
        const id = guard.client?.id ?? 'unknown';
        counters.refused(id, v === 'oversize' ? 'too-large' : 'malformed');
        counters.disconnected(v === 'oversize' ? 'too-large' : 'malformed');
        gatedLog(`broker: ${id} sent an ${v} packet (limit ${frameLimit} bytes): disconnected`);
      },
      writeLimits,
      (reason, backlogBytes) => {
        const id = guard.client?.id ?? 'unknown';
        counters.disconnected('stopped-reading');
        gatedLog(
          `broker: ${id} stopped reading (${backlogBytes} bytes unsent, ` +
            `${reason === 'backlog' ? `over ${writeLimits.maxBacklogBytes}` : `not drained in ${writeLimits.drainTimeoutMs} ms`}): disconnected`,
        );
      },
    );
    guard.remoteAddress ??= req?.socket.remoteAddress;
    aedes.handle(guard, req);
  };

  /** in-process sessions (openSession): reconciled on reload, closed with the broker */
  const sessions = new Set<OpenedSession>();

  let tcp: Awaited<ReturnType<typeof listenTcp>> | undefined;
  let ws: { server: Server; port: number; detach: () => void } | undefined;
  let starting: Promise<BrokerStarted> | undefined;
  let closing: Promise<void> | undefined;

  const start = async (): Promise<BrokerStarted> => {
    const reg = resolveRegistry();
    if (reg) gk.setRegistry(reg);
    await aedes.listen();
    if (insecure) {
      log('broker: WARNING --insecure: clients without credentials are accepted with admin rights');
    }
    if (!reg && !insecure) {
      log('broker: no device registry: every connection will be refused (give --devices)');
    }
    tcp = await listenTcp(host, options.port ?? 1883, tls, handle);
    if (options.wsPort !== undefined) {
      ws = await listenWebSocket(host, options.wsPort, tls, '/mqtt', frameLimit, handle);
    }
    const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    const started: BrokerStarted = {
      port: tcp.port,
      url: `${tls ? 'mqtts' : 'mqtt'}://${shown}:${tcp.port}`,
      ...(ws ? { wsPort: ws.port, wsUrl: `${tls ? 'wss' : 'ws'}://${shown}:${ws.port}/mqtt` } : {}),
    };
    log(
      `broker: listening on ${started.url}${started.wsUrl ? ` and ${started.wsUrl}` : ''} ` +
        `(root '${root}', ${gk.deviceCount()} devices)`,
    );
    return started;
  };

  const shutdown = (): Promise<void> => {
    closing ??= (async () => {
      for (const d of detachers.splice(0)) d();
      await Promise.all([...sessions].map((x) => x.close()));
      sessions.clear();
      ws?.detach();
      const servers = [tcp?.close(), ws ? closeServer(ws.server) : undefined];
      if (!aedes.closed) await new Promise<void>((resolve) => aedes.close(() => resolve()));
      await Promise.all(servers);
    })();
    return closing;
  };

  return {
    aedes,
    /**
     * Listens (TCP, optional WebSocket); loads the registry file. Calling it again is a no-op.
     * A failure (a port in use…) releases what did start, so the process can exit at once.
     */
    start(): Promise<BrokerStarted> {
      starting ??= start().catch(async (e: unknown) => {
        await shutdown();
        throw e;
      });
      return starting;
    },
    /** Stops listening, disconnects everyone. Safe to call twice. */
    close(): Promise<void> {
      return (async () => {
        await starting?.catch(() => undefined);
        await shutdown();
      })();
    },
    stats(): BrokerStats {
      return {
        clients: aedes.closed ? 0 : aedes.connectedClients,
        ...counters.snapshot(),
        auth: credentials.stats(),
      };
    },
    /**
     * Re-reads the registry (or takes a new one). Sessions of removed devices and of devices
     * whose password changed are disconnected; a new role or new intersections apply to the
     * live session (`openphase devices update`).
     */
    reload(devicesOrPath?: Registry | string): void {
      if (devicesOrPath !== undefined) source = devicesOrPath;
      gk.setRegistry(resolveRegistry() ?? { version: 1, devices: [] });
      const clients = (aedes as unknown as { clients: Record<string, Client> }).clients;
      for (const client of Object.values(clients)) {
        const verdict = gk.reconcile(client);
        if (verdict === 'updated') {
          log(`broker: ${client.id}: new role or intersections applied to its live session`);
        } else if (verdict === 'revoked') {
          counters.disconnected('revoked');
          log(`broker: ${client.id} disconnected: removed, or its password changed`);
          client.close();
        }
      }
      for (const session of sessions) {
        if (gk.reconcile(session.client) !== 'revoked') continue;
        counters.disconnected('revoked');
        log(`broker: ${session.client.id} (in-process) closed: removed, or its password changed`);
        sessions.delete(session);
        void session.close();
      }
    },
    /** MQTT over WebSocket on another HTTP server (the dashboard's), at `path`. */
    attachWebSocket(server: Server, path = '/mqtt'): void {
      detachers.push(attachWs(server, path, frameLimit, handle).detach);
    },
    /** One WebSocket already upgraded elsewhere (e.g. a @fastify/websocket route). */
    handleWebSocket(socket: WebSocket, req?: IncomingMessage): void {
      const stream = createWebSocketStream(socket);
      stream.on('error', () => socket.terminate());
      handle(stream, req);
    },
    /** Any byte stream as one MQTT connection (tests without sockets, custom transports). */
    handle,
    /**
     * A session for code of this process (the bench's simulator) without MQTT packets: its
     * publishes go straight into the broker's routing and its subscriptions hear straight from
     * it, each checked by the same gatekeeper as a connection's — credential, ACL, limits
     * (in-process-session.ts). Rejects when the credential is refused.
     */
    async openSession(
      clientId: string,
      credentials: { username: string; password: string } | undefined,
    ): Promise<BrokerSession> {
      if (aedes.closed) throw new Error('the broker is closed');
      const session = await openSession(
        { aedes, gk, rawPublish, whenEmitted },
        clientId,
        credentials,
      );
      sessions.add(session);
      const close = session.close;
      return Object.assign(session, {
        close: () => {
          sessions.delete(session);
          return close();
        },
      });
    },
  };
}

export type Broker = ReturnType<typeof createBroker>;
