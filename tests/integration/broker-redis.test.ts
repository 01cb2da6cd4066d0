/**
 * The embedded broker with its state in a real Redis: a persistent QoS 1 subscriber is
 * offline while messages are published, the broker restarts, the subscriber reconnects and
 * gets every one of them; retained messages survive too.
 */
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createBroker,
  createRedisPersistence,
  parseRedisUrl,
  showRedisUrl,
} from '../../broker/index.ts';
import { main } from '../../cli/main.ts';
import { type RedisServer, startRedis } from '../helpers/redis.ts';
import { connectAs, fixtureRegistry, passwordOf, until } from './broker-fixtures.ts';

const COUNT = 3000; // more than aedes-persistence-redis hands over per CONNECT by default (1,000)

describe('embedded broker with Redis persistence', () => {
  let redis: RedisServer;
  const registry = fixtureRegistry();
  const open = () => {
    const store = createRedisPersistence(redis.url);
    const broker = createBroker({
      port: 0,
      devices: registry,
      persistence: store.persistence,
      log: () => {},
    });
    return {
      broker,
      async close() {
        await broker.close();
        await store.close();
        await store.close(); // safe twice
      },
    };
  };

  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  it('loses nothing across a broker restart: queued QoS 1 messages and retained status', {
    timeout: 120_000,
  }, async () => {
    const first = open();
    const { url } = await first.broker.start();
    const col = await connectAs(url, 'col', { clean: false });
    await col.subscribeAsync('traffic/v1/+/counts/+', { qos: 1 });
    await col.endAsync();
    const sensor = await connectAs(url, 's1');
    for (let i = 0; i < COUNT; i++) {
      await sensor.publishAsync('traffic/v1/a/counts/s1', `m${i}`, { qos: 1 });
    }
    await sensor.endAsync();
    const signal = await connectAs(url, 'sig-a');
    await signal.publishAsync('traffic/v1/a/status/sig-a', '{"v":1,"online":true}', {
      qos: 1,
      retain: true,
    });
    await signal.endAsync();
    await first.close();

    const second = open();
    const again = await second.broker.start();
    try {
      const seen = new Set<string>();
      // handler attached before CONNECT: the queued messages follow the CONNACK at once
      const back = mqtt.connect(again.url, {
        clientId: 'col',
        username: 'col',
        password: passwordOf('col'),
        clean: false,
        reconnectPeriod: 0,
      });
      back.on('message', (topic, payload) => {
        if (topic.endsWith('/counts/s1')) seen.add(payload.toString());
      });
      await until(() => seen.size === COUNT, `${COUNT} messages (have ${seen.size})`, 90_000);
      await back.endAsync();
      expect(seen.size).toBe(COUNT);

      const late = await connectAs(again.url, 'adm');
      const configs: string[] = [];
      late.on('message', (_t, p) => configs.push(p.toString()));
      await late.subscribeAsync('traffic/v1/+/status/sig-a', { qos: 1 });
      await until(() => configs.length === 1, 'the retained status');
      expect(configs).toEqual(['{"v":1,"online":true}']);
      await late.endAsync();
    } finally {
      await second.close();
    }
  });

  it('`openphase broker --persistence redis` refuses a Redis password on the command line', async () => {
    const errors: string[] = [];
    const spy = vi
      .spyOn(console, 'error')
      .mockImplementation((...a) => void errors.push(a.join(' ')));
    try {
      const url = 'redis://:s3cret@127.0.0.1:1/0';
      const code = await main([
        'broker',
        '--port',
        '0',
        '--persistence',
        'redis',
        '--redis-url',
        url,
      ]);
      expect(code).toBe(1);
    } finally {
      spy.mockRestore();
    }
    expect(errors.join('\n')).toMatch(
      /must not carry a password: put the URL in \$OPENPHASE_REDIS_URL/,
    );
    expect(errors.join('\n')).not.toContain('s3cret');
  });

  it('reads a Redis URL and never shows its password', () => {
    expect(parseRedisUrl('redis://:s3cret@10.0.0.5:6380/2')).toEqual({
      host: '10.0.0.5',
      port: 6380,
      db: 2,
      password: 's3cret',
      tls: false,
    });
    expect(showRedisUrl('rediss://u:s3cret@h/1')).toBe('rediss://***@h:6379/1');
    expect(() => parseRedisUrl('http://h')).toThrow(/redis:\/\//);
  });
});
