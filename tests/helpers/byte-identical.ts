/**
 * The outputs that must stay byte-identical through a refactor: `simulate --json` of every
 * bundled scenario × every built-in algorithm × 2 seeds, and the bench scorecard (timing
 * fields aside) of every built-in over every bundled scenario × 2 seeds. Each case is kept as
 * the SHA-256 of its exact bytes plus a few readable numbers, so a drift shows where it is.
 * tests/fixtures/byte-identical/generate.ts wrote the fixture from the code before the change.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBench } from '../../bench/runner.ts';
import { resolveScenarios } from '../../bench/scenarios.ts';
import { withoutTiming } from '../../bench/scorecard.ts';
import { ALGORITHMS } from '../../controller/algorithms/registry.ts';
import { runScenario } from '../../loop/index.ts';
import { listBundledScenarios, loadScenario } from '../../simulator/index.ts';

export interface CaseDigest {
  case: string;
  sha256: string;
  /** a few numbers to read when the hash differs */
  summary: Record<string, number>;
}

export const SEEDS = [1, 2] as const;
/**
 * Simulated seconds of a simulate run: the scenario's own (an hour), shortened only for the
 * two largest so the test stays fast; and of each bench run.
 */
export const SIMULATE_S: Readonly<Record<string, number>> = { city: 900, 'arterial-corridor': 900 };
export const BENCH_S = 300;

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** `openphase simulate --scenario S --controller builtin:A --seed N --duration D --json`. */
export async function simulateDigests(): Promise<CaseDigest[]> {
  const out: CaseDigest[] = [];
  for (const name of listBundledScenarios()) {
    const scenario = await loadScenario(name);
    for (const a of ALGORITHMS) {
      for (const seed of SEEDS) {
        const controller = `builtin:${a.name}`;
        const durationS = SIMULATE_S[name] ?? scenario.durationS;
        const r = runScenario(scenario, { controller, seed, durationS });
        const { scenario: sc, seed: s, controller: c, metrics, perIntersection } = r;
        // exactly the bytes cli/commands/simulate.ts prints
        const json = `${JSON.stringify({ scenario: sc, seed: s, controller: c, metrics, perIntersection })}\n`;
        out.push({
          case: `simulate ${name} ${controller} seed ${seed} ${durationS} s`,
          sha256: sha(json),
          summary: {
            arrived: metrics.arrived,
            served: metrics.served,
            meanDelayS: metrics.meanDelayS,
            phaseChangesPerHour: metrics.phaseChangesPerHour,
          },
        });
      }
    }
  }
  return out;
}

/** `openphase bench` of every built-in over every bundled scenario, seeds 1 and 2, timing aside. */
export async function benchDigest(): Promise<CaseDigest> {
  const workDir = mkdtempSync(join(tmpdir(), 'openphase-identical-'));
  try {
    const bench = createBench({
      controllers: ALGORITHMS.map((a) => `builtin:${a.name}`),
      scenarios: resolveScenarios(listBundledScenarios()),
      seeds: SEEDS.length,
      durationS: BENCH_S,
      workDir,
      command: ['bench'],
      version: '0.0.0-test',
      now: () => 0,
      date: () => new Date(0),
    });
    const card = await bench.start().finally(() => bench.close());
    // the Node.js version and platform in the manifest are the machine's, not the code's
    const { environment: _env, ...manifest } = card.manifest;
    const json = JSON.stringify(withoutTiming({ ...card, manifest } as typeof card));
    return {
      case: `bench ${SEEDS.length} seeds ${BENCH_S} s`,
      sha256: sha(json),
      summary: {
        results: card.results.length,
        runs: card.results.reduce((n, r) => n + r.runs.length, 0),
      },
    };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
