/**
 * SIGTERM/SIGINT to the PID an operator starts (`openphase broker|collector|controller|demo`,
 * and `npm start`): every service shuts down gracefully, exits 0 and frees its ports within 5 s.
 * Runs the compiled command (bin/openphase.js → dist/) in its own process, as systemd, pm2 or
 * `kill PID` would see it: the old launcher spawned a child that kept running and held the port.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDevice, createRegistry, saveRegistry } from '../../broker/index.ts';
import { alive, descendants } from '../../rigs/demo-process.ts';
import {
  type OpenphaseProcess,
  portFreeWithin,
  ROOT,
  spawnOpenphase,
} from '../../rigs/openphase.ts';
import { freePort } from '../../rigs/ports.ts';
import { killOnExit, waitForLine } from '../../rigs/processes.ts';

const dir = mkdtempSync(join(tmpdir(), 'op-signals-'));
const devices = join(dir, 'devices.yaml');
const PASSWORD = 'signals-test-secret-1';
const started: OpenphaseProcess[] = [];

beforeAll(() => {
  let reg = createRegistry();
  for (const [id, role] of [
    ['col-1', 'collector'],
    ['ctl-1', 'controller'],
  ] as const) {
    reg = addDevice(
      reg,
      { id, role, intersections: '*', password: PASSWORD },
      { iterations: 1000 },
    );
  }
  saveRegistry(devices, reg);
});

afterAll(() => {
  for (const p of started) if (p.child.exitCode === null) p.child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], env: NodeJS.ProcessEnv = {}): OpenphaseProcess {
  const p = spawnOpenphase(args, { env });
  started.push(p);
  return p;
}

async function startBroker(): Promise<{ proc: OpenphaseProcess; port: number }> {
  const port = await freePort();
  const proc = run(['broker', '--port', String(port), '--devices', devices]);
  await proc.printed(/"ready":true/, 30_000);
  return { proc, port };
}

/** Sends `signal` to the PID and returns how it exited. */
async function stop(p: OpenphaseProcess, signal: NodeJS.Signals) {
  p.child.kill(signal);
  const killer = setTimeout(() => p.child.kill('SIGKILL'), 20_000);
  const [code, sig] = await p.exited;
  clearTimeout(killer);
  return { code, signal: sig };
}

describe('openphase broker', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s: exit 0 and the port is free within 5 s',
    async (s) => {
      const { proc, port } = await startBroker();
      expect(await stop(proc, s), proc.output()).toEqual({ code: 0, signal: null });
      expect(await portFreeWithin(port, 5000)).toBe(true);
    },
  );
});

describe('openphase collector and controller (against `openphase broker`)', () => {
  it('SIGTERM: each exits 0 and frees its metrics port within 5 s', async () => {
    const broker = await startBroker();
    const mqtt = `mqtt://127.0.0.1:${broker.port}`;
    const env = { OPENPHASE_MQTT_PASSWORD: PASSWORD };
    const collectorMetrics = await freePort();
    const collector = run(
      [
        'collector',
        '--mqtt',
        mqtt,
        '--username',
        'col-1',
        '--client-id',
        'col-1',
        '--data-dir',
        join(dir, 'points'),
        '--spool-dir',
        join(dir, 'spool'),
        '--metrics-port',
        String(collectorMetrics),
        '--log-every',
        '0',
      ],
      env,
    );
    const controllerMetrics = await freePort();
    const controller = run(
      [
        'controller',
        '--mqtt',
        mqtt,
        '--username',
        'ctl-1',
        '--intersections',
        'all',
        '--metrics-port',
        String(controllerMetrics),
      ],
      env,
    );
    await collector.printed(/"ready":true/, 30_000);
    await controller.printed(/"ready":true/, 30_000);

    expect(await stop(controller, 'SIGTERM'), controller.output()).toEqual({
      code: 0,
      signal: null,
    });
    expect(await portFreeWithin(controllerMetrics, 5000)).toBe(true);
    expect(await stop(collector, 'SIGTERM'), collector.output()).toEqual({
      code: 0,
      signal: null,
    });
    expect(await portFreeWithin(collectorMetrics, 5000)).toBe(true);
    expect(await stop(broker.proc, 'SIGTERM')).toEqual({ code: 0, signal: null });
    expect(await portFreeWithin(broker.port, 5000)).toBe(true);
  });
});

describe('openphase demo', () => {
  it('SIGTERM: exit 0, dashboard and MQTT ports free within 5 s', async () => {
    const port = await freePort();
    const mqttPort = await freePort();
    const demo = run([
      'demo',
      '--port',
      String(port),
      '--mqtt-port',
      String(mqttPort),
      '--data-dir',
      join(dir, 'demo-points'),
    ]);
    await demo.printed(/dashboard\s+http/, 60_000);
    expect(await stop(demo, 'SIGTERM'), demo.output()).toEqual({ code: 0, signal: null });
    expect(await portFreeWithin(port, 5000)).toBe(true);
    expect(await portFreeWithin(mqttPort, 5000)).toBe(true);
  });
});

describe('npm start', () => {
  /** `npm start` in its own process group, as a terminal or a supervisor starts it. */
  async function npmStart() {
    const port = await freePort();
    const mqttPort = await freePort();
    const child = spawn(
      'npm',
      ['start', '--', '--port', String(port), '--mqtt-port', String(mqttPort)],
      { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    killOnExit(child);
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    await waitForLine(child, /dashboard\s+http/, 90_000);
    return { child, exited, port, mqttPort };
  }

  it('SIGTERM to the npm process: exit 0, nothing left running, ports free within 5 s', async () => {
    const { child, exited, port, mqttPort } = await npmStart();
    const tree = descendants(child.pid!);
    expect(tree.length).toBeGreaterThan(0);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(await goneWithin(tree, 5000)).toEqual([]);
    expect(await portFreeWithin(port, 5000)).toBe(true);
    expect(await portFreeWithin(mqttPort, 5000)).toBe(true);
  });

  it('Ctrl-C (SIGINT to the whole process group): exit 0, ports free within 5 s', async () => {
    const { child, exited, port, mqttPort } = await npmStart();
    process.kill(-child.pid!, 'SIGINT');
    expect(await exited).toBe(0);
    expect(await portFreeWithin(port, 5000)).toBe(true);
    expect(await portFreeWithin(mqttPort, 5000)).toBe(true);
  });
});

/** The pids still alive after `ms` (the old launcher left its child running for ever). */
async function goneWithin(pids: number[], ms: number): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = pids.filter(alive);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}
