/**
 * A session of the broker for code of this process (shell; the bench's own simulator): its
 * messages go straight into aedes' routing and come straight out of it, with no MQTT packets to
 * encode and parse again, no streams and no client library in between.
 *
 * Nothing is skipped that a connection is checked for: the same gatekeeper answers the same
 * questions — the credential (authenticate: client id = device id, password), every publish
 * (authorizePublish: ACL, payload limit, config check, retained quota, rate), every
 * subscription (authorizeSubscribe) and every delivery (authorizeForward). As over MQTT, a
 * refused publish resolves all the same and reaches nobody (acknowledged and dropped), and too
 * many refusals in a row end the session. What it has no use for: a Last Will (there is no
 * connection to lose), retained messages on subscribing (the simulator subscribes only to
 * decisions, which are never retained), QoS (nothing is lost in memory).
 */
import type { Aedes, Client, PublishPacket, Subscription } from 'aedes';
import type { Gatekeeper } from './gatekeeper.ts';

type PublishFn = (packet: PublishPacket, client: Client | null, done?: (e?: Error) => void) => void;

export interface BrokerSession {
  /** false once closed (by close(), a revoked credential, or the broker closing) */
  readonly connected: boolean;
  /**
   * Resolves once the broker has handed it to its subscribers' deliveries (or refused it: then
   * delivered to nobody), so what is published after it reaches every subscriber after it;
   * rejects on a bad topic.
   */
  publish(topic: string, payload: string | Buffer, retain: boolean): Promise<void>;
  /** Rejects when the ACL refuses the filter. Messages come in the order the broker routes them. */
  subscribe(filter: string, onMessage: (topic: string, payload: Buffer) => void): Promise<void>;
  close(): Promise<void>;
}

export interface SessionDeps {
  aedes: Aedes;
  gk: Gatekeeper;
  /** aedes' own publish (routing, retained store), past the broker's refusal filter */
  rawPublish: PublishFn;
  /** `then` is called once aedes hands the message carrying `payload` to its emitter */
  whenEmitted(payload: Buffer, then: () => void): void;
}

/** The pseudo client the gatekeeper keys the session on (it reads only these fields). */
interface SessionClient {
  id: string;
  closed: boolean;
  conn: { remoteAddress: string };
}

export interface OpenedSession extends BrokerSession {
  /** the gatekeeper's key for it (registry reloads reconcile it like a connected client) */
  readonly client: Client;
}

/**
 * Authenticates `clientId` with `credentials` as a CONNECT would; rejects when refused.
 * @example const s = await openSession(deps, 'openphase-bench', { username: 'openphase-bench', password });
 */
export function openSession(
  deps: SessionDeps,
  clientId: string,
  credentials: { username: string; password: string } | undefined,
): Promise<OpenedSession> {
  const { aedes, gk, rawPublish, whenEmitted } = deps;
  const self: SessionClient = {
    id: clientId,
    closed: false,
    conn: { remoteAddress: 'in-process' },
  };
  const client = self as unknown as Client;
  const subs: { filter: string; deliver: (packet: PublishPacket, cb: () => void) => void }[] = [];

  const close = async () => {
    if (self.closed) return;
    self.closed = true;
    await Promise.all(
      subs
        .splice(0)
        .map(
          ({ filter, deliver }) => new Promise<void>((r) => aedes.unsubscribe(filter, deliver, r)),
        ),
    );
  };

  const session: OpenedSession = {
    client,
    get connected() {
      return !self.closed && !aedes.closed;
    },
    publish(topic, payload, retain) {
      if (!session.connected) return Promise.resolve();
      // what aedes refuses in a PUBLISH before any hook (it then cuts the connection)
      if (topic.length === 0 || topic.includes('#') || topic.includes('+'))
        return Promise.reject(new Error(`not a topic to publish to: ${topic}`));
      // a buffer of its own: aedes passes it on by reference, which is how whenEmitted knows it
      const bytes = Buffer.from(payload);
      const packet = {
        cmd: 'publish',
        topic,
        payload: bytes,
        qos: 1,
        retain,
        dup: false,
      } as PublishPacket;
      return new Promise<void>((resolve, reject) => {
        gk.hooks.authorizePublish!(client, packet, (err) => {
          if (err) {
            void close();
            return reject(err);
          }
          if (gk.takeRefused(packet)) return resolve(); // acknowledged, delivered to nobody
          gk.counters.published();
          // Not waiting for every delivery to be written (aedes writes each in a later turn of
          // the event loop): the next publish may go as soon as this one is in the emitter's
          // queue, which keeps their order, and a tick's messages leave in one socket write.
          whenEmitted(bytes, resolve);
          rawPublish(packet, null, () => resolve()); // also on an error before the emitter
        });
      });
    },
    subscribe(filter, onMessage) {
      if (!session.connected) return Promise.reject(new Error('session closed'));
      return new Promise<void>((resolve, reject) => {
        const sub = { topic: filter, qos: 0 } as Subscription;
        gk.hooks.authorizeSubscribe!(client, sub, (err, granted) => {
          if (err || !granted) return reject(new Error(`cannot subscribe to ${filter}`));
          // [MQTT-4.7.2-1] a wildcard filter never matches a '$' topic
          const system = filter.startsWith('$');
          const deliver = (packet: PublishPacket, cb: () => void) => {
            if (
              !self.closed &&
              (system || !packet.topic.startsWith('$')) &&
              gk.hooks.authorizeForward!(client, packet as never)
            )
              onMessage(packet.topic, packet.payload as Buffer);
            cb();
          };
          subs.push({ filter, deliver });
          aedes.subscribe(filter, deliver as never, () => resolve());
        });
      });
    },
    close,
  };

  return new Promise((resolve, reject) => {
    const password = credentials ? Buffer.from(credentials.password) : undefined;
    gk.hooks.authenticate!(client, credentials?.username ?? '', password as Buffer, (err, ok) => {
      if (err || !ok) {
        self.closed = true;
        return reject(
          new Error(`the broker refused ${clientId}: ${err?.message ?? 'not authorized'}`),
        );
      }
      resolve(session);
    });
  });
}
