/**
 * Three collectors of one shared group on a real Mosquitto configured only from
 * `devices export`: `devices add --instances 3` gives each its own identity (collector-a-1 …
 * collector-a-3, own passwords), so none kicks another off (one client id per device); they
 * split the load and together receive every message once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { exportMosquitto, loadRegistry, saveRegistry } from '../../broker/index.ts';
import { main } from '../../cli/main.ts';
import { type Collector, createCollector } from '../../collector/index.ts';
import { type MosquittoServer, startMosquitto } from '../../rigs/mosquitto.ts';
import { freePort, waitForPort } from '../../rigs/ports.ts';
import { fixtureRegistry, passwordOf } from './broker-fixtures.ts';
import { makeTraffic, publishAll, waitFor } from './collector-traffic.ts';

/** Runs `openphase …` in this process and returns what it printed. */
async function op(args: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  try {
    return { code: await main(args), out: out.join('\n') };
  } finally {
    log.mockRestore();
  }
}

describe('shared-group collectors on Mosquitto, one identity each', () => {
  const dir = mkdtempSync(join(tmpdir(), 'op-shared-'));
  const file = join(dir, 'devices.yaml');
  let mosquitto: MosquittoServer;
  let url: string;
  const collectors: Collector[] = [];
  const ids = ['collector-a-1', 'collector-a-2', 'collector-a-3'];
  const secrets = new Map<string, string>();

  beforeAll(async () => {
    saveRegistry(file, fixtureRegistry()); // brings the admin 'ops' that publishes
    const added = await op([
      'devices',
      'add',
      '--devices',
      file,
      '--id',
      'collector-a',
      '--role',
      'collector',
      '--intersection',
      '*',
      '--instances',
      '3',
      '--iterations',
      '1000',
    ]);
    expect(added.code).toBe(0);
    const lines = added.out.split('\n');
    for (const id of ids) {
      const at = lines.findIndex((l) => l.startsWith(`device ${id}: password`));
      expect(at).toBeGreaterThanOrEqual(0);
      secrets.set(id, lines[at + 1]!);
    }
    expect(new Set(secrets.values()).size).toBe(3); // a secret each
    const port = await freePort();
    exportMosquitto(loadRegistry(file), join(dir, 'conf'), 'traffic', {
      listeners: [{ port, host: '127.0.0.1' }],
      limits: { persistenceDir: join(dir, 'db') },
    });
    mosquitto = await startMosquitto({
      extraConfig: ['log_type notice', `include_dir ${join(dir, 'conf')}`],
    });
    await waitForPort(port, 10_000);
    url = `mqtt://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await Promise.all(collectors.map((c) => c.close()));
    await mosquitto?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('three collectors stay connected, split the load and miss nothing', {
    timeout: 120_000,
  }, async () => {
    for (const id of ids) {
      const c = createCollector({
        mqttUrl: url,
        username: id,
        password: secrets.get(id)!,
        clientId: id,
        sink: { kind: 'embedded', dir: join(dir, `points-${id}`) },
        spoolDir: join(dir, `spool-${id}`),
        sharedGroup: 'collectors',
        logEveryMs: 0,
        log: () => {},
      });
      collectors.push(c);
      await c.start();
    }
    const traffic = makeTraffic({ sensors: 6, perSensor: 50, prefix: 'sh' });
    const pub = await mqtt.connectAsync(url, {
      clientId: 'ops',
      username: 'ops',
      password: passwordOf('ops'),
      reconnectPeriod: 0,
    });
    await publishAll(pub, traffic.messages, { window: 50 });
    const counts = () => collectors.map((c) => c.stats().receivedByKind.counts ?? 0);
    const total = () => counts().reduce((a, b) => a + b, 0);
    await waitFor('every message received once', () => total() >= traffic.messages.length, 60_000);
    await pub.endAsync();

    expect(total()).toBe(traffic.messages.length);
    for (const n of counts()) expect(n).toBeGreaterThan(0); // the load is shared
    for (const c of collectors) {
      expect(c.stats().connected).toBe(true);
      expect(c.stats().takeovers).toBe(0);
    }
    // each identity connected exactly once: nobody was kicked off and came back
    for (const id of ids) {
      const connects = mosquitto
        .log()
        .split('\n')
        .filter((l) => l.includes(` as ${id} `));
      expect(connects).toHaveLength(1);
    }
  });
});
