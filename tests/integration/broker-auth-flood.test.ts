/**
 * A flood of wrong passwords against the embedded broker: after a few failures per address
 * and per device id, attempts are refused before any PBKDF2 run (counted `backed-off`);
 * deliveries between connected devices continue; a credential verified earlier still gets in;
 * the back-off ends. (Delivery latency under the flood: `npm run bench:auth-flood`.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createBroker,
  DEFAULT_BACKOFF,
  findDevice,
  loadRegistry,
  MOSQUITTO_MAX_ITERATIONS,
  parseHash,
} from '../../broker/index.ts';
import { main } from '../../cli/main.ts';
import {
  connackCode,
  connectAs,
  fixtureRegistry,
  passwordOf,
  record,
  until,
} from './broker-fixtures.ts';

const FLOOD = 100;
const CONCURRENT = 10;

describe('embedded broker under a wrong-password flood', () => {
  let broker: ReturnType<typeof createBroker>;
  let url: string;
  let skewMs = 0; // the test moves the broker's clock forward
  const logs: string[] = [];

  beforeAll(async () => {
    broker = createBroker({
      port: 0,
      devices: fixtureRegistry(),
      log: (l) => logs.push(l),
      now: () => performance.now() + skewMs,
    });
    ({ url } = await broker.start());
  });
  afterAll(() => broker.close());

  it('refuses unhashed after a few failures, keeps delivering, lets known credentials in, then forgives', async () => {
    // s1 connected once before: its credential is in the broker's verified cache
    await (await connectAs(url, 's1')).endAsync();
    const ctl = await connectAs(url, 'ctl-a');
    const got = record(ctl);
    await ctl.subscribeAsync('traffic/v1/a/counts/+', { qos: 1 });
    const s2 = await connectAs(url, 's2');
    const hashedBefore = broker.stats().auth.failed + broker.stats().auth.verified;

    let sent = 0;
    const traffic = (async () => {
      for (; sent < 50; sent++)
        await s2.publishAsync('traffic/v1/a/counts/s2', `m${sent}`, { qos: 1 });
    })();
    const codes: number[] = [];
    for (let i = 0; i < FLOOD; i += CONCURRENT) {
      const wave = Array.from({ length: CONCURRENT }, () =>
        connackCode(url, { clientId: 's1', username: 's1', password: 'wrong-password-123' }),
      );
      codes.push(...(await Promise.all(wave)));
    }
    await traffic;
    expect(codes).toEqual(Array(FLOOD).fill(4));
    const hashed = broker.stats().auth.failed + broker.stats().auth.verified - hashedBefore;
    // only the free failures (and the attempts already hashing when they ran out) cost PBKDF2
    expect(hashed).toBeLessThanOrEqual(DEFAULT_BACKOFF.perId.burst + CONCURRENT + 1);
    expect(broker.stats().connectRefused['backed-off']).toBe(FLOOD - hashed);
    await until(() => got.length === 50, 'all 50 deliveries during the flood');

    // the right password of s1 was verified before: no PBKDF2 needed, not held back
    expect(
      await connackCode(url, { clientId: 's1', username: 's1', password: passwordOf('s1') }),
    ).toBe(0);

    // wrong passwords spread over every id from one address: the address's bucket runs dry
    const ids = ['s2', 's3', 'sany', 'sig-a', 'ctl-a', 'col', 'adm', 'ops'];
    for (let i = 0; i < 40; i++) {
      const id = ids[i % ids.length]!;
      expect(
        await connackCode(url, { clientId: id, username: id, password: 'wrong-password-123' }),
      ).toBe(4);
    }
    const hashedAll = broker.stats().auth.failed - hashedBefore;
    expect(hashedAll).toBeLessThanOrEqual(hashed + DEFAULT_BACKOFF.perAddress.burst + 1);
    // obs was never verified and connects from that address: held back until tokens refill
    const obs = { clientId: 'obs', username: 'obs', password: passwordOf('obs') };
    expect(await connackCode(url, obs)).toBe(4);
    skewMs += 60_000;
    expect(await connackCode(url, obs)).toBe(0);
    expect(logs.join('\n')).not.toContain('wrong-password-123');
    await Promise.all([ctl.endAsync(), s2.endAsync()]);
  });
});

describe('the Mosquitto export bounds what one wrong password costs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'op-slow-hash-'));
  const file = join(dir, 'devices.yaml');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const op = async (args: string[]) => {
    const err: string[] = [];
    const spyErr = vi
      .spyOn(console, 'error')
      .mockImplementation((...a) => void err.push(a.join(' ')));
    const spyLog = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      return { code: await main(args), err: err.join('\n') };
    } finally {
      spyErr.mockRestore();
      spyLog.mockRestore();
    }
  };

  it('devices add hashes at the bounded default; export refuses slower hashes unless told', async () => {
    const add = ['devices', 'add', '--devices', file, '--role', 'sensor', '--intersection', 'a'];
    expect((await op([...add, '--id', 'quick'])).code).toBe(0);
    expect(parseHash(findDevice(loadRegistry(file), 'quick')!.hash)!.iterations).toBe(
      MOSQUITTO_MAX_ITERATIONS,
    );
    expect((await op([...add, '--id', 'slow', '--iterations', '100000'])).code).toBe(0);
    const out = join(dir, 'mosq');
    const refused = await op(['devices', 'export', '--devices', file, '--mosquitto', out]);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/1 device\(s\) have hashes above 1000 iterations \(slow\)/);
    const forced = [
      'devices',
      'export',
      '--devices',
      file,
      '--mosquitto',
      out,
      '--allow-slow-hashes',
    ];
    expect((await op(forced)).code).toBe(0);
  });
});
