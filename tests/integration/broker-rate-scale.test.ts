/**
 * The default publish rate at city scale, over real TCP: a device of every intersection (a
 * city-wide controller or sensor gateway: 10,000 decisions a second at 10,000 intersections)
 * is not held to the rate of a device of one intersection. With the flat 2,000/s that used to
 * apply to every device, a controller service of 3,000 intersections made 1,067 decisions a
 * second and not one came back in time (bench:controller).
 */
import type { MqttClient } from 'mqtt';
import { expect, it } from 'vitest';
import { createBroker } from '../../broker/index.ts';
import { connectAs, fixtureRegistry, publishPacket, until } from './broker-fixtures.ts';

/** Writes `count` publishes at once and waits until the collector has them all. */
async function burst(
  from: MqttClient,
  got: () => number,
  topicOf: (k: number) => string,
  count: number,
) {
  const before = got();
  const body = JSON.stringify({ v: 1, pad: 'x'.repeat(40) });
  from.stream.write(
    Buffer.concat(Array.from({ length: count }, (_, k) => publishPacket(topicOf(k), body))),
  );
  await until(() => got() - before === count, `${count} publishes delivered`, 30_000);
}

it('a device of every intersection publishes for 10,000 at once unthrottled; a device of one waits past its burst', async () => {
  const broker = createBroker({ port: 0, devices: fixtureRegistry(), log: () => {} });
  const { url } = await broker.start();
  const collector = await connectAs(url, 'col');
  let received = 0;
  collector.on('message', () => received++);
  await collector.subscribeAsync('traffic/v1/+/counts/+', { qos: 0 });
  const got = () => received;

  const sany = await connectAs(url, 'sany'); // a sensor gateway of every intersection
  await burst(sany, got, (k) => `traffic/v1/i${k}/counts/sany`, 10_000);
  expect(broker.stats().throttled).toBe(0);

  const s1 = await connectAs(url, 's1'); // a sensor of one intersection: 2,000/s, burst 4,000
  await burst(s1, got, () => 'traffic/v1/a/counts/s1', 6_000);
  expect(broker.stats().throttled).toBeGreaterThan(0);

  for (const c of [collector, sany, s1]) await c.endAsync();
  await broker.close();
}, 60_000);
