/**
 * A service whose port is taken must exit non-zero with a message naming the port, so a
 * supervisor sees the failure (issue 17.4: the broker used to print the error and hang).
 * Real processes, each listener kind: broker TCP, WebSocket and TLS, collector metrics, demo,
 * and the controller's metrics, which it opens only after connecting to a real broker.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker } from '../../broker/index.ts';
import { BIN } from '../../rigs/openphase.ts';
import { killOnExit } from '../../rigs/processes.ts';
import { fixtureRegistry, passwordOf } from './broker-fixtures.ts';

const repo = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'op-port-'));
let holder: Server;
let taken: number;
/** the embedded broker the controller reaches before it opens its metrics port */
let broker: ReturnType<typeof createBroker>;
let brokerUrl: string;
/** client ids that connected to that broker */
const connected: string[] = [];

/** Runs `openphase …` as a process; resolves with its exit code and what it printed. */
function run(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; err: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: repo,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(child);
  let err = '';
  child.stdout.on('data', (d) => (err += d));
  child.stderr.on('data', (d) => (err += d));
  // no timer here: a process that hangs fails the test by the test's own timeout
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, err })));
}

beforeAll(async () => {
  holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  taken = (holder.address() as { port: number }).port;
  broker = createBroker({ port: 0, devices: fixtureRegistry(), log: () => {} });
  broker.aedes.on('client', (c) => connected.push(c.id));
  ({ url: brokerUrl } = await broker.start());
  const made = spawnSync('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '1',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    join(dir, 'key.pem'),
    '-out',
    join(dir, 'cert.pem'),
  ]);
  if (made.status !== 0)
    throw new Error('openssl is needed for the TLS case: apt-get install openssl');
});

afterAll(async () => {
  holder?.close();
  await broker?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.concurrent('a port in use ends the process with an error naming the port', () => {
  const cases: [string, () => string[]][] = [
    ['broker, MQTT over TCP', () => ['broker', '--insecure', '--port', String(taken)]],
    [
      'broker, MQTT over WebSocket',
      () => ['broker', '--insecure', '--port', '0', '--ws-port', String(taken)],
    ],
    [
      'broker, MQTT over TLS',
      () => [
        'broker',
        '--insecure',
        '--port',
        String(taken),
        '--tls-cert',
        join(dir, 'cert.pem'),
        '--tls-key',
        join(dir, 'key.pem'),
      ],
    ],
    [
      'collector, metrics',
      () => [
        'collector',
        '--mqtt',
        'mqtt://127.0.0.1:1',
        '--metrics-port',
        String(taken),
        '--data-dir',
        join(dir, 'points'),
        '--spool-dir',
        join(dir, 'spool'),
      ],
    ],
    ['demo, MQTT', () => ['demo', '--insecure', '--port', '0', '--mqtt-port', String(taken)]],
  ];
  for (const [name, args] of cases) {
    it(name, async () => {
      const { code, err } = await run(args());
      expect(code).not.toBe(0);
      expect(code).not.toBeNull(); // exited by itself, not killed
      expect(err).toMatch(new RegExp(`(:|port )${taken}\\b.*already in use`));
    }, 120_000);
  }
});

describe('the controller service, connected to a broker, with its metrics port taken', () => {
  it('exits 1 naming the port, and leaves', async () => {
    const { code, err } = await run(
      [
        'controller',
        '--mqtt',
        brokerUrl,
        '--username',
        'ctl-a',
        '--intersections',
        'a',
        '--metrics-port',
        String(taken),
      ],
      { OPENPHASE_MQTT_PASSWORD: passwordOf('ctl-a') },
    );
    // it got as far as the broker: the case where its MQTT connection used to keep it alive
    expect(connected).toContain('ctl-a');
    // exited by itself (a process that lingers fails by the test's timeout), with 1
    expect(code).toBe(1);
    expect(err).toMatch(new RegExp(`EADDRINUSE.*127\\.0\\.0\\.1:${taken}\\b`));
    expect(err).not.toMatch(/^\s+at /m); // one line, no stack trace
  }, 120_000);
});
