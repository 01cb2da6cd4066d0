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
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';

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
  /** Every message; call `durable` once its points are written or spooled. */
  onMessage(topic: string, payload: Buffer, durable: () => void): void;
  /** false pauses reading from the broker */
  accepting(): boolean;
  whenAccepting(cb: () => void): void;
  log?(line: string): void;
  /** ms to wait for the first connection (default 10,000) */
  connectTimeoutMs?: number;
}

export interface MqttIn {
  start(): Promise<void>;
  close(): Promise<void>;
  connected(): boolean;
  /** PUBACKs waiting for their message to become durable */
  heldAcks(): number;
}

interface Held {
  messageId: number;
  gen: number;
  durable: boolean;
  puback: unknown;
}

/** A URL fit for a log line: user and password removed. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '(unparsable URL)';
  }
}

type SendPacket = (packet: { cmd: string; messageId?: number }, cb?: () => void) => void;

export function createMqttIn(opts: MqttInOptions): MqttIn {
  let client: MqttClient | undefined;
  let gen = 0;
  let fifo: Held[] = [];
  let head = 0;
  let send: SendPacket | undefined;
  /** the message whose handleMessage callback is running: its PUBACK is the next one sent */
  let expecting: Held | undefined;
  /** resolves start() once the first connection's subscriptions are acknowledged */
  let subscribed: (() => void) | undefined;

  function reset() {
    gen++;
    fifo = [];
    head = 0;
  }

  function release() {
    let corked = false;
    while (head < fifo.length) {
      const h = fifo[head]!;
      if (!h.durable || !h.puback) break;
      head++;
      if (h.gen !== gen || !client?.connected) continue;
      if (!corked) {
        // A batch releases thousands of PUBACKs at once: one socket write, not thousands.
        corked = true;
        const stream = client.stream;
        stream.cork();
        process.nextTick(() => stream.uncork());
      }
      send?.(h.puback as { cmd: string });
    }
    if (head > 1024 && head * 2 > fifo.length) {
      fifo = fifo.slice(head);
      head = 0;
    }
  }

  function handle(packet: IPublishPacket, callback: (err?: Error) => void) {
    let durable = () => {};
    let h: Held | undefined;
    if (packet.qos > 0 && packet.messageId !== undefined) {
      const held: Held = { messageId: packet.messageId, gen, durable: false, puback: undefined };
      h = held;
      fifo.push(held);
      durable = () => {
        if (held.gen !== gen) return;
        held.durable = true;
        release();
      };
    }
    // mqtt.js sends the PUBACK synchronously inside this callback: mark whose it is.
    const done = () => {
      expecting = h;
      try {
        callback();
      } finally {
        expecting = undefined;
      }
    };
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    try {
      opts.onMessage(packet.topic, payload, durable);
    } catch (e) {
      // onMessage must not throw; if it does, the message stays unacknowledged (redelivered later).
      opts.log?.(`collector: message handler failed: ${(e as Error).message}`);
    }
    if (opts.accepting()) done();
    else opts.whenAccepting(done);
  }

  return {
    async start() {
      if (client) return;
      const c = mqtt.connect(opts.url, {
        clientId: opts.clientId,
        clean: false,
        protocolVersion: 4,
        username: opts.username,
        password: opts.password,
        reconnectPeriod: 1000,
        connectTimeout: opts.connectTimeoutMs ?? 10_000,
        keepalive: 30,
        resubscribe: false,
      });
      client = c;
      const internal = c as unknown as { _sendPacket: SendPacket };
      const orig = internal._sendPacket.bind(c);
      send = orig;
      internal._sendPacket = (packet, cb, ...rest: unknown[]) => {
        const h = expecting;
        if (packet.cmd === 'puback' && h && h.messageId === packet.messageId) {
          cb?.(); // let the pump go on; the PUBACK itself waits for durability
          // A callback released after a reconnect belongs to a dead connection: drop its PUBACK.
          if (h.gen === gen) {
            h.puback = packet;
            release();
          }
          return;
        }
        (orig as (...a: unknown[]) => void)(packet, cb, ...rest);
      };
      c.handleMessage = handle;
      c.on('close', reset);
      c.on('connect', (connack) => {
        reset();
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
        opts.log?.(
          `collector: connected to ${redactUrl(opts.url)} as ${opts.clientId} (session ${connack.sessionPresent ? 'resumed' : 'new'})`,
        );
      });
      c.on('error', (e) => opts.log?.(`collector: mqtt: ${e.message}`));
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(
          () => reject(new Error(`no connection to ${redactUrl(opts.url)} within the timeout`)),
          opts.connectTimeoutMs ?? 10_000,
        );
        subscribed = () => {
          subscribed = undefined;
          clearTimeout(t);
          resolve();
        };
        c.once('error', (e) => {
          // Refused credentials will not get better by retrying: fail the start.
          if ((e as { code?: number }).code === 4 || (e as { code?: number }).code === 5) {
            clearTimeout(t);
            c.end(true);
            reject(new Error(`broker refused the connection: ${e.message}`));
          }
        });
      });
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
    heldAcks: () => fifo.length - head,
  };
}
