/**
 * `openphase simulate` as a process: `--json` prints exactly { scenario, seed, controller,
 * metrics, perIntersection } and nothing else on stdout, byte-identical for the same seed;
 * a bad scenario exits 2 with path-named problems on stderr.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { BIN } from '../../rigs/openphase.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'op-sim-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function simulate(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'simulate', ...args],
      { cwd: root, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

it('--json prints only the result, identical for the same seed, different for another', async () => {
  const args = [
    '--scenario',
    'grid-3x3',
    '--duration',
    '600',
    '--controller',
    'builtin:actuated',
    '--json',
  ];
  const [a, b, c] = await Promise.all([
    simulate(...args),
    simulate(...args),
    simulate(...args, '--seed', '99'),
  ]);
  expect(a.code).toBe(0);
  expect(a.stdout).toBe(b.stdout);
  expect(a.stdout.trim().split('\n')).toHaveLength(1);
  const r = JSON.parse(a.stdout);
  expect(Object.keys(r)).toEqual(['scenario', 'seed', 'controller', 'metrics', 'perIntersection']);
  expect(r).toMatchObject({ scenario: 'grid-3x3', seed: 53, controller: 'builtin:actuated' });
  expect(Object.keys(r.metrics)).toEqual([
    'arrived',
    'served',
    'queuedAtEnd',
    'meanDelayS',
    'p95DelayS',
    'maxWaitS',
    'meanQueueVeh',
    'maxQueueVeh',
    'stopsPerVehicle',
    'throughputVph',
    'phaseChangesPerHour',
    'overrides',
    'missedDeadlines',
    'decisionLatencyMs',
  ]);
  expect(r.perIntersection).toHaveLength(9);
  expect(JSON.parse(c.stdout).seed).toBe(99);
  expect(c.stdout).not.toBe(a.stdout);
}, 60_000);

it('a bad scenario exits 2 and names the paths, with nothing on stdout', async () => {
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'name: bad\nseed: 1\ndurationS: -5\nintersections: []\ndemand: []\n');
  const r = await simulate('--scenario', file, '--json');
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).toMatch(/\/durationS/);
  expect(r.stderr).toMatch(/\/intersections/);
}, 60_000);
