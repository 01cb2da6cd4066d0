/**
 * A persistent session's backlog bigger than what the broker lets one connection hold unsent:
 * the replay waits for the reader instead of pushing it all at once. It used to pass the bound
 * and the broker cut the reader as if it had stopped reading ("col stopped reading (16777224
 * bytes unsent, over 16777216)", twice, for a collector back from a minute away from a
 * 1,000-intersection city). Here the bound is 256 KiB and the backlog about 10 MB (more than the kernel's socket
 * buffers take), to a reader that reads nothing for its first second back.
 */
import mqtt from 'mqtt';
import { expect, it } from 'vitest';
import { createBroker } from '../../broker/index.ts';
import { connectAs, fixtureRegistry, leaveCollectorSession, until } from './broker-fixtures.ts';

it('replays a backlog bigger than the unsent bound without cutting the reader', async () => {
  const broker = createBroker({
    port: 0,
    devices: fixtureRegistry(),
    maxBacklogBytes: 256 * 1024,
    log: () => {},
  });
  const { url } = await broker.start();
  const session = await leaveCollectorSession(url);
  const sany = await connectAs(url, 'sany');
  const body = JSON.stringify({ v: 1, pad: 'x'.repeat(2000) });
  const N = 5_000;
  for (let k = 0; k < N; k += 500)
    await Promise.all(
      Array.from({ length: 500 }, (_, j) =>
        sany.publishAsync(`traffic/v1/i${(k + j) % 50}/counts/sany`, body, { qos: 1 }),
      ),
    );
  let got = 0;
  const back = mqtt.connect(url, session);
  back.on('message', () => got++);
  // a reader busy for a moment as it comes back (a collector opening its store)
  back.once('connect', () => {
    back.stream.pause();
    setTimeout(() => back.stream.resume(), 1000);
  });
  await until(() => got >= N, 'the whole backlog', 30_000);
  expect(broker.stats().disconnected['stopped-reading'] ?? 0).toBe(0);
  expect(back.connected).toBe(true);
  back.end(true);
  await sany.endAsync();
  await broker.close();
}, 60_000);
