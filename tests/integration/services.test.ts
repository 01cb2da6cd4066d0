/** The real services the suite stands on: InfluxDB 1.x and Mosquitto, started by the helpers. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InfluxDB } from 'influx';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { installHint, requireBinary } from '../../rigs/binaries.ts';
import { startInfluxDB } from '../../rigs/influxdb.ts';
import { startMosquitto } from '../../rigs/mosquitto.ts';
import { waitForPort } from '../../rigs/ports.ts';

describe('real InfluxDB 1.x', () => {
  it('writes points and reads them back', async () => {
    const db = await startInfluxDB();
    try {
      await db.query('CREATE DATABASE t');
      const body = [
        'counts,intersection=a,detector=N-through-stop count=3i 1000',
        'counts,intersection=a,detector=N-through-stop count=5i 2000',
      ].join('\n');
      const res = await fetch(`${db.url}/write?db=t&precision=ms`, { method: 'POST', body });
      expect(res.status).toBe(204);
      const q = await db.query('SELECT sum("count") FROM counts WHERE intersection = \'a\'', 't');
      expect(q.results[0]!.series![0]!.values[0]![1]).toBe(8);
    } finally {
      await db.stop();
      await db.stop(); // safe twice
    }
  });

  it('writes through the influx client library and reads back with a query', async () => {
    const db = await startInfluxDB();
    try {
      const client = new InfluxDB({ host: '127.0.0.1', port: db.port, database: 'lib' });
      await client.createDatabase('lib');
      await client.writePoints(
        [
          {
            measurement: 'counts',
            tags: { detector: 'E-through-stop' },
            fields: { count: 4 },
            timestamp: 1_000,
          },
          {
            measurement: 'counts',
            tags: { detector: 'E-through-stop' },
            fields: { count: 2 },
            timestamp: 2_000,
          },
          {
            measurement: 'counts',
            tags: { detector: 'W-through-stop' },
            fields: { count: 9 },
            timestamp: 2_000,
          },
        ],
        { precision: 'ms' },
      );
      const rows = await client.query<{ detector: string; total: number }>(
        'SELECT sum("count") AS total FROM counts GROUP BY detector',
      );
      const totals = Object.fromEntries(rows.map((r) => [r.detector, r.total]));
      expect(totals).toEqual({ 'E-through-stop': 6, 'W-through-stop': 9 });
    } finally {
      await db.stop();
    }
  });

  it('stop() ends the process and removes the temp dir', async () => {
    const db = await startInfluxDB();
    await db.stop();
    expect(existsSync(db.dir)).toBe(false);
    await expect(fetch(`${db.url}/ping`)).rejects.toThrow();
  });

  it('survives a stop and a start on the same port with its data', async () => {
    const db = await startInfluxDB();
    try {
      await db.query('CREATE DATABASE t');
      await fetch(`${db.url}/write?db=t&precision=ms`, { method: 'POST', body: 'm v=1i 1000' });
      await db.stopProcess();
      await expect(fetch(`${db.url}/ping`)).rejects.toThrow();
      await db.startProcess();
      const q = await db.query('SELECT count(v) FROM m', 't');
      expect(q.results[0]!.series![0]!.values[0]![1]).toBe(1);
    } finally {
      await db.stop();
    }
  });
});

describe('real Mosquitto', () => {
  it('round-trips a message at QoS 1', async () => {
    const broker = await startMosquitto();
    const sub = await mqtt.connectAsync(broker.url, { clientId: 'sub' });
    const pub = await mqtt.connectAsync(broker.url, { clientId: 'pub' });
    try {
      await sub.subscribeAsync('traffic/v1/a/counts/+', { qos: 1 });
      const got = new Promise<string>((resolve) =>
        sub.on('message', (_t, p) => resolve(p.toString())),
      );
      await pub.publishAsync('traffic/v1/a/counts/s1', '{"v":1}', { qos: 1 });
      expect(await got).toBe('{"v":1}');
    } finally {
      await sub.endAsync();
      await pub.endAsync();
      await broker.stop();
    }
  });

  it('stop() ends the process and removes the temp dir', async () => {
    const broker = await startMosquitto();
    await broker.stop();
    await broker.stop(); // safe twice
    expect(existsSync(broker.dir)).toBe(false);
    await expect(waitForPort(broker.port, 300)).rejects.toThrow(/nothing listens/);
  });

  it('refuses a wrong password when a password file is set', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'op-pw-'));
    const file = join(dir, 'passwd');
    execFileSync(requireBinary('mosquitto_passwd'), ['-c', '-b', file, 'dev1', 'right-secret']);
    const broker = await startMosquitto({ passwordFile: file });
    try {
      const ok = await mqtt.connectAsync(broker.url, {
        clientId: 'dev1',
        username: 'dev1',
        password: 'right-secret',
      });
      await ok.endAsync();
      await expect(
        mqtt.connectAsync(broker.url, {
          clientId: 'dev1',
          username: 'dev1',
          password: 'wrong',
          reconnectPeriod: 0,
        }),
      ).rejects.toThrow(/Not authorized|Bad User Name or Password/i);
    } finally {
      await broker.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('missing services', () => {
  it('fail with the command that installs them, never skip', () => {
    expect(() => requireBinary('op-no-such-binary')).toThrow(
      /'op-no-such-binary' is needed .* apt-get install -y op-no-such-binary/,
    );
    expect(installHint('influxd')).toMatch(/^apt-get install -y influxdb\b/);
    expect(installHint('mosquitto')).toBe('apt-get install -y mosquitto');
  });
});
