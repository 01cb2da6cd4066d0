/**
 * Flood: one device writes 50,000 PUBLISH packets onto its socket at once (as fast as a
 * client can); another device's messages must keep arriving, the flooder is held to its rate
 * limit, and the broker's memory stays bounded (RSS printed before and after).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker } from '../../broker/index.ts';
import {
  connectAs,
  fixtureRegistry,
  publishPacket,
  record,
  sleep,
  until,
} from './broker-fixtures.ts';

const FLOOD = 50_000;
// low enough that the flooder is throttled even on a loaded 2-core machine
const RATE = { perSecond: 1000, burst: 500 };

const mb = (bytes: number) => Math.round(bytes / 1e6);

describe('flood', () => {
  const broker = createBroker({
    port: 0,
    devices: fixtureRegistry(),
    rateLimit: RATE,
    log: () => {},
  });
  let url: string;
  beforeAll(async () => {
    ({ url } = await broker.start());
  });
  afterAll(() => broker.close());

  it(`${FLOOD} messages from one client do not stop another's, and memory stays bounded`, async () => {
    const collector = await connectAs(url, 'col');
    const got = record(collector);
    await collector.subscribeAsync('traffic/v1/+/counts/+', { qos: 0 });
    const flooder = await connectAs(url, 's1');
    const quiet = await connectAs(url, 's2');

    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const payload = Buffer.from(
      JSON.stringify({ v: 1, sensor: 's1', seq: 0, pad: 'x'.repeat(40) }),
    );
    const packet = publishPacket('traffic/v1/a/counts/s1', payload);
    const flood = Buffer.concat(Array.from({ length: FLOOD }, () => packet));
    const t0 = performance.now();
    flooder.stream.write(flood); // 50,000 packets, all at once

    // meanwhile the other sensor publishes every 25 ms; each must get through
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    got.push = ((orig) =>
      function (this: typeof got, ...items: typeof got) {
        for (const m of items) {
          const t = sentAt.get(m.payload);
          if (t !== undefined) latencies.push(performance.now() - t);
        }
        return orig.apply(this, items);
      })(got.push);
    for (let i = 0; i < 20; i++) {
      const id = `quiet-${i}`;
      sentAt.set(id, performance.now());
      await quiet.publishAsync('traffic/v1/a/counts/s2', id, { qos: 1 });
      await sleep(25);
    }
    await until(() => latencies.length === 20, "all of the other client's messages", 15_000);
    const elapsedS = (performance.now() - t0) / 1000;
    const flooded = got.filter((m) => m.topic.endsWith('/s1')).length;
    const rssAfter = process.memoryUsage().rss;
    const stats = broker.stats();
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(
      `flood: RSS before ${mb(rssBefore)} MB, after ${mb(rssAfter)} MB; ` +
        `other client's latency p50 ${Math.round(sorted[10]!)} ms, max ${Math.round(sorted[19]!)} ms; ` +
        `flood delivered ${flooded}/${FLOOD} in ${elapsedS.toFixed(2)} s ` +
        `(limit ${RATE.perSecond}/s, burst ${RATE.burst}); throttled ${stats.throttled}`,
    );

    expect(latencies).toHaveLength(20);
    // "does not stop": at 1,000/s the flood alone would take 50 s; each of these gets through in seconds at worst
    expect(Math.max(...latencies)).toBeLessThan(5000);
    // the flooder is held to its bucket: burst + rate × elapsed, with 10% slack for timers
    expect(flooded).toBeLessThanOrEqual((RATE.burst + RATE.perSecond * elapsedS) * 1.1);
    expect(stats.throttled).toBeGreaterThan(0);
    // bounded: the 2.7 MB flood is read as the bucket allows, not buffered whole many times
    expect(rssAfter - rssBefore).toBeLessThan(150e6);
    expect(flooder.connected).toBe(true); // a fast device is slowed, not punished

    flooder.stream.destroy();
    await Promise.all([collector.endAsync(), quiet.endAsync()]);
  });
});
