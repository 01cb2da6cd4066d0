/**
 * Transports: MQTT over WebSocket (own port, and attached to another HTTP server), TLS for
 * TCP (mqtts) and WebSocket (wss) with a certificate made here by openssl.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker } from '../../broker/index.ts';
import { connackCode, connectAs, fixtureRegistry, record, until } from './broker-fixtures.ts';

const registry = fixtureRegistry();
const quiet = () => {};

/** A sensor publishes on `url`, a controller receives on `url2`: the path works both ways. */
async function roundTrip(urlPub: string, urlSub: string, extra = {}): Promise<void> {
  const ctl = await connectAs(urlSub, 'ctl-a', extra);
  const got = record(ctl);
  await ctl.subscribeAsync('traffic/v1/a/counts/+', { qos: 1 });
  const s1 = await connectAs(urlPub, 's1', extra);
  await s1.publishAsync('traffic/v1/a/counts/s1', 'over-the-wire', { qos: 1 });
  await until(() => got.some((m) => m.payload === 'over-the-wire'), 'the message');
  await Promise.all([s1.endAsync(), ctl.endAsync()]);
}

describe('MQTT over WebSocket', () => {
  const broker = createBroker({ port: 0, wsPort: 0, devices: registry, log: quiet });
  let started: Awaited<ReturnType<typeof broker.start>>;
  beforeAll(async () => {
    started = await broker.start();
  });
  afterAll(() => broker.close());

  it('serves ws://…/mqtt with the same credentials and ACLs as TCP', async () => {
    expect(started.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/mqtt$/);
    await roundTrip(started.wsUrl!, started.url);
    await roundTrip(started.url, started.wsUrl!);
    expect(
      await connackCode(started.wsUrl!, { clientId: 's1', username: 's1', password: 'no' }),
    ).toBe(4);
  });

  it('attaches to another HTTP server without touching its other upgrade paths', async () => {
    const http = createServer((_req, res) => res.end('dashboard'));
    const otherUpgrades: string[] = [];
    http.on('upgrade', (req, socket) => {
      if (req.url !== '/mqtt') {
        otherUpgrades.push(req.url ?? '');
        socket.destroy();
      }
    });
    broker.attachWebSocket(http);
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const port = (http.address() as { port: number }).port;
    await roundTrip(`ws://127.0.0.1:${port}/mqtt`, started.url);
    await expect(
      connectAs(`ws://127.0.0.1:${port}/live`, 's1', { connectTimeout: 1000 }),
    ).rejects.toThrow();
    expect(otherUpgrades).toEqual(['/live']);
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  });
});

describe('TLS (mqtts and wss)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'op-tls-'));
  let ca: Buffer;
  let broker: ReturnType<typeof createBroker>;
  let started: Awaited<ReturnType<ReturnType<typeof createBroker>['start']>>;

  beforeAll(async () => {
    // a self-signed certificate for 127.0.0.1, made by openssl right here
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
      ],
      { stdio: 'ignore' },
    );
    ca = readFileSync(join(dir, 'cert.pem'));
    // paths, as the CLI passes them
    broker = createBroker({
      port: 0,
      wsPort: 0,
      devices: registry,
      log: quiet,
      tls: { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') },
    });
    started = await broker.start();
  });
  afterAll(async () => {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves mqtts:// and wss:// verified against the generated certificate', async () => {
    expect(started.url).toMatch(/^mqtts:/);
    expect(started.wsUrl).toMatch(/^wss:/);
    await roundTrip(started.url, started.wsUrl!, { ca, rejectUnauthorized: true });
  });

  it('does not speak plain MQTT on the TLS port', async () => {
    const plain = started.url.replace('mqtts:', 'mqtt:');
    await expect(connectAs(plain, 's1', { connectTimeout: 1000 })).rejects.toThrow();
    // and a client that does not trust the certificate is refused by its own TLS check
    await expect(
      connectAs(started.url, 's1', { rejectUnauthorized: true, connectTimeout: 2000 }),
    ).rejects.toThrow();
  });
});
