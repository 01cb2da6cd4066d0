/**
 * `openphase conformance --sensor ID` as a process, against a sensor process (the simulator's
 * sensing of the two-phase scenario in real time, publishing over MQTT:
 * conformance-sensor-fixture.ts) on the conformance broker: the well-behaved sensor passes
 * every check; the defective one fails with the reasons; bad usage is refused in words.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { Check } from '../../bench/conformance/checks.ts';
import { main } from '../../cli/main.ts';
import { BIN } from '../../rigs/openphase.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const fixture = join(ROOT, 'tests/integration/conformance-sensor-fixture.ts');
const dir = mkdtempSync(join(tmpdir(), 'op-conformance-sensor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function conformance(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'conformance', ...args],
      { cwd: ROOT, timeout: 110_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const sensorArgs = (name: string, windowS: number, ...fixtureArgs: string[]) => [
  '--sensor',
  'a-det',
  '--intersection',
  'a',
  '--scenario',
  'two-phase',
  '--window',
  String(windowS),
  '--spawn',
  [`"${process.execPath}"`, '--import', 'tsx', `"${fixture}"`, ...fixtureArgs].join(' '),
  '--json',
  '--out',
  join(dir, name),
];

// Each test is a few processes talking in real time: generous limits for a loaded machine.
describe.concurrent('sensor conformance', { timeout: 120_000 }, () => {
  it('a well-behaved sensor passes every check, detectors checked against the config', async () => {
    const out = await conformance(sensorArgs('good', 4));
    expect(out.code, out.stdout + out.stderr).toBe(0);
    const r = JSON.parse(out.stdout) as { subject: string; failed: number; checks: Check[] };
    expect(r.subject).toBe('sensor a-det');
    expect(r.checks.map((c) => [c.id, c.status])).toEqual([
      ['connects', 'pass'],
      ['birth', 'pass'],
      ['publishes', 'pass'],
      ['valid-messages', 'pass'],
      ['sequence', 'pass'],
      ['intervals', 'pass'],
      ['clock', 'pass'],
      ['known-detectors', 'pass'],
      ['last-will', 'pass'],
      ['reconnect', 'pass'],
    ]);
  });

  it('a sensor with malformed and out-of-schema counts fails, with the reasons', async () => {
    // the four defects come one per message, one message a second: the window holds all four
    // even when the sensor starts late on a busy machine (at 4 s, CI at load 7 saw only three)
    const out = await conformance(sensorArgs('bad', 8, '--bad'));
    expect(out.code, out.stderr).toBe(1);
    const r = JSON.parse(out.stdout) as { failed: number; checks: Check[] };
    const by = Object.fromEntries(r.checks.map((c) => [c.id, c]));
    expect(Object.fromEntries(r.checks.map((c) => [c.id, c.status]))).toEqual({
      connects: 'pass',
      birth: 'fail',
      publishes: 'pass',
      'valid-messages': 'fail',
      sequence: 'fail',
      intervals: 'fail',
      clock: 'fail',
      'known-detectors': 'fail',
      'last-will': 'fail',
      reconnect: 'fail',
    });
    expect(by['valid-messages']!.detail).toMatch(
      /invalid: \/detectors\/0\/count 'count' must be >= 0/,
    );
    expect(by.sequence!.detail).toMatch(/seq \d+ then \d+/);
    expect(by.clock!.detail).toMatch(/off, e\.g\. -?36\d\d s/);
    expect(by['known-detectors']!.detail).toBe('unknown: X-ghost');
    expect(by.reconnect!.detail).toBe('no birth after reconnecting');
  });

  it('refuses bad usage in plain words', async () => {
    const errors: string[] = [];
    const orig = console.error;
    console.error = (...a: unknown[]) => errors.push(a.join(' '));
    try {
      expect(await main(['conformance', '--out', join(dir, 'x')])).toBe(1);
      expect(await main(['conformance', '--sensor', 'a-det', '--out', join(dir, 'x')])).toBe(1);
      expect(
        await main([
          'conformance',
          '--sensor',
          'a-det',
          '--intersection',
          'zz',
          '--scenario',
          'two-phase',
          '--out',
          join(dir, 'x'),
        ]),
      ).toBe(1);
      expect(await main(['conformance', '--controller', 'acme', '--out', join(dir, 'x')])).toBe(1);
    } finally {
      console.error = orig;
    }
    const text = errors.join('\n');
    expect(text).toMatch(/give either --controller mqtt:ID or --sensor ID/);
    expect(text).toMatch(/--sensor needs --intersection ID/);
    expect(text).toMatch(/--scenario two-phase has no intersection 'zz' \(it has a\)/);
    expect(text).toMatch(/--controller must be mqtt:ID/);
  });
});
