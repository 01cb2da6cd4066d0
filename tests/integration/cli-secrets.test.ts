/**
 * Secrets never travel as command-line values (issue 18.12): every user of the machine can read
 * a process's arguments. Services run with their password from a file or the environment; the
 * secret then appears in no process's arguments (/proc/*\/cmdline) and in no log output, the old
 * `--password VALUE` form is refused without repeating it, and every `--help` says where secrets
 * come from. Runs the compiled `openphase`, as an operator does.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDevice, createRegistry, saveRegistry } from '../../broker/index.ts';
import { type OpenphaseProcess, spawnOpenphase } from '../../rigs/openphase.ts';
import { freePort } from '../../rigs/ports.ts';

const dir = mkdtempSync(join(tmpdir(), 'op-secrets-'));
const devices = join(dir, 'devices.yaml');
const SECRET = `op-secret-${randomBytes(12).toString('hex')}`;
const passwordFile = join(dir, 'mqtt-password');
const started: OpenphaseProcess[] = [];

beforeAll(() => {
  let reg = createRegistry();
  for (const [id, role] of [
    ['col-1', 'collector'],
    ['ctl-1', 'controller'],
  ] as const) {
    reg = addDevice(reg, { id, role, intersections: '*', password: SECRET }, { iterations: 1000 });
  }
  saveRegistry(devices, reg);
  writeFileSync(passwordFile, `${SECRET}\n`, { mode: 0o600 });
});

afterAll(async () => {
  for (const p of started) if (p.child.exitCode === null) p.child.kill('SIGTERM');
  await Promise.all(started.map((p) => p.exited));
  rmSync(dir, { recursive: true, force: true });
});

function run(args: string[], env: NodeJS.ProcessEnv = {}): OpenphaseProcess {
  const p = spawnOpenphase(args, { env });
  started.push(p);
  return p;
}

/** The pids whose command line holds `text` (every process this user can see). */
function argumentsHolding(text: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/cmdline`, 'utf8').includes(text)) out.push(Number(e));
    } catch {
      // the process ended while we looked
    }
  }
  return out;
}

describe('a secret given by file or environment', () => {
  it('reaches the broker (services connect) and shows in no process arguments and no log', async () => {
    const port = await freePort();
    const broker = run(['broker', '--port', String(port), '--devices', devices]);
    await broker.printed(/"ready":true/, 30_000);
    const mqtt = `mqtt://127.0.0.1:${port}`;
    const collector = run([
      'collector',
      '--mqtt',
      mqtt,
      '--username',
      'col-1',
      '--password-file',
      passwordFile,
      '--data-dir',
      join(dir, 'points'),
      '--spool-dir',
      join(dir, 'spool'),
      '--log-every',
      '1',
    ]);
    const controller = run(
      ['controller', '--mqtt', mqtt, '--username', 'ctl-1', '--stats-every', '1'],
      { OPENPHASE_MQTT_PASSWORD: SECRET },
    );
    await collector.printed(/"ready":true/, 30_000);
    await controller.printed(/"ready":true/, 30_000);
    // a status line or two later, with everything connected and logging
    await controller.printed(/"decisions"/, 30_000);

    expect(argumentsHolding(SECRET)).toEqual([]);
    for (const p of [broker, collector, controller]) expect(p.output()).not.toContain(SECRET);

    for (const p of [controller, collector, broker]) {
      p.child.kill('SIGTERM');
      expect((await p.exited)[0]).toBe(0);
      expect(p.output()).not.toContain(SECRET);
    }
  });

  it('is refused as a command-line value, with a message that does not repeat it', async () => {
    const value = `cli-value-${randomBytes(6).toString('hex')}`;
    for (const args of [
      ['controller', '--mqtt', 'mqtt://127.0.0.1:9', '--username', 'u', '--password', value],
      ['collector', '--influx-url', 'http://127.0.0.1:9', '--influx-token', value],
      ['collector', '--influx-url', 'http://127.0.0.1:9', '--influx-password', value],
      [
        'devices',
        'add',
        '--devices',
        join(dir, 'd.yaml'),
        '--id',
        'x',
        '--role',
        'sensor',
        '--intersection',
        'a',
        '--password',
        value,
      ],
    ]) {
      const p = run(args);
      const [code] = await p.exited;
      expect(code, args.join(' ')).not.toBe(0);
      expect(p.output()).toMatch(/takes no value on the command line/);
      expect(p.output()).not.toContain(value);
    }
  });
});

describe('--help of every command that takes a secret', () => {
  it.each([
    [['collector'], ['--password', '--influx-password', '--influx-token']],
    [['controller'], ['--password']],
    [['bench'], ['--password']],
    [['conformance'], ['--password']],
    [['simulate'], ['--password']],
    [['plan'], ['--password', '--influx-password']],
    [['demo'], ['--influx-password']],
    [['devices', 'add'], ['--password']],
    [['devices', 'rotate'], ['--password']],
  ])(
    'openphase %s --help: a -file option and the environment, no value option',
    async (cmd, flags) => {
      const p = run([...cmd, '--help']);
      expect((await p.exited)[0]).toBe(0);
      const help = p.output();
      for (const f of flags) {
        expect(help).toContain(`${f}-file <file>`);
        expect(help).not.toMatch(new RegExp(`${f} <`));
      }
      expect(help).toMatch(/Never\s+a\s+command-line\s+value/);
    },
  );
});
