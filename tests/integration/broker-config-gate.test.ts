/**
 * The embedded broker refuses a config publish with errors (issue 17.8): it reaches no
 * subscriber and the good retained config stays, for subscribers now and later.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Broker, createBroker } from '../../broker/index.ts';
import { twoPhase } from '../fixtures/intersections.ts';
import { connectAs, fixtureRegistry, type Received, record, until } from './broker-fixtures.ts';

const topic = 'traffic/v1/a/config';
let broker: Broker;
let url: string;
const clients: MqttClient[] = [];
const logs: string[] = [];

beforeAll(async () => {
  broker = createBroker({ port: 0, devices: fixtureRegistry(), log: (l) => logs.push(l) });
  url = (await broker.start()).url;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync()));
  await broker.close();
});

const connect = async (id: string) => {
  const c = await connectAs(url, id);
  clients.push(c);
  return c;
};
const configsIn = (got: Received[]) => got.filter((m) => m.topic === topic);

describe('config publishes at the embedded broker', () => {
  it('keeps the good retained config when a bad one is published', async () => {
    const signal = await connect('sig-a');
    const live = await connect('ctl-a');
    const heard = record(live);
    await live.subscribeAsync(topic, { qos: 1 });

    const good = JSON.stringify({ ...twoPhase, id: 'a' });
    await signal.publishAsync(topic, good, { qos: 1, retain: true });
    await until(() => configsIn(heard).length === 1, 'the good config');

    const broken = JSON.stringify({ ...twoPhase, id: 'a', phases: [] });
    const otherId = JSON.stringify({ ...twoPhase, id: 'b' });
    for (const bad of [broken, otherId, '{"v":1', '']) {
      await signal.publishAsync(topic, bad, { qos: 1, retain: true }); // acknowledged…
    }
    // …and refused: counted for the device, logged with the reason
    await until(
      () => (broker.stats().refused['sig-a']?.['invalid-config'] ?? 0) === 4,
      'four refusals',
    );
    expect(logs.some((l) => /sig-a.*invalid-config.*phases/.test(l))).toBe(true);

    // a newcomer still gets the good config, retained; the live subscriber heard no bad one
    const later = await connect('col');
    const retained = record(later);
    await later.subscribeAsync(topic, { qos: 1 });
    await until(() => configsIn(retained).length === 1, 'the retained config');
    expect(configsIn(retained)[0]).toEqual({ topic, payload: good, retain: true });
    await signal.publishAsync(topic, good, { qos: 1 }); // a marker after the bad ones
    await until(() => configsIn(heard).length === 2, 'the marker');
    expect(configsIn(heard).map((m) => m.payload)).toEqual([good, good]);
  });

  it('lets an admin clear a retained config with an empty payload', async () => {
    const admin = await connect('adm');
    await admin.publishAsync(topic, '', { qos: 1, retain: true });
    const late = await connect('obs');
    const got = record(late);
    await late.subscribeAsync(topic, { qos: 1 });
    // a live config after the subscription: a retained one would have come first
    await admin.publishAsync(topic, JSON.stringify({ ...twoPhase, id: 'a' }), { qos: 1 });
    await until(() => configsIn(got).length === 1, 'the live config');
    expect(configsIn(got)[0]?.retain).toBe(false);
    expect(broker.stats().refused.adm?.['invalid-config']).toBeUndefined();
  });
});
