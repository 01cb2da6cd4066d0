/**
 * THE ACL contract: one table (role × topic × publish/read → allowed or not) that every broker
 * OpenPhase runs on must satisfy. Run against the embedded aedes broker and against a real
 * Mosquitto configured only from `devices export` (tests/integration/broker-acl*.test.ts).
 *
 * It checks behaviour, not codes: a refused publish reaches no subscriber; a subscription
 * carries only what the device may read (Mosquitto 2.0 grants every SUBACK and filters per
 * message; the embedded broker refuses what can match nothing and filters the rest).
 *
 * @example runAclContract({ name: 'aedes', create: async (reg) => ({ url, close }) })
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Registry } from '../../broker/index.ts';
import { twoPhase } from '../fixtures/intersections.ts';
import {
  closedWithin,
  connackCode,
  connectAs,
  fixtureRegistry,
  passwordOf,
  type Received,
  record,
  sleep,
  subscribeGranted,
  until,
} from '../integration/broker-fixtures.ts';

export interface AclTarget {
  url: string;
  close(): Promise<void>;
}

export interface AclContractOptions {
  name: string;
  /** Starts a broker enforcing `registry` under topic root `root`. */
  create(registry: Registry, root: string): Promise<AclTarget>;
}

const ROOT = 'traffic';
const t = (rest: string) => `${ROOT}/v1/${rest}`;

/**
 * What the contract publishes on `topic`, carrying `marker`: a config must be a valid one (the
 * embedded broker refuses a broken config at the door), anything else is the marker itself.
 */
const payloadFor = (topic: string, marker: string): string => {
  const m = /\/v1\/([^/]+)\/config$/.exec(topic);
  return m ? JSON.stringify({ ...twoPhase, id: m[1], name: marker }) : marker;
};

/** Publish rows: may `device` publish on `topic`? (devices: tests/integration/broker-fixtures.ts) */
export const PUBLISH_TABLE: { device: string; topic: string; allowed: boolean }[] = [
  // sensor s1 (intersection a): its own counts and status, nothing else
  { device: 's1', topic: t('a/counts/s1'), allowed: true },
  { device: 's1', topic: t('a/status/s1'), allowed: true },
  { device: 's1', topic: t('a/counts/s2'), allowed: false },
  { device: 's1', topic: t('a/status/s2'), allowed: false },
  { device: 's1', topic: t('b/counts/s1'), allowed: false },
  { device: 's1', topic: t('a/decision'), allowed: false },
  { device: 's1', topic: t('a/config'), allowed: false },
  { device: 's1', topic: t('a/signal'), allowed: false },
  { device: 's1', topic: t('a/counts/s1/extra'), allowed: false },
  { device: 's1', topic: 'city/v1/a/counts/s1', allowed: false },
  // sensor sany (every intersection)
  { device: 'sany', topic: t('b/counts/sany'), allowed: true },
  { device: 'sany', topic: t('z9/status/sany'), allowed: true },
  { device: 'sany', topic: t('b/counts/s3'), allowed: false },
  { device: 'sany', topic: t('b/decision'), allowed: false },
  // signal sig-a: config, signal, own status; never a decision
  { device: 'sig-a', topic: t('a/config'), allowed: true },
  { device: 'sig-a', topic: t('a/signal'), allowed: true },
  { device: 'sig-a', topic: t('a/status/sig-a'), allowed: true },
  { device: 'sig-a', topic: t('a/decision'), allowed: false },
  { device: 'sig-a', topic: t('a/counts/sig-a'), allowed: false },
  { device: 'sig-a', topic: t('b/signal'), allowed: false },
  { device: 'sig-a', topic: t('b/config'), allowed: false },
  // controller ctl-a: decision and own status for a
  { device: 'ctl-a', topic: t('a/decision'), allowed: true },
  { device: 'ctl-a', topic: t('a/status/ctl-a'), allowed: true },
  { device: 'ctl-a', topic: t('b/decision'), allowed: false },
  { device: 'ctl-a', topic: t('a/signal'), allowed: false },
  { device: 'ctl-a', topic: t('a/config'), allowed: false },
  { device: 'ctl-a', topic: t('a/counts/ctl-a'), allowed: false },
  { device: 'ctl-a', topic: t('a/status/s1'), allowed: false },
  // collector, observer: own status only
  { device: 'col', topic: t('a/status/col'), allowed: true },
  { device: 'col', topic: t('a/decision'), allowed: false },
  { device: 'col', topic: t('a/counts/col'), allowed: false },
  { device: 'col', topic: t('a/config'), allowed: false },
  { device: 'obs', topic: t('a/status/obs'), allowed: true },
  { device: 'obs', topic: t('b/status/obs'), allowed: false },
  { device: 'obs', topic: t('a/signal'), allowed: false },
  // admin: everything
  { device: 'adm', topic: t('a/decision'), allowed: true },
  { device: 'adm', topic: t('b/config'), allowed: true },
  { device: 'adm', topic: 'city/anything', allowed: true },
];

/** Read rows: `device` subscribes `filter`; admin publishes on `topic`; is it delivered? */
export const READ_TABLE: { device: string; filter: string; topic: string; allowed: boolean }[] = [
  { device: 's1', filter: `${ROOT}/#`, topic: t('a/counts/s2'), allowed: false },
  { device: 's1', filter: t('a/decision'), topic: t('a/decision'), allowed: false },
  { device: 'sig-a', filter: t('a/decision'), topic: t('a/decision'), allowed: true },
  { device: 'sig-a', filter: t('+/decision'), topic: t('b/decision'), allowed: false },
  { device: 'sig-a', filter: t('a/counts/+'), topic: t('a/counts/s1'), allowed: false },
  { device: 'sig-a', filter: t('a/config'), topic: t('a/config'), allowed: true },
  { device: 'sig-a', filter: t('+/config'), topic: t('b/config'), allowed: false },
  { device: 'ctl-a', filter: t('a/counts/+'), topic: t('a/counts/s1'), allowed: true },
  { device: 'ctl-a', filter: t('+/counts/+'), topic: t('a/counts/s2'), allowed: true },
  { device: 'ctl-a', filter: t('+/counts/+'), topic: t('b/counts/s3'), allowed: false },
  { device: 'ctl-a', filter: t('a/config'), topic: t('a/config'), allowed: true },
  { device: 'ctl-a', filter: t('a/signal'), topic: t('a/signal'), allowed: true },
  { device: 'ctl-a', filter: t('a/status/+'), topic: t('a/status/s1'), allowed: true },
  { device: 'ctl-a', filter: t('a/decision'), topic: t('a/decision'), allowed: false },
  { device: 'ctl-a', filter: `${ROOT}/#`, topic: t('a/decision'), allowed: false },
  { device: 'col', filter: `${ROOT}/#`, topic: t('a/decision'), allowed: true },
  { device: 'col', filter: `${ROOT}/#`, topic: t('b/counts/s3'), allowed: true },
  { device: 'col', filter: '#', topic: 'city/v1/a/config', allowed: false },
  { device: 'obs', filter: `${ROOT}/#`, topic: t('b/signal'), allowed: true },
  { device: 'adm', filter: '#', topic: 'city/v1/a/config', allowed: true },
];

/** Retained rows: `publisher` sets a retained message; later `device` subscribes `filter`. */
export const RETAINED_TABLE: {
  publisher: string;
  topic: string;
  device: string;
  filter: string;
  allowed: boolean;
}[] = [
  {
    publisher: 'sig-a',
    topic: t('a/config'),
    device: 'ctl-a',
    filter: t('a/config'),
    allowed: true,
  },
  {
    publisher: 'sig-a',
    topic: t('a/signal'),
    device: 'ctl-a',
    filter: t('+/signal'),
    allowed: true,
  },
  { publisher: 's1', topic: t('a/status/s1'), device: 'col', filter: `${ROOT}/#`, allowed: true },
  { publisher: 'sig-a', topic: t('a/config'), device: 's1', filter: t('a/config'), allowed: false },
  {
    publisher: 'sig-a',
    topic: t('a/signal'),
    device: 'sig-a',
    filter: t('a/decision'),
    allowed: false,
  },
];

/** Negative outcomes are observed for this long after every expected delivery arrived. */
const GRACE_MS = 250;

/** Splits rows into rounds holding each device at most once (client id = device id). */
function rounds<R extends { device: string }>(rows: R[]): R[][] {
  const out: R[][] = [];
  for (const row of rows) {
    const round = out.find((r) => !r.some((x) => x.device === row.device));
    if (round) round.push(row);
    else out.push([row]);
  }
  return out;
}

export function runAclContract(options: AclContractOptions): void {
  describe(`ACL contract: ${options.name}`, () => {
    let target: AclTarget;
    const open: MqttClient[] = [];
    const connect = async (id: string, extra = {}) => {
      const c = await connectAs(target.url, id, extra);
      open.push(c);
      return c;
    };
    const publishOutcome = new Map<number, boolean>();
    const readOutcome = new Map<number, boolean>();
    const retainedOutcome = new Map<number, boolean>();

    beforeAll(async () => {
      target = await options.create(fixtureRegistry(), ROOT);

      // publish rows: the harness admin listens to everything, each device publishes its rows
      const ops = await connect('ops');
      const seen = record(ops);
      await ops.subscribeAsync('#', { qos: 1 });
      const publishers = new Map<string, MqttClient>();
      for (const d of new Set(PUBLISH_TABLE.map((r) => r.device))) {
        publishers.set(d, await connect(d));
      }
      await Promise.all(
        PUBLISH_TABLE.map((r, i) =>
          publishers
            .get(r.device)!
            .publishAsync(r.topic, payloadFor(r.topic, `pub-${i}`), { qos: 1 }),
        ),
      );
      const got = (i: number) =>
        seen.some((m) => m.payload === payloadFor(PUBLISH_TABLE[i]!.topic, `pub-${i}`));
      await until(
        () => PUBLISH_TABLE.every((r, i) => !r.allowed || got(i)),
        'allowed publishes to arrive',
      );
      await sleep(GRACE_MS);
      for (const i of PUBLISH_TABLE.keys()) publishOutcome.set(i, got(i));
      for (const c of publishers.values()) await c.endAsync();

      // read rows, in rounds: each device once per round (client id = device id)
      for (const round of rounds(READ_TABLE.map((r, i) => ({ ...r, i })))) {
        const subs = new Map<number, Received[]>();
        const clients: MqttClient[] = [];
        for (const row of round) {
          const c = await connect(row.device);
          clients.push(c);
          subs.set(row.i, record(c));
          // refused or granted, the contract is what arrives
          await subscribeGranted(c, row.filter);
        }
        for (const row of round) {
          await ops.publishAsync(row.topic, payloadFor(row.topic, `read-${row.i}`), { qos: 1 });
        }
        const got = (i: number) =>
          subs.get(i)!.some((m) => m.payload === payloadFor(READ_TABLE[i]!.topic, `read-${i}`));
        await until(() => round.every((r) => !r.allowed || got(r.i)), 'allowed reads to arrive');
        await sleep(GRACE_MS);
        for (const row of round) readOutcome.set(row.i, got(row.i));
        for (const c of clients) await c.endAsync();
      }

      // retained rows: set every retained message, then late subscribers in rounds
      const setters = new Map<string, MqttClient>();
      for (const r of RETAINED_TABLE) {
        const c = setters.get(r.publisher) ?? (await connect(r.publisher));
        setters.set(r.publisher, c);
        await c.publishAsync(r.topic, payloadFor(r.topic, `ret-${r.topic}`), {
          qos: 1,
          retain: true,
        });
      }
      for (const c of setters.values()) await c.endAsync();
      for (const round of rounds(RETAINED_TABLE.map((r, i) => ({ ...r, i })))) {
        const subs = new Map<number, Received[]>();
        const clients: MqttClient[] = [];
        for (const row of round) {
          const c = await connect(row.device);
          clients.push(c);
          subs.set(row.i, record(c));
          await subscribeGranted(c, row.filter);
        }
        const got = (i: number) =>
          subs.get(i)!.some((m) => m.topic === RETAINED_TABLE[i]!.topic && m.retain);
        await until(() => round.every((r) => !r.allowed || got(r.i)), 'retained messages');
        await sleep(GRACE_MS);
        for (const row of round) retainedOutcome.set(row.i, got(row.i));
        for (const c of clients) await c.endAsync();
      }
    });

    afterAll(async () => {
      await Promise.all(open.map((c) => c.endAsync(true).catch(() => undefined)));
      await target?.close();
    });

    it.each(PUBLISH_TABLE.map((r, i) => ({ ...r, i })))(
      'publish $device → $topic: allowed=$allowed',
      ({ i, allowed }) => {
        expect(publishOutcome.get(i)).toBe(allowed);
      },
    );

    it.each(READ_TABLE.map((r, i) => ({ ...r, i })))(
      'read $device subscribes $filter, receives $topic: $allowed',
      ({ i, allowed }) => {
        expect(readOutcome.get(i)).toBe(allowed);
      },
    );

    it.each(RETAINED_TABLE.map((r, i) => ({ ...r, i })))(
      'retained $topic (by $publisher) reaches late $device via $filter: $allowed',
      ({ i, allowed }) => {
        expect(retainedOutcome.get(i)).toBe(allowed);
      },
    );

    it('refuses a wrong password, an unknown device and anonymous clients at CONNACK', async () => {
      const base = { clientId: 's1', username: 's1' };
      expect(await connackCode(target.url, { ...base, password: 'wrong' })).not.toBe(0);
      expect(
        await connackCode(target.url, { clientId: 'ghost', username: 'ghost', password: 'x' }),
      ).not.toBe(0);
      expect(await connackCode(target.url, { clientId: 'anon-1' })).not.toBe(0);
      expect(await connackCode(target.url, { ...base, password: passwordOf('s1') })).toBe(0);
    });

    it('a Last Will on a topic the device may not publish is never delivered', async () => {
      const listener = await connect('ops');
      const seen = record(listener);
      await listener.subscribeAsync(t('a/+'), { qos: 1 });
      const will = {
        topic: t('a/decision'),
        payload: Buffer.from('will-forbidden'),
        qos: 1 as const,
        retain: false,
      };
      // refused at CONNACK, or accepted and the will dropped: both keep the decision topic clean
      const sensor = await connectAs(target.url, 's1', { will }).catch(() => undefined);
      sensor?.stream.destroy(); // an unclean disconnect fires a will
      // a will the device may publish, as a positive control
      const ok = await connect('s2', {
        will: {
          topic: t('a/status/s2'),
          payload: Buffer.from('{"online":false}'),
          qos: 1,
          retain: false,
        },
      });
      await listener.subscribeAsync(t('a/status/+'), { qos: 1 });
      ok.stream.destroy();
      await until(() => seen.some((m) => m.topic === t('a/status/s2')), 'the allowed will');
      await sleep(GRACE_MS);
      expect(seen.some((m) => m.payload === 'will-forbidden')).toBe(false);
      await listener.endAsync();
    });

    it("one device cannot take over another's session (client id must be the device id)", async () => {
      const victim = await connect('s2');
      // s1's own valid credentials, s2's client id: refused, or renamed to s1 — never s2
      await connackCode(target.url, { clientId: 's2', username: 's1', password: passwordOf('s1') });
      expect(await closedWithin(victim, 300)).toBe(false);
      await victim.endAsync();
    });
  });
}
