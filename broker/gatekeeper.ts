/**
 * The gatekeeper: everything aedes asks before it lets bytes through — who is connecting
 * (credentials), what they may publish, subscribe to and receive (ACL), how fast (token
 * bucket), how big (payload limit) — with the registry, sessions and counters it needs.
 * Decisions come from the pure modules (acl, limits, passwords); this holds their state.
 */
import type { AedesOptions, Client, PublishPacket } from 'aedes';
import { type AclResult, type CompiledAcl, compileAcl } from './acl.ts';
import { type BackoffPolicy, createAuthBackoff } from './auth-backoff.ts';
import { type ConfigVerdict, checkConfigPublish } from './config-check.ts';
import { createCounters, MAX_KEYS } from './counters.ts';
import { createCredentialChecker } from './credentials.ts';
import {
  type Bucket,
  countRefusal,
  DEVICE_LOG_RATE,
  type LogGate,
  newBucket,
  newLogGate,
  passLogGate,
  type RateLimit,
  rateFor,
  takeToken,
} from './limits.ts';
import type { DeviceEntry, Registry } from './registry.ts';
import { createRetainedLedger, type RetainVerdict, retainedQuota } from './retained.ts';
import type { DeviceIdentity } from './roles.ts';

export interface GatekeeperOptions {
  root: string;
  insecure: boolean;
  maxPayload: number;
  /** One limit for every device; undefined: scaled to what each serves (limits.ts `rateFor`); false: none. */
  rate: RateLimit | undefined | false;
  maxRefusals: number;
  /** Retained bytes per device (topic + payload); undefined: scaled to what it serves (retained.ts). */
  maxRetainedBytes: number | undefined;
  log: (line: string) => void;
  now: () => number;
  /** Wrong-password back-off; default {@link DEFAULT_BACKOFF}. */
  backoff?: BackoffPolicy;
}

export interface Session {
  device: DeviceIdentity;
  acl: CompiledAcl;
  /** The hash the password was checked against; undefined for anonymous (insecure) clients. */
  hash: string | undefined;
}

interface DeviceLimits {
  bucket: Bucket;
  /** the device's publish rate (undefined: not limited) */
  rate: RateLimit | undefined;
  consecutive: number;
}

type AuthError = Error & { returnCode: number };

/** Printable and bounded: what a client sent may be anything (never a password, though). */
export const show = (s: unknown) => JSON.stringify(String(s).slice(0, 200));

/** How deep publish callbacks may nest before one is deferred (see `pass`). */
export const MAX_NESTED = 64;

export function createGatekeeper(options: GatekeeperOptions) {
  const { root, insecure, maxPayload, rate, maxRefusals, log, now } = options;
  let devices = new Map<string, DeviceEntry>();
  const retained = createRetainedLedger(
    (id) => retainedQuota(devices.get(id), options.maxRetainedBytes),
    root,
  );
  const acls = new Map<string, CompiledAcl>();
  const limits = new Map<string, DeviceLimits>();
  const anonymousLimits = new WeakMap<Client, DeviceLimits>();
  const sessions = new WeakMap<Client, Session>();
  const wills = new WeakMap<Client, PublishPacket>();
  const refusedPackets = new WeakSet<object>();
  const counters = createCounters();
  const credentials = createCredentialChecker();
  const backoff = createAuthBackoff(options.backoff);
  let gate = newLogGate(now());

  /** Refusals are logged at a bounded rate: a hostile client cannot flood the log. */
  const gatedLog = (line: string) => {
    const r = passLogGate(gate, now());
    gate = r.gate;
    if (r.log) log(r.suppressed > 0 ? `${line} (+${r.suppressed} similar suppressed)` : line);
  };

  /** A device's refusals: its own bounded rate first (bounded map: MAX_KEYS devices). */
  const deviceGates = new Map<string, LogGate>();
  const deviceLog = (id: string, line: string) => {
    if (!deviceGates.has(id) && deviceGates.size >= MAX_KEYS) return gatedLog(line);
    const t = now();
    const r = passLogGate(
      deviceGates.get(id) ?? newLogGate(t, DEVICE_LOG_RATE),
      t,
      DEVICE_LOG_RATE,
    );
    deviceGates.set(id, r.gate);
    if (r.log)
      gatedLog(r.suppressed > 0 ? `${line} (+${r.suppressed} more from ${id} held back)` : line);
  };

  const setRegistry = (reg: Registry) => {
    devices = new Map(reg.devices.map((d) => [d.id, d]));
    acls.clear();
    for (const [id, l] of limits) {
      if (!devices.has(id)) limits.delete(id);
      else l.rate = rateOf(id); // what it serves may have changed; its bucket stays
    }
    for (const id of deviceGates.keys()) if (!devices.has(id)) deviceGates.delete(id);
  };

  const aclFor = (device: DeviceEntry): CompiledAcl => {
    const known = acls.get(device.id);
    if (known) return known;
    const acl = compileAcl(device, root);
    acls.set(device.id, acl);
    return acl;
  };

  const rateOf = (id: string | undefined): RateLimit | undefined =>
    rate === false ? undefined : rateFor(id === undefined ? undefined : devices.get(id), rate);

  const limitsFor = (client: Client | null, session: Session): DeviceLimits => {
    const fresh = (id?: string): DeviceLimits => {
      const r = rateOf(id);
      return { bucket: newBucket(r ?? { perSecond: 1, burst: 1 }, now()), rate: r, consecutive: 0 };
    };
    if (session.hash === undefined && client) {
      const known = anonymousLimits.get(client);
      if (known) return known;
      const l = fresh();
      anonymousLimits.set(client, l);
      return l;
    }
    const known = limits.get(session.device.id);
    if (known) return known;
    const l = fresh(session.device.id);
    limits.set(session.device.id, l);
    return l;
  };

  const refuseConnect = (
    done: (e: AuthError | null, ok: boolean | null) => void,
    returnCode: 2 | 4 | 5,
    reason: string,
    who: string,
  ) => {
    counters.connectRefused(reason);
    gatedLog(`broker: connect refused (${reason}): ${who}`);
    done(Object.assign(new Error(reason), { returnCode }), false);
  };

  const authenticate: AedesOptions['authenticate'] = (client, username, password, done) => {
    if (username === undefined || username === '') {
      // [security] anonymous only with the explicit insecure flag
      if (!insecure) return refuseConnect(done, 5, 'anonymous', `client ${show(client.id)}`);
      const device: DeviceIdentity = { id: client.id, role: 'admin', intersections: '*' };
      sessions.set(client, { device, acl: compileAcl(device, root), hash: undefined });
      return done(null, true);
    }
    const device = devices.get(username);
    if (!device) return refuseConnect(done, 4, 'unknown-device', `device ${show(username)}`);
    // client id = device id: one device can never take over another's session
    if (client.id !== device.id) {
      return refuseConnect(
        done,
        2,
        'client-id-mismatch',
        `device ${device.id} as ${show(client.id)}`,
      );
    }
    if (!password || password.length === 0) {
      return refuseConnect(done, 4, 'bad-password', `device ${device.id}`);
    }
    const address = (client.conn as { remoteAddress?: string }).remoteAddress;
    // a flood of wrong passwords must not buy one PBKDF2 run per attempt: after a few
    // failures (per address, per id) attempts are refused unhashed until the back-off ends
    if (!credentials.known(device.id, password, device.hash)) {
      const waitMs = backoff.waitMs(device.id, address, now());
      if (waitMs > 0) {
        return refuseConnect(
          done,
          4,
          'backed-off',
          `device ${device.id} from ${address ?? '?'} (${Math.ceil(waitMs / 1000)} s)`,
        );
      }
    }
    credentials.check(device.id, password, device.hash).then((ok) => {
      if (!ok) backoff.failed(device.id, address, now());
      // the registry may have been reloaded while PBKDF2 ran
      if (!ok || devices.get(device.id)?.hash !== device.hash) {
        return refuseConnect(done, 4, 'bad-password', `device ${device.id}`);
      }
      const acl = aclFor(device);
      const will = wills.get(client);
      if (will && !acl.publish(will.topic).ok) {
        return refuseConnect(
          done,
          5,
          'will-not-allowed',
          `device ${device.id} will ${show(will.topic)}`,
        );
      }
      sessions.set(client, { device, acl, hash: device.hash });
      done(null, true);
    });
  };

  /**
   * aedes goes on with a client's next packet from inside this callback, and every step of a
   * publish (delivery into write batches, offline queues in memory) can answer at once: with
   * thousands of packets waiting in one socket the chain can nest until the stack overflows
   * (tests/unit/broker-publish-nesting.test.ts). Past MAX_NESTED nested calls the callback is
   * deferred to the next tick, which unwinds the stack and keeps the client's packets in order
   * (aedes takes the next one only after it).
   */
  let nested = 0;
  const pass = (callback: (error?: Error | null) => void): void => {
    if (nested >= MAX_NESTED) {
      process.nextTick(callback, null);
      return;
    }
    nested++;
    try {
      callback(null);
    } finally {
      nested--;
    }
  };

  const authorizePublish: AedesOptions['authorizePublish'] = (client, packet, callback) => {
    // client is null only for a will left over in a persistent store: judge it by its owner
    const owner = client ?? null;
    const session = owner
      ? sessions.get(owner)
      : (() => {
          const d = devices.get(String((packet as { clientId?: string }).clientId));
          return d ? { device: d, acl: aclFor(d), hash: d.hash } : undefined;
        })();
    if (!session) return callback(new Error('not authenticated'));
    const id = session.device.id;
    const size = Buffer.isBuffer(packet.payload)
      ? packet.payload.length
      : Buffer.byteLength(String(packet.payload ?? ''));
    const l = limitsFor(owner, session);
    // Oversize: acknowledged and dropped, as Mosquitto's message_size_limit does for MQTT
    // 3.1.1. Disconnecting would be worse: the client re-sends an unacknowledged QoS 1
    // message on every reconnect, so nothing after it would ever get through. Only frames
    // past the hard packet limit cut the connection (frame-guard.ts).
    let verdict: AclResult | RetainVerdict | ConfigVerdict =
      size > maxPayload ? { ok: false, reason: 'oversize' } : session.acl.publish(packet.topic);
    // a config with errors never reaches subscribers nor replaces the retained good one
    let why = '';
    if (verdict.ok) {
      const admin = session.device.role === 'admin';
      const config = checkConfigPublish(packet.topic, packet.payload, root, admin);
      if (!config.ok) {
        verdict = config;
        why = config.why;
      }
    }
    // retain only where the protocol says, and within the device's quota (admins: unbounded)
    if (verdict.ok && packet.retain && session.device.role !== 'admin') {
      verdict = retained.admit(id, packet.topic, size);
    }
    if (!verdict.ok) {
      counters.refused(id, verdict.reason);
      const what =
        verdict.reason === 'oversize' ? `a ${size}-byte payload (limit ${maxPayload})` : 'publish';
      deviceLog(
        id,
        `broker: refused ${what} from ${id} to ${show(packet.topic)}: ${verdict.reason}${why ? ` (${why})` : ''}`,
      );
      refusedPackets.add(packet); // acknowledged, delivered to nobody, not retained
      if (owner && !owner.closed) {
        const r = countRefusal(l.consecutive, maxRefusals);
        l.consecutive = r.consecutive;
        if (r.disconnect) {
          l.consecutive = 0;
          counters.disconnected('refused-repeatedly');
          log(`broker: ${id} disconnected after ${maxRefusals} refused publishes in a row`);
          return callback(new Error('refused repeatedly'));
        }
      }
      return pass(callback);
    }
    l.consecutive = 0;
    if (!l.rate || !owner || owner.closed) return pass(callback);
    const { bucket, waitMs } = takeToken(l.bucket, now(), l.rate);
    l.bucket = bucket;
    if (waitMs <= 0) return pass(callback);
    // Delaying the callback stops aedes reading this client's socket: the flood waits, alone.
    // Bound: at most one socket read's worth of packets is waiting per client.
    counters.throttled();
    setTimeout(() => {
      if (!owner.closed) callback(null);
    }, waitMs).unref();
  };

  const hooks: Pick<
    AedesOptions,
    'preConnect' | 'authenticate' | 'authorizePublish' | 'authorizeSubscribe' | 'authorizeForward'
  > = {
    preConnect(client, packet, done) {
      if (packet.will) wills.set(client, packet.will as PublishPacket);
      done(null, true);
    },
    authenticate,
    authorizePublish,
    authorizeSubscribe(client, sub, done) {
      const session = sessions.get(client);
      if (!session) return done(new Error('not authenticated'));
      const verdict = session.acl.subscribe(sub.topic);
      if (verdict.ok) return done(null, sub);
      counters.refused(session.device.id, `subscribe:${verdict.reason}`);
      deviceLog(
        session.device.id,
        `broker: refused subscription of ${session.device.id} to ${show(sub.topic)}: ${verdict.reason}`,
      );
      done(null, null); // SUBACK 0x80 for this filter
    },
    authorizeForward(client, packet) {
      // a granted wide filter still carries only what the device may read (as Mosquitto does)
      return sessions.get(client)?.acl.read(packet.topic) ? packet : null;
    },
  };

  return {
    hooks,
    counters,
    credentials,
    gatedLog,
    setRegistry,
    deviceCount: () => devices.size,
    /** True once for a packet the ACL refused: it must then go to nobody. */
    takeRefused(packet: object): boolean {
      return refusedPackets.delete(packet);
    },
    /**
     * Brings a connected client in line with the registry: `revoked` when its entry is gone or
     * its password changed (the caller disconnects it); `updated` when only its role or
     * intersections changed (applied to the live session: the next publish and every delivery
     * are judged by the new ACL, no reconnect); `same` otherwise.
     */
    reconcile(client: Client): 'same' | 'updated' | 'revoked' {
      const s = sessions.get(client);
      if (!s || s.hash === undefined) return 'same';
      const d = devices.get(s.device.id);
      if (!d || d.hash !== s.hash) return 'revoked';
      const same =
        d.role === s.device.role &&
        JSON.stringify(d.intersections) === JSON.stringify(s.device.intersections);
      if (same) return 'same';
      sessions.set(client, { device: d, acl: aclFor(d), hash: d.hash });
      return 'updated';
    },
    sessionOf: (client: Client) => sessions.get(client),
  };
}

export type Gatekeeper = ReturnType<typeof createGatekeeper>;
