/**
 * `openphase devices update` changes a device's role or intersections and a running broker
 * applies it to the live session, as it applies revocation (issue 17.15): no disconnect, and
 * the device's reads and publishes follow the new ACL at once. Real broker process, real file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { saveRegistry } from '../../broker/index.ts';
import { main } from '../../cli/main.ts';
import { BIN } from '../../rigs/openphase.ts';
import { killOnExit, stopChild, waitForLine } from '../../rigs/processes.ts';
import { connectAs, fixtureRegistry, type Received, record, until } from './broker-fixtures.ts';

const repo = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'op-update-'));
const file = join(dir, 'devices.yaml');
let broker: ChildProcess;
let url: string;
const clients: MqttClient[] = [];

beforeAll(async () => {
  saveRegistry(file, fixtureRegistry());
  broker = spawn(process.execPath, [BIN, 'broker', '--port', '0', '--devices', file], {
    cwd: repo,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(broker);
  url = JSON.parse(await waitForLine(broker, /"ready":true/, 60_000)).url;
}, 90_000);

afterAll(async () => {
  await Promise.all(clients.map((c) => c.endAsync(true)));
  if (broker) await stopChild(broker);
  rmSync(dir, { recursive: true, force: true });
});

async function op(args: string[]): Promise<number> {
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  try {
    return await main(args);
  } finally {
    log.mockRestore();
  }
}

describe('devices update on a live session', () => {
  it("widens a connected controller's intersections without a reconnect", async () => {
    const ctl = await connectAs(url, 'ctl-a');
    const ops = await connectAs(url, 'ops');
    clients.push(ctl, ops);
    let closes = 0;
    ctl.on('close', () => closes++);
    const heard: Received[] = record(ctl);
    const opsHeard: Received[] = record(ops);
    await ctl.subscribeAsync('traffic/v1/+/counts/+', { qos: 1 });
    await ops.subscribeAsync('traffic/v1/+/decision', { qos: 1 });

    // before: b is not ctl-a's, neither to read nor to decide for
    await ops.publishAsync('traffic/v1/b/counts/s3', 'before-b', { qos: 1 });
    await ops.publishAsync('traffic/v1/a/counts/s1', 'before-a', { qos: 1 });
    await until(() => heard.some((m) => m.payload === 'before-a'), 'counts of a');
    await ctl.publishAsync('traffic/v1/b/decision', 'decide-b-before', { qos: 1 });
    await ctl.publishAsync('traffic/v1/a/decision', 'decide-a', { qos: 1 });
    await until(() => opsHeard.some((m) => m.payload === 'decide-a'), 'the decision for a');
    expect(heard.map((m) => m.payload)).not.toContain('before-b');
    expect(opsHeard.map((m) => m.payload)).not.toContain('decide-b-before');

    const applied = waitForLine(broker, /ctl-a: new role or intersections applied/, 30_000);
    expect(
      await op(['devices', 'update', 'ctl-a', '--devices', file, '--intersection', 'a,b']),
    ).toBe(0);
    broker.kill('SIGHUP'); // as the file watch would, at once
    await applied;

    // after: the same connection reads b and decides for b
    await ops.publishAsync('traffic/v1/b/counts/s3', 'after-b', { qos: 1 });
    await until(() => heard.some((m) => m.payload === 'after-b'), 'counts of b after the update');
    await ctl.publishAsync('traffic/v1/b/decision', 'decide-b-after', { qos: 1 });
    await until(() => opsHeard.some((m) => m.payload === 'decide-b-after'), 'the decision for b');
    expect(closes).toBe(0);
    expect(ctl.connected).toBe(true);
  });

  it('refuses an update that names no change, or an unknown device', async () => {
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await op(['devices', 'update', 'ctl-a', '--devices', file])).not.toBe(0);
      expect(
        await op(['devices', 'update', 'nobody', '--devices', file, '--role', 'observer']),
      ).not.toBe(0);
    } finally {
      err.mockRestore();
    }
  });
});
