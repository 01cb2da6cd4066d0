/**
 * MQTT input with durable acknowledgement (shell).
 *
 * A persistent session (`clean: false`, fixed client id) at QoS 1, and a PUBACK sent only once
 * the message is durable on our side (written to the sink or appended to the spool), in the
 * order the messages came [MQTT-4.6.0-2]. So `kill -9` loses nothing the broker delivered:
 * whatever was not yet acknowledged is redelivered to the same session.
 *
 * How, with mqtt.js 5: its packet pump handles one packet at a time and sends the PUBACK when
 * `handleMessage`'s callback runs, so delaying that callback until a batch is written would
 * let only one message through per batch. Instead the callback runs as soon as the message is
 * queued (or later, when the pipeline is full: that is our backpressure — the socket stops
 * being read and the broker holds the messages), and the PUBACK packet itself is held back at
 * the client's `_sendPacket` until the message is durable. Held PUBACKs belong to one
 * connection: on reconnect they are dropped (their message ids mean nothing to the new
 * connection) and the broker redelivers those messages; a point overwrites itself.
 */
import { createConnection, type Socket } from 'node:net';
import { type Duplex, Writable } from 'node:stream';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import { type ConnectionStats, type Supervised, superviseMqtt } from '../ops/mqtt-connection.ts';
import { type Backoff, mqttOptions, redactUrl } from '../ops/mqtt-options.ts';
import { createMqttFramer, FRAME, frameOut } from './mqtt-frames.ts';

export { redactUrl };

export interface MqttInOptions {
  url: string;
  username?: string;
  password?: string;
  clientId: string;
  /**
   * Subscription filters at QoS 1, in stages: each stage is subscribed once the previous one is
   * acknowledged (e.g. configs first, so their retained copies come before the data).
   */
  filters: string[][];
  /**
   * Every message; call `durable` once its points are written or spooled. `payload` is valid
   * only during the call: it may be a view of the socket's read buffer, which the next read
   * writes over — copy what is kept.
   */
  onMessage(topic: string, payload: Buffer, durable: () => void): void;
  /** false pauses reading from the broker */
  accepting(): boolean;
  whenAccepting(cb: () => void): void;
  log?(line: string): void;
  /** ms to wait for the first connection (default 10,000) */
  connectTimeoutMs?: number;
  backoff?: Backoff;
  /**
   * Another client took our session (same client id): what we saw of each sensor's stream has
   * holes that are not losses (the other client got those messages).
   */
  onTakeover?(): void;
}

export interface MqttIn {
  start(): Promise<void>;
  close(): Promise<void>;
  connected(): boolean;
  connection(): ConnectionStats;
  /** PUBACKs waiting for their message to become durable */
  heldAcks(): number;
}

interface Held {
  messageId: number;
  gen: number;
  durable: boolean;
  /** mqtt.js got to sending its PUBACK (the packet pump moved on); we send it once durable */
  acked: boolean;
}

function noop() {}

/**
 * Bytes a plain TCP connection reads at once into its one buffer (Node's own reads allocate 64
 * KiB each).
 */
const READ_BUFFER_BYTES = 64 * 1024;

/** mqtt.js's options for the connection it is about to open (its own object, read as-is). */
interface StreamOptions {
  protocol?: string;
  hostname?: string;
  host?: string;
  port?: number;
  socksProxy?: unknown;
  unixSocket?: boolean;
  servers?: unknown;
}

/**
 * A plain TCP connection (mqtt://, tcp://, as mqtt.js would open it) that reads into one buffer
 * of its own instead of a fresh one per read: each read's bytes go to `feed`, which returns
 * false to stop reading until it calls `resume`. Other transports (TLS, WebSocket, a SOCKS
 * proxy, a Unix socket): undefined, and mqtt.js opens them as before.
 */
function reusedReadSocket(o: StreamOptions) {
  if (o.protocol !== 'mqtt' && o.protocol !== 'tcp') return undefined;
  if (o.socksProxy || o.unixSocket || o.servers) return undefined;
  const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  const conn = {
    feed: (_bytes: Buffer): boolean => true,
    socket: undefined as unknown as Socket,
  };
  conn.socket = createConnection({
    port: o.port ?? 1883,
    host: o.hostname ?? o.host ?? 'localhost',
    onread: { buffer, callback: (n: number) => conn.feed(buffer.subarray(0, n)) },
  });
  return conn;
}

type SendPacket = (packet: { cmd: string; messageId?: number }, cb?: () => void) => void;

export function createMqttIn(opts: MqttInOptions): MqttIn {
  let client: MqttClient | undefined;
  let supervised: Supervised | undefined;
  let gen = 0;
  let fifo: Held[] = [];
  let head = 0;
  /** the message whose handleMessage callback is running: its PUBACK is the next one sent */
  let expecting: Held | undefined;
  /** resolves start() once the first connection's subscriptions are acknowledged */
  let subscribed: (() => void) | undefined;

  function reset() {
    gen++;
    fifo = [];
    head = 0;
  }

  /**
   * Sends the PUBACKs of the leading durable messages, in arrival order. A batch releases
   * thousands at once: they go out as one buffer in one socket write (MQTT 3.1.1 PUBACK: 0x40,
   * remaining length 2, the message id), not as three stream writes each through mqtt.js.
   */
  function release() {
    const from = head;
    let n = 0;
    while (head < fifo.length) {
      const h = fifo[head]!;
      if (!h.durable || !h.acked) break;
      head++;
      if (h.gen === gen) n++;
    }
    if (n > 0 && client?.connected) {
      const buf = Buffer.allocUnsafe(4 * n);
      let o = 0;
      for (let i = from; i < head; i++) {
        const h = fifo[i]!;
        if (h.gen !== gen) continue;
        buf[o] = 0x40;
        buf[o + 1] = 2;
        buf.writeUInt16BE(h.messageId, o + 2);
        o += 4;
      }
      client.stream.write(buf);
    }
    if (head > 1024 && head * 2 > fifo.length) {
      fifo = fifo.slice(head);
      head = 0;
    }
  }

  let releasing = false;
  /** A batch makes thousands of messages durable in one go: release them together, after. */
  function scheduleRelease() {
    if (releasing) return;
    releasing = true;
    process.nextTick(() => {
      releasing = false;
      release();
    });
  }

  function markDurable(h: Held) {
    if (h.gen !== gen) return;
    h.durable = true;
    scheduleRelease();
  }

  // mqtt.js sends the PUBACK synchronously inside `callback`: mark whose it is.
  function ack(h: Held | undefined, callback: (err?: Error) => void) {
    expecting = h;
    try {
      callback();
    } finally {
      expecting = undefined;
    }
  }

  // Hot path, once per message. The callbacks are written inline (no named closures: under
  // tsx every named function expression costs a call to its name helper per message).
  function handle(packet: IPublishPacket, callback: (err?: Error) => void) {
    let h: Held | undefined;
    if (packet.qos > 0 && packet.messageId !== undefined) {
      h = { messageId: packet.messageId, gen, durable: false, acked: false };
      fifo.push(h);
    }
    const held = h;
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    try {
      opts.onMessage(packet.topic, payload, held ? () => markDurable(held) : noop);
    } catch (e) {
      // onMessage must not throw; if it does, the message stays unacknowledged (redelivered later).
      opts.log?.(`collector: message handler failed: ${(e as Error).message}`);
    }
    if (opts.accepting()) ack(held, callback);
    else opts.whenAccepting(() => ack(held, callback));
  }

  /**
   * A PUBLISH read by the framer (the fast path): the same as `handle`, but nothing waits on
   * mqtt.js's pump, so its PUBACK may go as soon as the message is durable.
   */
  function deliver(topic: string, payload: Buffer, qos: number, messageId: number) {
    let h: Held | undefined;
    if (qos > 0) {
      h = { messageId, gen, durable: false, acked: true };
      fifo.push(h);
    }
    const held = h;
    try {
      opts.onMessage(topic, payload, held ? () => markDurable(held) : noop);
    } catch (e) {
      opts.log?.(`collector: message handler failed: ${(e as Error).message}`);
    }
  }

  /** the stream whose CONNACK mqtt.js has turned into 'connect' (reset() done) */
  let connectedStream: unknown;

  /**
   * Stands between the socket and mqtt.js's own input: PUBLISH packets at QoS 0/1 go to
   * `deliver` straight from the received bytes (collector/mqtt-frames.ts); every other packet is
   * handed to mqtt.js as its bytes, and the next packet waits until mqtt.js has taken it — so
   * everything keeps arrival order, and after a CONNACK no message is read until mqtt.js has
   * emitted 'connect' (whose reset() would otherwise drop the acknowledgements of messages read
   * before it). Backpressure as in `handle`: while the pipeline is full, no more is read.
   */
  function inbound(
    c: MqttClient,
    stream: unknown,
    dest: NodeJS.WritableStream,
  ): { writable: Writable; feed(read: Buffer, resume: () => void): boolean } {
    const framer = createMqttFramer();
    const out = frameOut();
    const stale = () => c.stream !== stream;
    let aliveAt = 0;
    function drain(cb: (err?: Error | null) => void) {
      /** this read has shown the connection alive (once per read: a clock reading per message cost) */
      let shown = false;
      for (;;) {
        if (stale()) return; // a dead connection: its bytes mean nothing now
        const kind = framer.next(out);
        if (kind === FRAME.none) {
          cb();
          return;
        }
        if (kind === FRAME.publish) {
          // Messages read prove the connection alive. The broker queues its PINGRESP behind the
          // messages it has already sent, so while the pipeline is full and we read slowly, the
          // PINGRESP can come later than mqtt.js's keepalive allows (it then drops a working
          // connection, and the broker redelivers everything unacknowledged). Only QoS 1 counts:
          // their PUBACKs are what keeps the broker's side of the keepalive going when no
          // PINGREQ is sent.
          if (!shown && out.qos > 0) {
            shown = true;
            const now = Date.now();
            if (now - aliveAt >= 1000) {
              aliveAt = now;
              c.reschedulePing(true);
            }
          }
          deliver(out.topic, out.payload, out.qos, out.messageId);
          if (!opts.accepting()) {
            opts.whenAccepting(() => drain(cb));
            return;
          }
          continue;
        }
        // mqtt.js may hold the bytes past this read: its own copy (a few packets per connection)
        const bytes = Buffer.from(out.bytes);
        const connack = kind === FRAME.other && bytes[0] === 0x20;
        dest.write(bytes, () => {
          if (connack && connectedStream !== stream && !stale()) {
            c.once('connect', () => drain(cb));
          } else drain(cb);
        });
        return;
      }
    }
    /**
     * One read into a reused buffer (`reusedReadSocket`): framed at once, the bytes left over
     * (a packet the next read completes, or what waits for the pipeline) copied before the
     * buffer is read into again; false while something waits (reading resumes when it is done).
     */
    function feed(read: Buffer, resume: () => void): boolean {
      framer.push(read);
      let waiting = true;
      let sync = true;
      drain(() => {
        waiting = false;
        if (!sync) resume();
      });
      sync = false;
      framer.keep();
      return !waiting;
    }
    const writable = new Writable({
      write(chunk: Buffer, _enc, cb) {
        framer.push(chunk);
        drain(cb);
      },
      final(cb) {
        dest.end();
        cb();
      },
    });
    return { writable, feed };
  }

  return {
    async start() {
      if (client) return;
      const c = mqtt.connect(opts.url, {
        ...mqttOptions({
          clientId: opts.clientId,
          username: opts.username,
          password: opts.password,
          clean: false,
          connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
          ...(opts.backoff ? { backoff: opts.backoff } : {}),
        }),
        resubscribe: false,
        manualConnect: true,
      });
      // Each connection's socket: PUBLISH packets are read by `inbound`, not by mqtt.js.
      const streams = c as unknown as { streamBuilder: (cl: MqttClient) => Duplex };
      const build = streams.streamBuilder;
      streams.streamBuilder = (cl) => {
        const own = reusedReadSocket(cl.options as StreamOptions);
        const s: Duplex = own?.socket ?? build(cl);
        const pipe = s.pipe;
        s.pipe = <T extends NodeJS.WritableStream>(dest: T, o?: { end?: boolean }) => {
          const { writable, feed } = inbound(c, s, dest);
          if (own) {
            const resume = () => own.socket.resume();
            own.feed = (read) => feed(read, resume);
          }
          // the end of the stream (and, without `own`, its bytes) through mqtt.js's pipe
          pipe.call(s, writable, o);
          return dest;
        };
        return s;
      };
      client = c;
      const sup = superviseMqtt(c, {
        component: 'collector',
        url: redactUrl(opts.url),
        clientId: opts.clientId,
        ...(opts.username !== undefined ? { username: opts.username } : {}),
        log: opts.log ?? noop,
        ...(opts.backoff ? { backoff: opts.backoff } : {}),
        ...(opts.onTakeover ? { onTakeover: opts.onTakeover } : {}),
      });
      supervised = sup;
      const internal = c as unknown as { _sendPacket: SendPacket };
      const orig = internal._sendPacket.bind(c);
      internal._sendPacket = (packet, cb, ...rest: unknown[]) => {
        const h = expecting;
        if (packet.cmd === 'puback' && h && h.messageId === packet.messageId) {
          cb?.(); // let the pump go on; the PUBACK itself waits for durability
          // A callback released after a reconnect belongs to a dead connection: drop its PUBACK.
          if (h.gen === gen) {
            h.acked = true;
            if (h.durable) scheduleRelease();
          }
          return;
        }
        (orig as (...a: unknown[]) => void)(packet, cb, ...rest);
      };
      c.handleMessage = handle;
      c.on('close', reset);
      c.on('connect', (connack) => {
        reset();
        connectedStream = c.stream;
        const stage = (i: number) => {
          const filters = opts.filters[i];
          if (!filters) {
            subscribed?.();
            return;
          }
          c.subscribe(Object.fromEntries(filters.map((f) => [f, { qos: 1 as const }])), (err) => {
            if (err) opts.log?.(`collector: subscribe ${filters.join(' ')} failed: ${err.message}`);
            stage(i + 1);
          });
        };
        stage(0);
        // A resumed session already holds the subscriptions, and the broker may send its whole
        // backlog before the SUBACK — which, while the pipeline is full and we stop reading, can
        // take longer than the start timeout: the session is enough to be started.
        if (connack.sessionPresent) subscribed?.();
        opts.log?.(
          `collector: connected to ${redactUrl(opts.url)} as ${opts.clientId} (session ${connack.sessionPresent ? 'resumed' : 'new'})`,
        );
      });
      c.connect();
      const timeoutMs = opts.connectTimeoutMs ?? 10_000;
      const done = new Promise<void>((resolve) => {
        subscribed = () => {
          subscribed = undefined;
          resolve();
        };
      });
      let timer: NodeJS.Timeout | undefined;
      try {
        await sup.firstConnect(timeoutMs);
        await Promise.race([
          done,
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () =>
                reject(
                  new Error(`collector: subscriptions not acknowledged within ${timeoutMs} ms`),
                ),
              timeoutMs,
            );
          }),
        ]);
      } catch (e) {
        subscribed = undefined;
        client = undefined;
        await new Promise<void>((r) => c.end(true, () => r()));
        throw e;
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      const c = client;
      if (!c) return;
      client = undefined;
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => c.end(true, () => resolve()), 2000);
        c.end(false, () => {
          clearTimeout(t);
          resolve();
        });
      });
    },
    connected: () => client?.connected ?? false,
    connection: () =>
      supervised?.stats() ?? { connected: false, reconnects: 0, refusals: 0, takeovers: 0 },
    heldAcks: () => fifo.length - head,
  };
}
