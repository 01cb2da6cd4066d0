/**
 * `npm run bench:engines`: do OpenPhase's engine and SUMO rank the controllers the same way?
 * Every bundled single-intersection scenario × fixed-time, actuated, max-pressure × 5 seeds on
 * both engines (the real bench, `--engine openphase,sumo`), then Kendall's tau-b between the
 * engines' mean delays (pooled over every controller × scenario) and every controller pair
 * whose order differs, clearly (both paired 95 % intervals exclude 0) or not.
 * Acceptance: tau ≥ 0.8, no pair clearly opposite. Writes bench-results/engines-agreement.json.
 *
 * Options (environment): BENCH_ENGINES_SEEDS (default 5), BENCH_ENGINES_DURATION_S (default:
 * each scenario's own), BENCH_ENGINES_SCENARIOS (comma-separated, default every bundled
 * single-intersection scenario), BENCH_ENGINES_DRIVERS (JSON merged into every scenario's
 * `drivers`, e.g. '{"yellowUsedS":3}', to see a convention's effect).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBench } from '../bench/runner.ts';
import { resolveScenarios } from '../bench/scenarios.ts';
import { listBundledScenarios, loadScenario } from '../simulator/index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const env = process.env;
const seeds = Number(env.BENCH_ENGINES_SEEDS ?? 5);
const durationS = env.BENCH_ENGINES_DURATION_S ? Number(env.BENCH_ENGINES_DURATION_S) : undefined;
const drivers = env.BENCH_ENGINES_DRIVERS ? JSON.parse(env.BENCH_ENGINES_DRIVERS) : undefined;
const controllers = ['builtin:fixed-time', 'builtin:actuated', 'builtin:max-pressure'];

async function singleIntersection(): Promise<string[]> {
  const out: string[] = [];
  for (const name of listBundledScenarios())
    if ((await loadScenario(name)).intersections.length === 1) out.push(name);
  return out;
}

const names = env.BENCH_ENGINES_SCENARIOS?.split(',') ?? (await singleIntersection());
const scenarios = resolveScenarios(names).map((s) =>
  drivers
    ? { ...s, scenario: { ...s.scenario, drivers: { ...s.scenario.drivers, ...drivers } } }
    : s,
);
const workDir = mkdtempSync(join(tmpdir(), 'openphase-engines-'));
const load0 = loadavg()[0]!;
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
try {
  const bench = createBench({
    controllers,
    baseline: 'builtin:actuated',
    engines: ['openphase', 'sumo'],
    scenarios,
    seeds,
    ...(durationS ? { durationS } : {}),
    degradation: false,
    workDir,
    command: ['bench', '--engine', 'openphase,sumo'],
    version: 'bench:engines',
    onProgress: (p) => {
      if (p.done % 10 === 0 || p.done === p.total) console.error(`${p.done}/${p.total}`);
    },
  });
  const card = await bench.start().finally(() => bench.close());
  const ag = card.engineAgreement!;
  const sumo = ag.byEngine.find((b) => b.engine === 'sumo')!;
  const meanDelayS: Record<string, Record<string, Record<string, number>>> = {};
  for (const r of card.results) {
    meanDelayS[r.scenario] ??= {};
    meanDelayS[r.scenario]![r.controller] ??= {};
    meanDelayS[r.scenario]![r.controller]![r.engine] = (
      r.metrics as { meanDelayS: { mean: number } }
    ).meanDelayS.mean;
  }
  const cpu = process.cpuUsage(cpu0);
  const report = {
    scenarios: names,
    controllers,
    seeds,
    durationS: durationS ?? 'each scenario’s own',
    ...(drivers ? { drivers } : {}),
    kendallTau: sumo.kendallTau,
    pairsDiffering: sumo.pairsDiffering,
    clearlyOpposite: sumo.clearlyOpposite,
    acceptance: {
      tauAtLeast08: (sumo.kendallTau ?? 0) >= 0.8,
      noClearlyOpposite: sumo.clearlyOpposite === 0,
    },
    differing: ag.pairs
      .filter((p) => p.differs)
      .map((p) => ({ scenario: p.scenario, a: p.a, b: p.b, order: p.order, clear: p.clear })),
    meanDelayS,
    rankings: card.ranking.map((r) => ({
      engine: r.engine,
      rank: r.rank,
      controller: r.controller,
      delayIndex: r.delayIndex,
    })),
    wallS: Math.round(performance.now() - wall0) / 1000,
    cpuS: Math.round((cpu.user + cpu.system) / 1000) / 1000,
    parallel: card.manifest.parallel,
    loadAverage1m: Math.round(((load0 + loadavg()[0]!) / 2) * 100) / 100,
  };
  const dir = join(here, '..', 'bench-results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'engines-agreement.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify({ ...report, meanDelayS: undefined, rankings: undefined }, null, 2));
} finally {
  rmSync(workDir, { recursive: true, force: true });
}
