/**
 * A spawned vendor program that ends by itself ends the bench with a message saying how and
 * where its output is — at once, not after the connect timeout and a scorecard of missed
 * deadlines: a typo in --spawn, and a program that crashes halfway through a run, on a worker
 * lane (the default) and on the main thread (--parallel 1).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { createBench } from '../../bench/runner.ts';
import { resolveScenarios } from '../../bench/scenarios.ts';

const example = fileURLToPath(
  new URL('../../examples/external-controller/index.mjs', import.meta.url),
);
const dir = mkdtempSync(join(tmpdir(), 'op-bench-ends-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function bench(name: string, command: string, parallel: number) {
  const workDir = join(dir, name);
  const b = createBench({
    controllers: ['mqtt:example'],
    baseline: 'mqtt:example',
    spawn: { example: command },
    scenarios: resolveScenarios(['two-phase']),
    seeds: 2,
    durationS: 3600,
    deadlineMs: 5000,
    // far longer than the test: the bench must not wait for it
    connectTimeoutS: 120,
    parallel,
    workDir,
    command: ['bench'],
    version: 'test',
  });
  return { b, log: join(workDir, 'example.log') };
}

it.each([1, 2])(
  'a mistyped --spawn ends the bench at once, saying how (parallel %i)',
  async (parallel) => {
    const { b, log } = bench(
      `typo-${parallel}`,
      `"${process.execPath}" ${dir}/no-such.mjs`,
      parallel,
    );
    const t0 = Date.now();
    await expect(b.start().finally(() => b.close())).rejects.toThrow(
      `mqtt:example: its program ended (code 1) during the run of two-phase seed`,
    );
    expect(Date.now() - t0).toBeLessThan(60_000);
    expect(readFileSync(log, 'utf8')).toContain('no-such.mjs');
  },
  90_000,
);

it('a program that crashes halfway through a run ends the bench, naming its log', async () => {
  // the example, killed half a second after it says it is ready (its run under way); then exit 3
  const crasher = join(dir, 'crasher.mjs');
  writeFileSync(
    crasher,
    `import { spawn } from 'node:child_process';
const c = spawn(process.execPath, [${JSON.stringify(example)}], { stdio: ['ignore', 'pipe', 'inherit'] });
c.stdout.on('data', (d) => {
  process.stdout.write(d);
  if (String(d).includes('"ready":true')) setTimeout(() => { c.kill('SIGKILL'); process.exit(3); }, 500);
});`,
  );
  const { b, log } = bench('crash', `"${process.execPath}" "${crasher}"`, 2);
  await expect(b.start().finally(() => b.close())).rejects.toThrow(
    `mqtt:example: its program ended (code 3) during the run of two-phase seed`,
  );
  expect(readFileSync(log, 'utf8')).toContain('"ready":true');
}, 90_000);
