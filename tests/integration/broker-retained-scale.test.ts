/**
 * The default retained quota at city scale, over real TCP: a service of every intersection
 * keeps a retained status on 10,000 intersections (≈ 1.6 MB, past the flat 1 MiB that used to
 * refuse the births from about the 7,000th and then disconnect the service).
 */
import { expect, it } from 'vitest';
import { createBroker } from '../../broker/index.ts';
import { connectAs, fixtureRegistry } from './broker-fixtures.ts';

it('a device of every intersection retains a status on each of 10,000 intersections', async () => {
  const broker = createBroker({
    port: 0,
    devices: fixtureRegistry(),
    log: () => {},
    rateLimit: false,
  });
  const { url } = await broker.start();
  const sany = await connectAs(url, 'sany'); // a sensor of every intersection
  const body = JSON.stringify({ v: 1, online: true, device: 'sany', pad: 'x'.repeat(80) });
  const sent: Promise<unknown>[] = [];
  for (let i = 0; i < 10_000; i++)
    sent.push(sany.publishAsync(`traffic/v1/i${i}/status/sany`, body, { qos: 1, retain: true }));
  await Promise.all(sent);
  expect(broker.stats().refused.sany ?? {}).toEqual({});
  expect(sany.connected).toBe(true);
  await sany.endAsync();
  await broker.close();
}, 60_000);
