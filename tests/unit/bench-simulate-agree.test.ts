/**
 * `openphase bench` and `openphase simulate` give the same numbers for the same scenario,
 * controller and seed, although the bench moves each run's start time forward (plan.ts):
 * here on a scenario without a plan, where fixed-time computes and re-times its own plan.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createBench } from '../../bench/runner.ts';
import { runScenario } from '../../loop/index.ts';
import { loadScenario } from '../../simulator/index.ts';

describe('bench and simulate agree', () => {
  it('fixed-time re-timed from counts: each bench run equals simulate with its seed', async () => {
    const { intersections, ...rest } = await loadScenario('four-phase-unbalanced');
    // no plan: fixed-time computes a Webster plan (cycle not a divisor of an hour) and re-times
    // it every 15 min; 2,700 s covers two re-timings
    const scenario = {
      ...rest,
      name: 'four-phase-no-plan',
      intersections: intersections.map(({ plan: _p, ...c }) => c),
    };
    const workDir = mkdtempSync(join(tmpdir(), 'openphase-agree-'));
    try {
      const bench = createBench({
        controllers: ['builtin:fixed-time'],
        baseline: 'builtin:fixed-time',
        scenarios: [{ name: scenario.name, sha256: 'x', source: 'file', scenario }],
        seeds: 2,
        durationS: 2700,
        degradation: false,
        workDir,
        command: ['bench'],
        version: '0.0.0-test',
      });
      const card = await bench.start().finally(() => bench.close());
      const runs = card.results.flatMap((r) => r.runs);
      expect(runs.map((r) => r.seed).sort()).toEqual([1, 2]);
      for (const run of runs) {
        const ref = runScenario(scenario, {
          controller: 'builtin:fixed-time',
          seed: run.seed,
          durationS: 2700,
        }).metrics;
        expect(run.metrics.meanDelayS, `seed ${run.seed}`).toBe(ref.meanDelayS);
        expect(run.metrics.served).toBe(ref.served);
        expect(run.metrics.phaseChangesPerHour).toBe(ref.phaseChangesPerHour);
      }
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  });
});
