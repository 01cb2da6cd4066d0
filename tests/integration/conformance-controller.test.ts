/**
 * `openphase conformance --controller mqtt:ID` as a process, against real controller
 * processes over its own aedes broker: the example external controller passes every check
 * and exits 0; the deliberately bad controller fails birth, Last Will, reconnect, deadline,
 * valid messages and known phases, naming why, and exits 1; a variant that never reconnects
 * fails the reconnect check for that reason. On a city's broker (`--mqtt`, the project's
 * broker with a single admin credential) the checks that cut connections are skipped, and the
 * spawned program never sees the admin credential.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Check } from '../../bench/conformance/checks.ts';
import { addDevice, createBroker, createRegistry } from '../../broker/index.ts';
import { BIN } from '../../rigs/openphase.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const example = join(ROOT, 'examples/external-controller/index.mjs');
const bad = join(ROOT, 'examples/bad-controller/index.mjs');
const dir = mkdtempSync(join(tmpdir(), 'op-conformance-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function conformance(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'conformance', ...args],
      { cwd: ROOT, timeout: 110_000, env: { ...process.env, ...env } },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const verdicts = (o: Outcome) => {
  const r = JSON.parse(o.stdout) as { subject: string; failed: number; checks: Check[] };
  return { ...r, by: Object.fromEntries(r.checks.map((c) => [c.id, c])) };
};
const node = (script: string, ...args: string[]) =>
  [`"${process.execPath}"`, `"${script}"`, ...args].join(' ');

// Each test is a few processes talking in real time: generous limits for a loaded machine.
describe.concurrent('controller conformance', { timeout: 120_000 }, () => {
  it('the example external controller passes every check and exits 0', async () => {
    // its default mode (--intersections all): the Last Will comes with the first config
    const out = await conformance([
      '--controller',
      'mqtt:acme',
      '--spawn',
      node(example),
      '--out',
      join(dir, 'good'),
    ]);
    expect(out.code, out.stderr).toBe(0);
    const lines = out.stdout.trim().split('\n');
    expect(lines[0]).toBe('conformance of mqtt:acme (protocol v1)');
    expect(lines.at(-1)).toBe('all 8 checks passed');
    const titles = lines.filter((l) => /^(PASS|FAIL|SKIP) /.test(l));
    expect(titles).toEqual([
      'PASS  connects to the broker with its credential',
      'PASS  publishes a retained birth {online:true} on status/{id}',
      'PASS  registers a Last Will {online:false}, published when its connection drops',
      'PASS  survives a dropped connection and a broker restart: back, birth again, answering',
      'PASS  answers every tick within 1000 ms',
      'PASS  only valid messages (decision.schema.json)',
      'PASS  only phases the intersection has',
      'PASS  one decision per signal, with t = the signal’s t',
    ]);
    expect(out.stdout).toContain('on traffic/v1/a/status/acme when the connection dropped');
    // the protocol version the device used is reported (issue 17.6)
    expect(out.stdout).toContain('connected as acme over MQTT 3.1.1');
    expect(out.stdout).toMatch(/60 ticks, none missed/);
    // the credential file is gone; the program's output is kept
    expect(readFileSync(join(dir, 'good', 'acme.log'), 'utf8')).toContain('"ready":true');
  });

  it('the bad controller fails the checks it breaks, says why, and exits 1', async () => {
    const out = await conformance([
      '--controller',
      'mqtt:bad',
      '--spawn',
      node(bad),
      '--deadline-ms',
      '150',
      '--json',
      '--out',
      join(dir, 'bad'),
    ]);
    expect(out.code, out.stderr).toBe(1);
    const v = verdicts(out);
    expect(v.subject).toBe('mqtt:bad');
    expect(Object.fromEntries(v.checks.map((c) => [c.id, c.status]))).toEqual({
      connects: 'pass',
      birth: 'fail',
      'last-will': 'fail',
      reconnect: 'fail',
      deadline: 'fail',
      'valid-messages': 'fail',
      'known-phases': 'fail',
      'one-per-tick': 'pass',
    });
    expect(v.failed).toBe(6);
    expect(v.by.birth!.detail).toMatch(/no valid \{"v":1,"online":true,…\} on status\/bad/);
    expect(v.by['last-will']!.detail).toMatch(/no Last Will registered/);
    // it does come back (its client reconnects), but announces nothing and falls silent again
    expect(v.by.reconnect!.detail).toMatch(
      /^no birth after reconnecting; no birth after the broker restarted; missed \d+ of 30 ticks after the restart$/,
    );
    // two silent stretches of 10 one-second ticks, one per run
    const missed = Number(
      /^(\d+) of 60 ticks had no decision in time/.exec(v.by.deadline!.detail)?.[1],
    );
    expect(missed).toBeGreaterThanOrEqual(20);
    expect(v.by['valid-messages']!.detail).toMatch(/a: \/ payload is not JSON/);
    expect(v.by['known-phases']!.detail).toMatch(
      /ask for an unknown phase: a: 'no-such-phase' \(known: ns, ew\)/,
    );
  });

  it('a controller that never comes back fails the reconnect check for that reason', async () => {
    const out = await conformance([
      '--controller',
      'mqtt:gone',
      '--spawn',
      node(bad, '--no-reconnect'),
      '--ticks',
      '5',
      '--reconnect-timeout',
      '3',
      '--json',
      '--out',
      join(dir, 'gone'),
    ]);
    expect(out.code, out.stderr).toBe(1);
    const v = verdicts(out);
    expect(v.by.reconnect!.status).toBe('fail');
    // (with nothing left to do, it even ends: the detail points at its log)
    expect(v.by.reconnect!.detail).toMatch(
      /^did not reconnect within 3 s after its connection was cut(; the program exited \(code 0\), see \S+gone\.log)?$/,
    );
  });

  it('on a city broker (--mqtt) with one admin credential: the cutting checks are skipped, the rest pass', async () => {
    const admin = { id: 'city-admin', password: 'admin-secret-0123456789' };
    const ctl = { id: 'acme', password: 'acme-secret-0123456789' };
    let reg = createRegistry();
    reg = addDevice(reg, { ...admin, role: 'admin', intersections: '*' }, { iterations: 1000 });
    reg = addDevice(reg, { ...ctl, role: 'controller', intersections: '*' }, { iterations: 1000 });
    const broker = createBroker({ port: 0, devices: reg, rateLimit: false, log: () => {} });
    const { url } = await broker.start();
    try {
      const envFile = join(dir, 'external-env.txt');
      const out = await conformance(
        [
          '--controller',
          'mqtt:acme',
          '--mqtt',
          url,
          '--spawn',
          // what the program was given, then the program with its own credential
          `env | grep ^OPENPHASE_ > "${envFile}"; OPENPHASE_MQTT_PASSWORD='${ctl.password}' exec ${node(example, '--intersections', 'a', '--username', ctl.id)}`,
          '--connect-timeout',
          '20',
          '--json',
          '--out',
          join(dir, 'external'),
        ],
        { OPENPHASE_MQTT_USERNAME: admin.id, OPENPHASE_MQTT_PASSWORD: admin.password },
      );
      expect(out.code, out.stdout + out.stderr).toBe(0);
      const v = verdicts(out);
      expect(v.checks.map((c) => [c.id, c.status])).toEqual([
        ['birth', 'pass'],
        ['last-will', 'skip'],
        ['reconnect', 'skip'],
        ['deadline', 'pass'],
        ['valid-messages', 'pass'],
        ['known-phases', 'pass'],
        ['one-per-tick', 'pass'],
      ]);
      const given = readFileSync(envFile, 'utf8');
      expect(given).toContain(`OPENPHASE_MQTT_URL=${url}`);
      expect(given).not.toContain('OPENPHASE_MQTT_USERNAME');
      expect(given).not.toContain(admin.password);
    } finally {
      await broker.close();
    }
  });
});
