/**
 * `openphase intersection publish` (publishConfigs) against a real embedded broker: it says so
 * when the broker closes its connection before the configs are out — as when a running gateway
 * of the same device takes its session back — instead of ending with nothing published and
 * nothing said.
 */
import { expect, it } from 'vitest';
import { createBroker } from '../../broker/index.ts';
import { publishConfigs } from '../../field/config-publisher.ts';
import { twoPhase } from '../fixtures/intersections.ts';
import { connectAs, fixtureRegistry, passwordOf } from './broker-fixtures.ts';

it('publishes a config; a session taken back before it is out is an error naming the client id', async () => {
  const broker = createBroker({ port: 0, devices: fixtureRegistry(), log: () => {} });
  const { url } = await broker.start();
  const config = { ...twoPhase, id: 'a' };
  const as = { mqttUrl: url, username: 'sig-a', password: passwordOf('sig-a'), settleMs: 300 };
  expect(await publishConfigs([config], as)).toEqual([
    { id: 'a', previous: 'none', published: true },
  ]);
  // a "gateway" of the same device that takes its session back at once, for ever
  const gateway = await connectAs(url, 'sig-a', { reconnectPeriod: 50 });
  const changed = { ...config, name: 'renamed' };
  await expect(publishConfigs([changed], as)).rejects.toThrow(
    /closed the connection before the configs were published.*client id 'sig-a'/,
  );
  await gateway.endAsync(true);
  await broker.close();
}, 30_000);
