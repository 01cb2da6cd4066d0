/**
 * Building the scorecard from runs (pure): per controller × scenario every metric's mean and
 * 95 % interval over the seeds, the paired comparison with the baseline, the degradation from
 * the clean twin, and the ranking. Every run is kept: the final behaviour of each seed, never
 * a best run.
 */
import { OVERRIDE_KINDS } from '../protocol/index.ts';
import { engineAgreement } from './agreement.ts';
import { DEFAULT_ENGINE } from './engine-names.ts';
import { type BenchRunMetrics, COMPARED, METRICS, nestMetrics, valueAt } from './metrics.ts';
import type {
  Manifest,
  QueueSeries,
  RankingEntry,
  Result,
  ScorecardT,
} from './scorecard-schema.ts';
import { mean, type Paired, paired, r4, summarize } from './stats.ts';

/** One run as measured. `variant: 'clean'` is the clean twin of a fault or surge scenario. */
export interface RunRecord {
  /** the traffic engine (default openphase) */
  engine?: string;
  controller: string;
  scenario: string;
  variant: 'main' | 'clean';
  seed: number;
  metrics: BenchRunMetrics;
  /** wall-clock seconds (timing) */
  wallS: number;
}

export interface BuildInput {
  manifest: Manifest;
  runs: readonly RunRecord[];
  queueSeries?: QueueSeries;
}

const engineOf = (r: RunRecord) => r.engine ?? DEFAULT_ENGINE;

const pick = (rs: readonly RunRecord[], e: string, c: string, s: string, v: 'main' | 'clean') =>
  rs
    .filter((r) => engineOf(r) === e && r.controller === c && r.scenario === s && r.variant === v)
    .sort((a, b) => a.seed - b.seed);

function pairedOn(x: readonly RunRecord[], y: readonly RunRecord[]): Record<string, Paired> {
  const seeds = x.map((r) => r.seed);
  if (y.length !== x.length || y.some((r, i) => r.seed !== seeds[i]))
    throw new Error('a paired comparison needs the same seeds on both sides');
  return Object.fromEntries(
    COMPARED.map((p) => [
      p,
      paired(
        x.map((r) => valueAt(r.metrics, p)),
        y.map((r) => valueAt(r.metrics, p)),
      ),
    ]),
  );
}

function result(
  input: BuildInput,
  engine: string,
  controller: string,
  scenario: string,
): Result | undefined {
  const { manifest, runs } = input;
  const own = pick(runs, engine, controller, scenario, 'main');
  if (own.length === 0) return undefined;
  const metrics = nestMetrics((p) => summarize(own.map((r) => valueAt(r.metrics, p))));
  const out: Result = {
    engine,
    controller,
    scenario,
    seeds: own.map((r) => r.seed),
    metrics: metrics as Result['metrics'],
    runs: own.map((r) => ({
      seed: r.seed,
      metrics: nestMetrics((p) => valueAt(r.metrics, p)) as Result['runs'][number]['metrics'],
    })),
    wallS: r4(own.reduce((s, r) => s + r.wallS, 0)),
  };
  if (controller !== manifest.baseline) {
    const base = pick(runs, engine, manifest.baseline, scenario, 'main');
    if (base.length > 0) out.vsBaseline = pairedOn(own, base) as Result['vsBaseline'];
  }
  const clean = pick(runs, engine, controller, scenario, 'clean');
  if (clean.length > 0) {
    out.degradation = {
      clean: Object.fromEntries(
        COMPARED.map((p) => [p, summarize(clean.map((r) => valueAt(r.metrics, p)))]),
      ),
      change: pairedOn(own, clean),
    } as Result['degradation'];
  }
  return out;
}

const stat = (r: Result, path: string): number => {
  const [a, b] = path.split('.') as [string, string | undefined];
  const node = (r.metrics as Record<string, unknown>)[a] as Record<string, unknown>;
  return ((b === undefined ? node : node[b]) as { mean: number }).mean;
};

/** Controllers ranked by delay relative to the baseline, averaged over the scenarios. */
export function rank(
  manifest: Manifest,
  results: readonly Result[],
  engine: string = DEFAULT_ENGINE,
): RankingEntry[] {
  results = results.filter((r) => r.engine === engine);
  const entries = manifest.controllers.map((controller) => {
    const own = results.filter((r) => r.controller === controller);
    const ratios: number[] = [];
    let lowerDelay = 0;
    let higherDelay = 0;
    for (const r of own) {
      const base = results.find(
        (b) => b.controller === manifest.baseline && b.scenario === r.scenario,
      );
      const bm = base ? stat(base, 'meanDelayS') : 0;
      if (bm > 0) ratios.push((100 * stat(r, 'meanDelayS')) / bm);
      const dir = (r.vsBaseline as Record<string, Paired> | undefined)?.meanDelayS?.direction;
      if (dir === 'lower') lowerDelay++;
      if (dir === 'higher') higherDelay++;
    }
    const sum = (path: string) => r4(own.reduce((s, r) => s + stat(r, path), 0));
    return {
      engine,
      rank: 0,
      controller,
      delayIndex: ratios.length > 0 ? r4(mean(ratios)) : 100,
      lowerDelay,
      higherDelay,
      scenarios: own.length,
      overrides: r4(
        own.reduce(
          (s, r) => s + OVERRIDE_KINDS.reduce((t, k) => t + stat(r, `overrides.${k}`), 0),
          0,
        ),
      ),
      missedDeadlines: sum('missedDeadlines'),
      conflictingGreens: sum('conflictingGreens'),
    };
  });
  const order = new Map(manifest.controllers.map((c, i) => [c, i]));
  entries.sort(
    (a, b) => a.delayIndex - b.delayIndex || order.get(a.controller)! - order.get(b.controller)!,
  );
  entries.forEach((e, i) => {
    e.rank = i + 1;
  });
  return entries;
}

/**
 * @example buildScorecard({ manifest, runs }).results[0].metrics.meanDelayS // { mean, ci95, … }
 */
export function buildScorecard(input: BuildInput): ScorecardT {
  const results: Result[] = [];
  const { engines } = input.manifest;
  for (const e of engines)
    for (const c of input.manifest.controllers)
      for (const s of input.manifest.scenarios) {
        const r = result(input, e, c, s.name);
        if (r) results.push(r);
      }
  const ranking = engines.flatMap((e) => rank(input.manifest, results, e));
  return {
    v: 1,
    manifest: input.manifest,
    results,
    ranking,
    ...(input.queueSeries ? { queueSeries: input.queueSeries } : {}),
    ...(engines.length > 1 ? { engineAgreement: engineAgreement(results, ranking, engines) } : {}),
  };
}

/**
 * The scorecard without wall-clock fields (start time, durations, decision latencies): what
 * must be identical when the same command is run again.
 */
export function withoutTiming(card: ScorecardT): unknown {
  const timing = new Set(METRICS.filter((m) => m.timing).map((m) => m.path.split('.')[0]!));
  const dropTiming = (m: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(m).filter(([k]) => !timing.has(k)));
  const { startedAt: _s, wallS: _w, parallel: _p, ...manifest } = card.manifest;
  return {
    ...card,
    manifest,
    results: card.results.map(({ wallS: _r, ...r }) => ({
      ...r,
      metrics: dropTiming(r.metrics as Record<string, unknown>),
      runs: r.runs.map((run) => ({
        ...run,
        metrics: dropTiming(run.metrics as Record<string, unknown>),
      })),
    })),
  };
}
