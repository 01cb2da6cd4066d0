/**
 * An operator stops `openphase simulate --engine sumo` with SIGTERM: the command says it was
 * stopped with no result, SUMO (its child) exits, and SUMO's temporary files are gone.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { beforeAll, expect, it } from 'vitest';
import { requireBinary } from '../../rigs/binaries.ts';
import { ensureBuilt, spawnOpenphase } from '../../rigs/openphase.ts';

beforeAll(() => {
  requireBinary('sumo'); // missing SUMO fails here with the apt-get hint
  requireBinary('netconvert');
  ensureBuilt();
});

/** The `sumo` child of `ppid` (pid and its command line), once it runs. */
async function sumoChildOf(ppid: number, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const [, comm, rest] = /^\d+ \((.*)\) (.*)$/s.exec(stat) ?? [];
        if (comm === 'sumo' && Number(rest?.split(' ')[1]) === ppid)
          return {
            pid: Number(pid),
            argv: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'),
          };
      } catch {
        // the process ended while we looked
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no sumo child of ${ppid} within ${timeoutMs} ms`);
}

it('SIGTERM mid-run: a clear message, SUMO gone, its files gone', async () => {
  const sim = spawnOpenphase(
    ['simulate', '--scenario', 'grid-3x3', '--engine', 'sumo', '--duration', '7200'],
    { env: { SUMO_HOME: '/usr/share/sumo' } },
  );
  const sumo = await sumoChildOf(sim.child.pid!, 30_000);
  const net = sumo.argv[sumo.argv.indexOf('-n') + 1]!;
  const workDir = dirname(net);
  expect(existsSync(workDir)).toBe(true);
  sim.child.kill('SIGTERM');
  const [code] = await sim.exited;
  expect(code).toBe(1);
  expect(sim.output()).toMatch(/stopped by SIGTERM before the end of the run/);
  expect(sim.output()).not.toMatch(/at .*\.js:\d+/); // no stack trace
  const gone = Date.now() + 5000;
  while (existsSync(`/proc/${sumo.pid}`) && Date.now() < gone)
    await new Promise((r) => setTimeout(r, 50));
  expect(existsSync(`/proc/${sumo.pid}`)).toBe(false);
  expect(existsSync(workDir)).toBe(false);
});
