/**
 * broker.openSession: the bench's simulator reaches the broker of its own process without MQTT
 * packets. It must be held to exactly what a TCP connection of the same device is held to —
 * credential, ACL, config check, retained quota — and hear decisions in the order, and with the
 * content, a controller sent them over TCP.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerSession, createBroker } from '../../broker/index.ts';
import { connectAs, fixtureRegistry, passwordOf, until } from '../integration/broker-fixtures.ts';

const creds = (id: string) => ({ username: id, password: passwordOf(id) });

describe('an in-process session of the broker', () => {
  const broker = createBroker({ port: 0, devices: fixtureRegistry(), log: () => {} });
  let url = '';
  const clients: MqttClient[] = [];
  const sessions: BrokerSession[] = [];
  /** everything delivered, as an admin on TCP sees it */
  const seen: { topic: string; payload: string }[] = [];

  beforeAll(async () => {
    ({ url } = await broker.start());
    const ops = await connectAs(url, 'ops');
    clients.push(ops);
    ops.on('message', (topic, payload) => seen.push({ topic, payload: payload.toString() }));
    await ops.subscribeAsync('traffic/#', { qos: 1 });
  });
  afterAll(async () => {
    for (const s of sessions) await s.close();
    for (const c of clients) c.end(true);
    await broker.close();
  });

  const session = async (id: string) => {
    const s = await broker.openSession(id, creds(id));
    sessions.push(s);
    return s;
  };
  const tcp = async (id: string) => {
    const c = await connectAs(url, id);
    clients.push(c);
    return c;
  };

  // device, topic, payload, retained
  const attempts: [string, string, string, boolean][] = [
    ['s1', 'traffic/v1/a/counts/s1', 'counts', false], // allowed
    ['s1', 'traffic/v1/a/decision', 'forged', false], // role
    ['s1', 'traffic/v1/b/counts/s1', 'elsewhere', false], // other intersection
    ['s1', 'traffic/v1/a/counts/s2', 'not mine', false], // other device
    ['sig-a', 'traffic/v1/a/config', '{"v":1,"id":"a"}', true], // a config with errors
    ['sig-a', 'traffic/v1/a/signal', 'shown', true], // allowed, retained
    ['ctl-a', 'traffic/v1/a/decision', 'answer', false], // allowed
    ['ctl-a', 'traffic/v1/b/decision', 'not its own', false], // other intersection
    ['ctl-a', 'traffic/v1/a/signal', 'forged', true], // role
  ];

  it('is refused exactly what a TCP connection of the same device is refused', async () => {
    const outcome = async (via: 'tcp' | 'session') => {
      const refused0 = JSON.stringify(broker.stats().refused);
      const published0 = broker.stats().published;
      const from = seen.length;
      for (const [id, topic, payload, retain] of attempts) {
        const tagged = `${via}:${payload}`;
        if (via === 'tcp') await (await tcp(id)).publishAsync(topic, tagged, { qos: 1, retain });
        else await (await session(id)).publish(topic, tagged, retain);
      }
      await until(() => seen.slice(from).some((m) => m.payload === `${via}:answer`), 'delivery');
      await new Promise((r) => setTimeout(r, 50));
      return {
        delivered: seen.slice(from).map((m) => `${m.topic} ${m.payload.slice(via.length + 1)}`),
        published: broker.stats().published - published0,
        refused0,
      };
    };
    const before = broker.stats().refused;
    const overTcp = await outcome('tcp');
    const afterTcp = broker.stats().refused;
    const inProcess = await outcome('session');
    const afterSession = broker.stats().refused;
    expect(overTcp.delivered).toEqual([
      'traffic/v1/a/counts/s1 counts',
      'traffic/v1/a/signal shown',
      'traffic/v1/a/decision answer',
    ]);
    expect(inProcess.delivered).toEqual(overTcp.delivered);
    expect(inProcess.published).toBe(overTcp.published);
    // each refusal counted once per way in, with the same reason
    const diff = (a: typeof before, b: typeof before) =>
      Object.fromEntries(
        Object.entries(b).map(([id, reasons]) => [
          id,
          Object.fromEntries(Object.entries(reasons).map(([r, n]) => [r, n - (a[id]?.[r] ?? 0)])),
        ]),
      );
    expect(diff(afterTcp, afterSession)).toEqual(diff(before, afterTcp));
    expect(diff(before, afterTcp)).toMatchObject({
      s1: { role: 1, 'other-intersection': 1, 'other-device': 1 },
      'sig-a': { 'invalid-config': 1 },
      'ctl-a': { 'other-intersection': 1, role: 1 },
    });
  });

  it('refuses a wrong password and a client id that is not the device', async () => {
    await expect(
      broker.openSession('ctl-a', { username: 'ctl-a', password: 'wrong' }),
    ).rejects.toThrow(/refused/);
    await expect(broker.openSession('someone', creds('ctl-a'))).rejects.toThrow(/refused/);
    await expect(broker.openSession('anon', undefined)).rejects.toThrow(/refused/);
  });

  it('refuses a subscription the ACL refuses over TCP', async () => {
    const s = await session('s3');
    await expect(s.subscribe('traffic/v1/a/#', () => {})).rejects.toThrow(/cannot subscribe/);
    // over TCP: SUBACK 0x80, which mqtt.js reports as an error
    await expect((await tcp('s3')).subscribeAsync('traffic/v1/a/#', { qos: 1 })).rejects.toThrow();
    expect(broker.stats().refused.s3).toEqual({ 'subscribe:role': 2 }); // once per way in
  });

  it('hears a controller’s decisions in the order sent, with the same bytes', async () => {
    const sim = await session('sig-a');
    const got: string[] = [];
    await sim.subscribe('traffic/v1/a/decision', (topic, payload) => {
      expect(topic).toBe('traffic/v1/a/decision');
      got.push(payload.toString());
    });
    const ctl = await tcp('ctl-a');
    const sent = Array.from({ length: 200 }, (_, seq) =>
      JSON.stringify({ v: 1, controller: 'ctl-a', seq, t: 1_767_225_600_000 + seq, phase: 'ns' }),
    );
    await Promise.all(sent.map((p) => ctl.publishAsync('traffic/v1/a/decision', p, { qos: 1 })));
    await until(() => got.length === sent.length, 'every decision');
    expect(got).toEqual(sent);
  });

  it('delivers what it publishes in the order published, as a tick goes out: counts, then the signal', async () => {
    const sim = await session('adm');
    const ctl = await tcp('ctl-a');
    const got: string[] = [];
    ctl.on('message', (topic, payload) => {
      // (the retained signal of an earlier test comes first: not this test's)
      if (/^[cs]\d+$/.test(payload.toString())) got.push(`${topic} ${payload.toString()}`);
    });
    await ctl.subscribeAsync(['traffic/v1/a/counts/+', 'traffic/v1/a/signal'], { qos: 1 });
    const sent: string[] = [];
    for (let tick = 0; tick < 100; tick++) {
      const counts = ['s1', 's2', 'sany'].map((s) => [`traffic/v1/a/counts/${s}`, `c${tick}`]);
      for (const [topic, p] of counts) sent.push(`${topic} ${p}`);
      await Promise.all(counts.map(([topic, p]) => sim.publish(topic!, p!, false)));
      sent.push(`traffic/v1/a/signal s${tick}`);
      await sim.publish('traffic/v1/a/signal', `s${tick}`, true);
    }
    await until(() => got.length === sent.length, 'every message');
    expect(got).toEqual(sent);
    await sim.publish('traffic/v1/a/signal', '', true); // the retained signal cleared
  });

  it('is closed when its device is removed from the registry, and then delivers nothing', async () => {
    const s = await session('s2');
    expect(s.connected).toBe(true);
    const reg = fixtureRegistry();
    broker.reload({ ...reg, devices: reg.devices.filter((d) => d.id !== 's2') });
    expect(s.connected).toBe(false);
    const from = seen.length;
    await s.publish('traffic/v1/a/counts/s2', 'after removal', false);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.slice(from).map((m) => m.payload)).not.toContain('after removal');
    broker.reload(reg);
  });
});
