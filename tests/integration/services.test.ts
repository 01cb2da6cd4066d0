/** The real services the suite stands on: InfluxDB 1.x and Mosquitto, started by the helpers. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { requireBinary } from '../helpers/binaries.ts';
import { startInfluxDB } from '../helpers/influxdb.ts';
import { startMosquitto } from '../helpers/mosquitto.ts';

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
