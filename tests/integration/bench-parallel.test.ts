/**
 * The parallel bench changes no result: built-ins on worker threads and the example external
 * controller (a separate program over MQTT, one instance per run, started one run ahead on the
 * other of its worker's two brokers) give the same scorecard as the same bench run one run after the other on the main
 * thread — timing fields aside — and the manifest says how many ran at once. So does keeping
 * one program per lane for all its runs (--reuse-spawned: the example forgets an intersection
 * whose retained config the bench clears after each run). Stopping a parallel bench stops every
 * run under way and every vendor program the workers started.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { createBench, type Progress } from '../../bench/runner.ts';
import { resolveScenarios } from '../../bench/scenarios.ts';
import { withoutTiming } from '../../bench/scorecard.ts';

const example = fileURLToPath(
  new URL('../../examples/external-controller/index.mjs', import.meta.url),
);
const dir = mkdtempSync(join(tmpdir(), 'op-bench-parallel-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function bench(parallel: number, reuseSpawned = false) {
  const progress: Progress[] = [];
  const work = join(dir, `${parallel}${reuseSpawned ? '-reuse' : ''}`);
  const starts = join(work, 'starts');
  const b = createBench({
    controllers: ['builtin:fixed-time', 'builtin:actuated', 'builtin:max-pressure', 'mqtt:example'],
    // one line in `starts` per program started
    spawn: { example: `echo started >> "${starts}"; exec "${process.execPath}" "${example}"` },
    reuseSpawned,
    // a surge scenario: its clean twin runs too
    scenarios: resolveScenarios(['two-phase', 'peak-surge']),
    seeds: 2,
    durationS: 120,
    deadlineMs: 5000,
    parallel,
    workDir: work,
    command: ['bench'],
    version: 'test',
    onProgress: (p) => progress.push(p),
  });
  const card = await b.start().finally(() => b.close());
  const started = readFileSync(starts, 'utf8').split('\n').filter(Boolean).length;
  return { card, progress, started };
}

/** the serial bench, run once for both comparisons */
let serialRun: ReturnType<typeof bench> | undefined;
const serialBench = () => (serialRun ??= bench(1));

it('runs in parallel give the scorecard of the serial bench', async () => {
  const serial = await serialBench();
  const parallel = await bench(3);
  expect(serial.card.manifest.parallel).toBe(1);
  expect(parallel.card.manifest.parallel).toBe(3);
  expect(withoutTiming(parallel.card)).toEqual(withoutTiming(serial.card));
  // a real comparison: traffic moved, the vendor answered every tick, the twin ran
  const ext = parallel.card.results.find(
    (r) => r.controller === 'mqtt:example' && r.scenario === 'peak-surge',
  )!;
  for (const run of ext.runs) {
    const m = run.metrics as Record<string, number>;
    expect(m.arrived).toBeGreaterThan(0);
    expect(m.missedDeadlines).toBe(0);
  }
  expect(ext.degradation).toBeDefined();
  // progress: every run counted once, when it finished; never more under way than allowed
  const total = 3 * 2 * 4; // (two-phase, peak-surge, its twin) × seeds × controllers
  expect(parallel.progress.map((p) => p.done)).toEqual(
    Array.from({ length: total }, (_, i) => i + 1),
  );
  expect(parallel.progress.every((p) => (p.running ?? 0) <= 2)).toBe(true);
  expect(parallel.progress.at(-1)!.running).toBe(0);
  const seen = new Set(
    parallel.progress.map((p) => `${p.controller} ${p.scenario} ${p.variant} ${p.seed}`),
  );
  expect(seen.size).toBe(total);
  // afresh for each of its 6 runs, the next one started ahead: at most one more per lane
  // (started for a run that never came)
  expect(parallel.started).toBeGreaterThanOrEqual(6);
  expect(parallel.started).toBeLessThanOrEqual(6 + 3);
}, 120_000);

it('one program kept per lane for its runs gives the scorecard of a program started per run', async () => {
  const serial = await serialBench();
  const kept = await bench(3, true);
  expect(withoutTiming(kept.card)).toEqual(withoutTiming(serial.card));
  expect(serial.started).toBe(6);
  // at most one program per lane (3), each serving several of the 6 runs
  expect(kept.started).toBeLessThanOrEqual(3);
  for (const r of kept.card.results.filter((x) => x.controller === 'mqtt:example'))
    for (const run of r.runs)
      expect((run.metrics as Record<string, number>).missedDeadlines).toBe(0);
}, 120_000);

/** Processes whose environment holds `marker` (the vendor programs of one bench). */
function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const env = readFileSync(`/proc/${e}/environ`, 'utf8');
      const state = readFileSync(`/proc/${e}/stat`, 'utf8').split(') ')[1]?.[0];
      if (env.includes(marker) && state !== 'Z') pids.push(Number(e));
    } catch {
      // gone meanwhile, or not ours
    }
  }
  return pids;
}

it('stopping a parallel bench stops the runs under way and their vendor programs', async () => {
  const marker = `OPENPHASE_BENCH_TEST=${randomUUID()}`;
  let stopping: Promise<void> | undefined;
  let seenRunning = 0;
  const b = createBench({
    controllers: ['builtin:fixed-time', 'mqtt:example'],
    baseline: 'builtin:fixed-time',
    spawn: { example: `${marker} exec "${process.execPath}" "${example}"` },
    scenarios: resolveScenarios(['two-phase']),
    seeds: 4,
    durationS: 3600,
    deadlineMs: 5000,
    parallel: 2,
    workDir: join(dir, 'stop'),
    command: ['bench'],
    version: 'test',
    onProgress: () => {
      // a built-in run finished: the vendor runs (longest first) are under way, their programs
      // starting (a worker may still be loading): stop once one is seen, or after 30 s
      stopping ??= (async () => {
        const until = Date.now() + 30_000;
        seenRunning = processesWith(marker).length;
        while (seenRunning === 0 && Date.now() < until) {
          await new Promise((r) => setTimeout(r, 50));
          seenRunning = processesWith(marker).length;
        }
        await b.close();
      })();
    },
  });
  await expect(b.start()).rejects.toThrow('the bench was stopped');
  await stopping;
  await b.close(); // safe twice
  expect(seenRunning).toBeGreaterThan(0);
  expect(processesWith(marker)).toEqual([]);
}, 120_000);
