/**
 * The embedded broker over real TCP: CONNACK refusals, refused publishes, repeated refusals,
 * payload limits, retained discovery, the credential cache, registry reload.
 * (The role table itself: broker-acl.test.ts, shared with Mosquitto.)
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  addDevice,
  createBroker,
  findDevice,
  type Registry,
  rotateDevice,
} from '../../broker/index.ts';
import { twoPhase } from '../fixtures/intersections.ts';
import {
  closedWithin,
  connackCode,
  connectAs,
  FIXTURE_DEVICES,
  fixtureRegistry,
  passwordOf,
  record,
  sleep,
  TEST_ITERATIONS,
  until,
} from './broker-fixtures.ts';

const logs: string[] = [];
const log = (line: string) => logs.push(line);

// every test checks at the end that no password ever reached the log
afterEach(() => {
  for (const d of FIXTURE_DEVICES) {
    expect(logs.join('\n')).not.toContain(passwordOf(d.id));
  }
  expect(logs.join('\n')).not.toContain('wrong-password-123');
});

describe('embedded broker over TCP', () => {
  let registry: Registry;
  let broker: ReturnType<typeof createBroker>;
  let url: string;
  const open: { endAsync(force?: boolean): Promise<void> }[] = [];
  const connect = async (id: string, opts = {}) => {
    const c = await connectAs(url, id, opts);
    open.push(c);
    return c;
  };

  beforeAll(async () => {
    registry = fixtureRegistry();
    broker = createBroker({
      port: 0,
      devices: registry,
      log,
      maxPayloadBytes: 4096,
      maxRetainedBytes: 8192,
    });
    ({ url } = await broker.start());
  });
  afterAll(async () => {
    await Promise.all(open.map((c) => c.endAsync(true).catch(() => undefined)));
    await broker.close();
    await broker.close(); // safe twice
  });

  it('refuses at CONNACK: wrong password, unknown device, client id ≠ device id, anonymous', async () => {
    const s1 = { clientId: 's1', username: 's1' };
    expect(await connackCode(url, { ...s1, password: 'wrong-password-123' })).toBe(4);
    expect(await connackCode(url, { ...s1 })).toBe(4); // no password
    expect(await connackCode(url, { clientId: 'x', username: 'x', password: 'p' })).toBe(4);
    expect(await connackCode(url, { ...s1, clientId: 's2', password: passwordOf('s1') })).toBe(2);
    expect(await connackCode(url, { clientId: 'anon' })).toBe(5);
    expect(await connackCode(url, { ...s1, password: passwordOf('s1') })).toBe(0);
    expect(broker.stats().connectRefused).toMatchObject({
      'bad-password': 2,
      'unknown-device': 1,
      'client-id-mismatch': 1,
      anonymous: 1,
    });
  });

  it('refuses a Last Will the device may not publish, at CONNACK', async () => {
    const will = {
      topic: 'traffic/v1/a/decision',
      payload: Buffer.from('x'),
      qos: 0 as const,
      retain: false,
    };
    expect(
      await connackCode(url, { clientId: 's1', username: 's1', password: passwordOf('s1'), will }),
    ).toBe(5);
    expect(broker.stats().connectRefused['will-not-allowed']).toBe(1);
  });

  it("delivers a sensor's refused publishes to nobody, counts them, and keeps it connected", async () => {
    const collector = await connect('col');
    const got = record(collector);
    await collector.subscribeAsync('traffic/#', { qos: 1 });
    const adm = await connect('adm');
    const admGot = record(adm);
    await adm.subscribeAsync('#', { qos: 1 });
    const sensor = await connect('s1');
    const before = broker.stats().refused.s1 ?? {};
    await sensor.publishAsync('traffic/v1/a/decision', 'forged-decision', { qos: 1 });
    await sensor.publishAsync('traffic/v1/a/counts/s2', 'forged-counts', { qos: 1 });
    await sensor.publishAsync('traffic/v1/b/counts/s1', 'other-intersection', { qos: 0 });
    await sensor.publishAsync('traffic/v1/a/config', 'forged-retained', { qos: 1, retain: true });
    await sensor.publishAsync('traffic/v1/a/counts/s1', 'fence', { qos: 1 });
    await until(() => got.some((m) => m.payload === 'fence'), 'the fence');
    await until(() => admGot.some((m) => m.payload === 'fence'), 'the fence (admin)');
    await sleep(100);
    expect(got.map((m) => m.payload)).toEqual(['fence']);
    expect(admGot.map((m) => m.payload)).toEqual(['fence']);
    expect(broker.stats().refused.s1).toEqual({
      ...before,
      role: (before.role ?? 0) + 2,
      'other-device': (before['other-device'] ?? 0) + 1,
      'other-intersection': (before['other-intersection'] ?? 0) + 1,
    });
    expect(sensor.connected).toBe(true);
    // the refused retained publish was not stored either
    const late = await connect('ctl-a');
    const lateGot = record(late);
    await late.subscribeAsync('traffic/v1/a/config', { qos: 1 });
    await sleep(150);
    expect(lateGot).toEqual([]);
    expect(logs.some((l) => l.includes('refused publish from s1'))).toBe(true);
  });

  it('counts refused subscriptions (SUBACK 0x80) per device', async () => {
    const sensor = await connect('s2');
    await expect(sensor.subscribeAsync('traffic/#')).rejects.toThrow();
    expect(broker.stats().refused.s2).toEqual({ 'subscribe:role': 1 });
  });

  it('disconnects a device after 100 refused publishes in a row, logging at a bounded rate', async () => {
    const linesBefore = logs.length;
    const sensor = await connect('s3');
    const closed = closedWithin(sensor, 5000);
    for (let i = 0; i < 150 && sensor.connected; i++) {
      sensor.publish('traffic/v1/b/decision', `x${i}`, { qos: 0 });
    }
    expect(await closed).toBe(true);
    expect(broker.stats().refused.s3?.role).toBe(100);
    expect(broker.stats().disconnected['refused-repeatedly']).toBe(1);
    expect(logs.length - linesBefore).toBeLessThan(20);
  });

  it('acknowledges and drops an oversize QoS 1 payload; the sender stays connected and keeps delivering (3.1.1)', async () => {
    const controller = await connect('ctl-a');
    const got = record(controller);
    await controller.subscribeAsync('traffic/v1/a/counts/+', { qos: 1 });
    const before = broker.stats().refused.s1?.oversize ?? 0;
    const sensor = await connect('s1', { protocolVersion: 4 });
    let closes = 0;
    sensor.on('close', () => closes++);
    // the PUBACK arrives: the client does not keep re-sending it on every reconnect
    await sensor.publishAsync('traffic/v1/a/counts/s1', Buffer.alloc(4097, 1), { qos: 1 });
    for (let i = 0; i < 10; i++) {
      await sensor.publishAsync('traffic/v1/a/counts/s1', `after${i}`, { qos: 1 });
    }
    await until(() => got.filter((m) => m.topic.endsWith('/s1')).length === 10, 'the next 10');
    expect(got.filter((m) => m.topic.endsWith('/s1')).map((m) => m.payload)).toEqual(
      Array.from({ length: 10 }, (_, i) => `after${i}`),
    );
    expect(sensor.connected).toBe(true);
    expect(closes).toBe(0);
    expect(broker.stats().refused.s1?.oversize).toBe(before + 1);
  });

  it('disconnects a packet past the hard packet limit while others keep exchanging', async () => {
    const controller = await connect('ctl-a');
    const got = record(controller);
    await controller.subscribeAsync('traffic/v1/a/counts/+', { qos: 1 });
    const before = broker.stats().disconnected['too-large'] ?? 0;
    const big = await connect('s1');
    const closed = closedWithin(big, 5000);
    big.publish('traffic/v1/a/counts/s1', Buffer.alloc(300 * 1024, 1), { qos: 0 });
    expect(await closed).toBe(true);
    const other = await connect('s2');
    for (let i = 0; i < 20; i++)
      await other.publishAsync('traffic/v1/a/counts/s2', `m${i}`, { qos: 1 });
    await until(() => got.filter((m) => m.topic.endsWith('/s2')).length === 20, 'the others');
    expect(got.some((m) => m.topic.endsWith('/s1'))).toBe(false);
    expect(broker.stats().disconnected['too-large']).toBe(before + 1);
  });

  it('refuses a retained publish outside config/status/signal (e.g. counts), counted, never stored', async () => {
    const sensor = await connect('s1');
    await sensor.publishAsync('traffic/v1/a/counts/s1', 'retained-count', { qos: 1, retain: true });
    expect(broker.stats().refused.s1?.['retain-not-allowed']).toBe(1);
    const late = await connect('ctl-a');
    const got = record(late);
    await late.subscribeAsync('traffic/v1/a/counts/+', { qos: 1 });
    await sensor.publishAsync('traffic/v1/a/counts/s1', 'marker', { qos: 1 });
    await until(() => got.some((m) => m.payload === 'marker'), 'the marker');
    expect(got.some((m) => m.payload === 'retained-count')).toBe(false);
  });

  it("caps a device's retained bytes: past the quota retained publishes are refused, clearing frees room", async () => {
    // sany is a sensor for every intersection: it may retain a status on any of them
    const sany = await connect('sany');
    const body = JSON.stringify({ v: 1, online: true, pad: 'x'.repeat(200) });
    for (let i = 0; i < 100; i++) {
      await sany.publishAsync(`traffic/v1/q${i}/status/sany`, body, { qos: 1, retain: true });
    }
    const refused = broker.stats().refused.sany?.['retained-quota'] ?? 0;
    const kept = 100 - refused;
    const each = Buffer.byteLength('traffic/v1/q10/status/sany') + Buffer.byteLength(body);
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(Math.floor(8192 / (each - 1)));
    const observer = await connect('adm');
    const got = record(observer);
    await observer.subscribeAsync('traffic/v1/+/status/sany', { qos: 1 });
    await until(() => got.length === kept, 'the retained statuses');
    // clearing one (empty retained payload) makes room for another
    await sany.publishAsync('traffic/v1/q0/status/sany', '', { qos: 1, retain: true });
    await sany.publishAsync('traffic/v1/z/status/sany', body, { qos: 1, retain: true });
    expect(broker.stats().refused.sany?.['retained-quota']).toBe(refused);
    expect(sany.connected).toBe(true);
  });

  it('cuts a connection announcing a huge packet before reading its body', async () => {
    // a connected s1 writes only the fixed header of a ~268 MB PUBLISH on its raw socket
    const sensor = await connect('s2');
    const before = broker.stats().disconnected['too-large'] ?? 0;
    const raw = await connect('s1');
    const closed = closedWithin(raw, 5000);
    raw.stream.write(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f, 0x00]));
    expect(await closed).toBe(true); // no body was ever sent: the broker did not wait for it
    expect(broker.stats().disconnected['too-large']).toBe(before + 1);
    expect(sensor.connected).toBe(true);
  });

  it('gives a late subscriber the retained config, signal and status (discovery)', async () => {
    const signal = await connect('sig-a');
    await signal.publishAsync('traffic/v1/a/config', JSON.stringify({ ...twoPhase, id: 'a' }), {
      qos: 1,
      retain: true,
    });
    await signal.publishAsync('traffic/v1/a/signal', '{"v":1,"phase":"ns"}', {
      qos: 1,
      retain: true,
    });
    await signal.publishAsync('traffic/v1/a/status/sig-a', '{"online":true}', {
      qos: 1,
      retain: true,
    });
    await signal.endAsync();
    const late = await connect('ctl-a');
    const got = record(late);
    await late.subscribeAsync(
      ['traffic/v1/+/config', 'traffic/v1/+/signal', 'traffic/v1/+/status/+'],
      { qos: 1 },
    );
    await until(() => got.length >= 3, 'three retained messages');
    expect(
      got
        .filter((m) => m.retain)
        .map((m) => m.topic)
        .sort(),
    ).toEqual(['traffic/v1/a/config', 'traffic/v1/a/signal', 'traffic/v1/a/status/sig-a']);
  });

  it('verifies a password once per broker life: reconnects hit the cache', async () => {
    const before = broker.stats().auth;
    for (let i = 0; i < 5; i++) {
      const c = await connectAs(url, 'obs');
      await c.endAsync();
    }
    const after = broker.stats().auth;
    expect(after.verified - before.verified).toBeLessThanOrEqual(1);
    expect(after.cacheHits - before.cacheHits).toBeGreaterThanOrEqual(4);
    // a wrong password is never cached as good
    expect(
      await connackCode(url, { clientId: 'obs', username: 'obs', password: 'wrong-password-123' }),
    ).toBe(4);
  });

  it('reload(): a rotated device is disconnected and its old password refused', async () => {
    const victim = await connect('sany');
    const closed = closedWithin(victim, 5000);
    registry = rotateDevice(registry, 'sany', 'new-secret', { iterations: TEST_ITERATIONS });
    registry = addDevice(
      registry,
      {
        id: 'late',
        role: 'sensor',
        intersections: ['a'],
        password: 'late-pw',
      },
      { iterations: TEST_ITERATIONS },
    );
    broker.reload(registry);
    expect(await closed).toBe(true);
    expect(broker.stats().disconnected.revoked).toBe(1);
    const sany = { clientId: 'sany', username: 'sany' };
    expect(await connackCode(url, { ...sany, password: passwordOf('sany') })).toBe(4);
    expect(await connackCode(url, { ...sany, password: 'new-secret' })).toBe(0);
    expect(
      await connackCode(url, { clientId: 'late', username: 'late', password: 'late-pw' }),
    ).toBe(0);
    expect(findDevice(registry, 'late')?.role).toBe('sensor');
  });
});

describe('insecure mode', () => {
  it('accepts anonymous clients only with the flag, and warns at start', async () => {
    const lines: string[] = [];
    const broker = createBroker({ port: 0, insecure: true, log: (l) => lines.push(l) });
    const { url } = await broker.start();
    expect(lines.some((l) => l.includes('WARNING') && l.includes('insecure'))).toBe(true);
    expect(await connackCode(url, { clientId: 'anyone' })).toBe(0);
    await broker.close();

    const strict = createBroker({ port: 0, log: (l) => lines.push(l) });
    const started = await strict.start();
    expect(await connackCode(started.url, { clientId: 'anyone' })).toBe(5);
    expect(lines.some((l) => l.includes('no device registry'))).toBe(true);
    await strict.close();
  });
});
