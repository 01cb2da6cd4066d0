/**
 * The broker without a socket: aedes takes any duplex stream, so an mqtt.js client and the
 * broker talk through an in-memory pair (`handle`: any stream, guarded as a network peer). Fast,
 * and exercises the real hooks end to end.
 */
import { Duplex, PassThrough } from 'node:stream';
import { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker } from '../../broker/index.ts';
import { fixtureRegistry, passwordOf, record, until } from '../integration/broker-fixtures.ts';

function pair(): [Duplex, Duplex] {
  const a = new PassThrough();
  const b = new PassThrough();
  return [Duplex.from({ readable: a, writable: b }), Duplex.from({ readable: b, writable: a })];
}

describe.each(['handle'] as const)('broker through an in-memory stream pair (%s)', (entry) => {
  const broker = createBroker({ devices: fixtureRegistry(), log: () => {} });
  const clients: MqttClient[] = [];

  const connect = (id: string) =>
    new Promise<MqttClient>((resolve, reject) => {
      const client = new MqttClient(
        () => {
          const [clientSide, brokerSide] = pair();
          broker[entry](brokerSide);
          return clientSide as never;
        },
        { clientId: id, username: id, password: passwordOf(id), reconnectPeriod: 0 },
      );
      clients.push(client);
      client.once('connect', () => resolve(client));
      client.once('error', reject);
    });

  beforeAll(async () => {
    await broker.aedes.listen(); // no start(): no TCP listener at all
  });
  afterAll(async () => {
    for (const c of clients) c.end(true);
    await broker.close();
  });

  it('delivers what the ACL allows and counts what it refuses', async () => {
    const controller = await connect('ctl-a');
    const got = record(controller);
    await controller.subscribeAsync('traffic/v1/a/#', { qos: 1 });
    const sensor = await connect('s1');
    await sensor.publishAsync('traffic/v1/a/decision', 'forged', { qos: 1 });
    await sensor.publishAsync('traffic/v1/a/counts/s1', 'real', { qos: 1 });
    await until(() => got.some((m) => m.payload === 'real'), 'the allowed counts');
    expect(got.map((m) => m.payload)).toEqual(['real']);
    expect(broker.stats().refused.s1).toEqual({ role: 1 });
    expect(broker.stats().published).toBe(1);
  });

  it('refuses a wrong password', async () => {
    const client = new MqttClient(
      () => {
        const [clientSide, brokerSide] = pair();
        broker[entry](brokerSide);
        return clientSide as never;
      },
      { clientId: 'ctl-a', username: 'ctl-a', password: 'not-the-password', reconnectPeriod: 0 },
    );
    client.on('error', () => {}); // the refusal, or the stream closing under it
    clients.push(client);
    await until(() => (broker.stats().connectRefused['bad-password'] ?? 0) > 0, 'the refusal');
    expect(client.connected).toBe(false);
  });
});
