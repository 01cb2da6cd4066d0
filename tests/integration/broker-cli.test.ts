/**
 * The command line: `openphase broker` and `openphase devices …` as a city's staff would use
 * them (real processes), from adding a device to connecting with its printed secret.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { BIN } from '../../rigs/openphase.ts';
import { closedWithin, connackCode, connectAs } from './broker-fixtures.ts';

const repo = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'op-cli-'));
const file = join(dir, 'devices.yaml');
const children: ChildProcess[] = [];

/** Runs `openphase …` in this process (fast), capturing what it prints. */
async function op(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi
    .spyOn(console, 'log')
    .mockImplementation((...a) => void out.push(`${a.join(' ')}\n`));
  const error = vi
    .spyOn(console, 'error')
    .mockImplementation((...a) => void err.push(`${a.join(' ')}\n`));
  const write = process.stdout.write;
  const writeErr = process.stderr.write;
  process.stdout.write = ((chunk: string) => out.push(String(chunk)) > 0) as typeof write;
  process.stderr.write = ((chunk: string) => err.push(String(chunk)) > 0) as typeof write;
  const before = process.exitCode;
  try {
    const code = await main(args);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
    process.exitCode = before;
    log.mockRestore();
    error.mockRestore();
  }
}

/** A real process, for what only a process can show (stdin, signals). */
function opProcess(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: repo,
    encoding: 'utf8',
    input,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('openphase broker --help / devices --help', () => {
  it('explain every option', async () => {
    const broker = await op(['broker', '--help']);
    expect(broker.code).toBe(0);
    for (const o of [
      '--host',
      '--port',
      '--ws-port',
      '--devices',
      '--tls-cert',
      '--tls-key',
      '--insecure',
      '--root',
      '--max-payload',
      '--rate',
      '--burst',
      'OPENPHASE_DEVICES',
    ]) {
      expect(broker.out).toContain(o);
    }
    const devices = await op(['devices', '--help']);
    for (const s of [
      'add',
      'list',
      'remove',
      'rotate',
      'export',
      'sensor',
      'controller',
      'admin',
    ]) {
      expect(devices.out).toContain(s);
    }
    const add = (await op(['devices', 'add', '--help'])).out;
    for (const o of [
      '--id',
      '--role',
      '--intersection',
      '--password-file',
      '--password-stdin',
      '--iterations',
    ]) {
      expect(add).toContain(o);
    }
    expect((await op(['devices', 'export', '--help'])).out).toContain('--listener');
    expect((await op(['devices', 'rotate', '--help'])).out).toContain('--password-stdin');
  });
});

describe('openphase broker --rate / --burst', () => {
  it('refuses --burst without --rate, saying why, before listening', async () => {
    const r = await op(['broker', '--insecure', '--port', '0', '--burst', '10']);
    expect(r.code).not.toBe(0);
    expect(r.err).toContain('--burst needs --rate');
  });
});

describe('openphase devices + broker', () => {
  let secret = '';

  it('adds a device, printing a generated secret once and storing only its hash', async () => {
    const r = await op([
      'devices',
      'add',
      '--devices',
      file,
      '--id',
      's1',
      '--role',
      'sensor',
      '--intersection',
      'a,b',
      '--iterations',
      '1000',
    ]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    secret = lines.at(-1)!;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(readFileSync(file, 'utf8')).not.toContain(secret);
    expect(readFileSync(file, 'utf8')).toContain('$7$1000$');
    // given on stdin: nothing printed but the confirmation
    const c = opProcess(
      [
        'devices',
        'add',
        '--devices',
        file,
        '--id',
        'c1',
        '--role',
        'controller',
        '--intersection',
        '*',
        '--password-stdin',
        '--iterations',
        '1000',
      ],
      'controller-pw\n',
    );
    expect(c.out.trim()).toBe(`added c1 (controller) to ${file}`);
    const again = ['--id', 's1', '--role', 'sensor', '--intersection', 'a'];
    const dup = await op(['devices', 'add', '--devices', file, ...again]);
    expect(dup.code).toBe(1);
    expect(dup.err).toMatch(/already exists/);
  });

  it('lists devices without hashes', async () => {
    const r = await op(['devices', 'list', '--devices', file, '--json']);
    expect(JSON.parse(r.out)).toEqual([
      { id: 's1', role: 'sensor', intersections: ['a', 'b'] },
      { id: 'c1', role: 'controller', intersections: '*' },
    ]);
    expect((await op(['devices', 'list', '--devices', file])).out).not.toContain('$7$');
  });

  it('exports for Mosquitto', async () => {
    const out = join(dir, 'mosquitto');
    const r = await op([
      'devices',
      'export',
      '--devices',
      file,
      '--mosquitto',
      out,
      '--listener',
      '127.0.0.1:8883',
    ]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(out, 'acl'), 'utf8')).toContain('topic write traffic/v1/b/counts/s1');
    expect(readFileSync(join(out, 'mosquitto.conf'), 'utf8')).toContain('listener 8883 127.0.0.1');
    expect(existsSync(join(out, 'passwd'))).toBe(true);
  });

  it('serves the registry; rotate + SIGHUP cuts the old credential; remove works', async () => {
    const broker = spawn(process.execPath, [BIN, 'broker', '--port', '0', '--devices', file], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(broker);
    let stderr = '';
    broker.stderr!.on('data', (d) => {
      stderr += d;
    });
    const ready = await new Promise<{ url: string }>((resolve, reject) => {
      let out = '';
      broker.stdout!.on('data', (d) => {
        out += d;
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve(JSON.parse(line));
      });
      broker.once('exit', (code) => reject(new Error(`broker exited ${code}: ${stderr}`)));
    });
    const s1 = await connectAs(ready.url, 's1', { password: secret });
    const closed = closedWithin(s1, 5000);
    const newPasswordFile = join(dir, 'new-pw.txt');
    writeFileSync(newPasswordFile, 'new-pw\n', { mode: 0o600 });
    const rotated = await op([
      'devices',
      'rotate',
      '--devices',
      file,
      '--id',
      's1',
      '--password-file',
      newPasswordFile,
      '--iterations',
      '1000',
    ]);
    expect(rotated.code).toBe(0);
    broker.kill('SIGHUP');
    expect(await closed).toBe(true);
    const creds = { clientId: 's1', username: 's1' };
    expect(await connackCode(ready.url, { ...creds, password: secret })).toBe(4);
    expect(await connackCode(ready.url, { ...creds, password: 'new-pw' })).toBe(0);
    expect((await op(['devices', 'remove', '--devices', file, '--id', 's1'])).code).toBe(0);
    broker.kill('SIGHUP');
    await new Promise((r) => setTimeout(r, 300));
    expect(await connackCode(ready.url, { ...creds, password: 'new-pw' })).toBe(4);
    expect(stderr).not.toContain(secret);
    expect(stderr).not.toContain('new-pw');
    const exited = new Promise<number | null>((r) => broker.once('exit', r));
    broker.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
