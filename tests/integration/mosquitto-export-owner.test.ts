/**
 * `devices export --owner mosquitto` (issue 17.13): Mosquitto started as root drops to its own
 * user `mosquitto` before reading `passwd` and `acl`; owned by root with mode 0600 they were
 * unreadable to it. Real Mosquitto 2 running as user `mosquitto`, a device connecting with its
 * exported credential.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { saveRegistry } from '../../broker/index.ts';
import { main } from '../../cli/main.ts';
import { requireBinary } from '../../rigs/binaries.ts';
import { freePort, waitForPort } from '../../rigs/ports.ts';
import { killOnExit, stopChild } from '../../rigs/processes.ts';
import { connackCode, fixtureRegistry, passwordOf } from './broker-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'op-owner-'));
const out = join(dir, 'mosquitto');
let mosquitto: ChildProcess | undefined;
let log = '';
let port: number;

beforeAll(async () => {
  chmodSync(dir, 0o755); // Mosquitto's user must reach the files (mkdtemp makes 0700)
  saveRegistry(join(dir, 'devices.yaml'), fixtureRegistry());
  port = await freePort();
  const quiet = vi.spyOn(console, 'log').mockImplementation(() => {});
  const code = await main([
    'devices',
    'export',
    '--devices',
    join(dir, 'devices.yaml'),
    '--mosquitto',
    out,
    '--listener',
    `127.0.0.1:${port}`,
    '--persistence-dir',
    join(out, 'db'),
    '--owner',
    'mosquitto',
  ]).finally(() => quiet.mockRestore());
  expect(code).toBe(0);
});

afterAll(async () => {
  if (mosquitto) await stopChild(mosquitto);
  rmSync(dir, { recursive: true, force: true });
});

/** uid of a running process, from /proc. */
const uidOf = (pid: number) =>
  Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

describe('devices export --owner mosquitto', () => {
  it('writes 0600 files owned by mosquitto', () => {
    const mosquittoUid = Number(
      readFileSync('/etc/passwd', 'utf8')
        .split('\n')
        .find((l) => l.startsWith('mosquitto:'))
        ?.split(':')[2],
    );
    for (const f of ['passwd', 'acl']) {
      const st = statSync(join(out, f));
      expect(st.mode & 0o777).toBe(0o600);
      expect(st.uid).toBe(mosquittoUid);
    }
  });

  it('a Mosquitto running as user mosquitto reads them: a device connects', async () => {
    // started as root without a `user` line, Mosquitto drops to `mosquitto`
    mosquitto = spawn(requireBinary('mosquitto'), ['-c', join(out, 'mosquitto.conf')], {
      cwd: dir, // the export sets `persistence true`: mosquitto.db goes to the working directory
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    killOnExit(mosquitto);
    mosquitto.stdout?.on('data', (d) => (log += d));
    mosquitto.stderr?.on('data', (d) => (log += d));
    await waitForPort(port, 15_000);
    expect(uidOf(mosquitto.pid!)).not.toBe(0);
    const url = `mqtt://127.0.0.1:${port}`;
    const code = await connackCode(url, {
      clientId: 's1',
      username: 's1',
      password: passwordOf('s1'),
    });
    expect(code, log).toBe(0);
    expect(await connackCode(url, { clientId: 's1', username: 's1', password: 'wrong' })).not.toBe(
      0,
    );
  });
});
