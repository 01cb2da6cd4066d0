/**
 * Do two ways of simulating rank the controllers the same way? (pure) For every pair of
 * controllers on every scenario: the order of their mean delays on each side (an engine, or a
 * value of a modelling convention), whether the paired 95 % interval of their difference
 * excludes 0 there, and whether the sides disagree — clearly (opposite orders, both intervals
 * excluding 0) or not. Plus Kendall's tau-b between two engines' mean delays.
 */
import type {
  EngineAgreement,
  PairOrder,
  RankingEntry,
  Result,
  Sensitivity,
} from './scorecard-schema.ts';
import { paired, r4 } from './stats.ts';

type Order = PairOrder['order'][string];

const meanDelay = (r: Result) => (r.metrics as { meanDelayS: { mean: number } }).meanDelayS.mean;
const runDelays = (r: Result) =>
  r.runs.map((x) => (x.metrics as { meanDelayS: number }).meanDelayS);

const orderOf = (a: number, b: number): Order => (a < b ? 'a' : a > b ? 'b' : 'tie');

/** Kendall's tau-b of paired samples (ties handled); null with fewer than 2 pairs. */
export function kendallTauB(x: readonly number[], y: readonly number[]): number | null {
  if (x.length !== y.length) throw new Error('kendall tau needs samples of the same length');
  let concordant = 0;
  let discordant = 0;
  let tiesX = 0;
  let tiesY = 0;
  for (let i = 0; i < x.length; i++)
    for (let j = i + 1; j < x.length; j++) {
      const dx = Math.sign(x[i]! - x[j]!);
      const dy = Math.sign(y[i]! - y[j]!);
      if (dx === 0 && dy === 0) continue;
      if (dx === 0) tiesX++;
      else if (dy === 0) tiesY++;
      else if (dx === dy) concordant++;
      else discordant++;
    }
  const n0 = concordant + discordant;
  const denom = Math.sqrt((n0 + tiesX) * (n0 + tiesY));
  return denom === 0 ? null : r4((concordant - discordant) / denom);
}

/** Verdict of one pair across sides: differs, and clearly opposite. */
function verdict(order: Record<string, Order>, clear?: Record<string, boolean>) {
  const sides = Object.keys(order);
  const strict = sides.filter((k) => order[k] !== 'tie');
  const differs = new Set(sides.map((k) => order[k])).size > 1;
  const clearA = strict.some((k) => order[k] === 'a' && clear?.[k]);
  const clearB = strict.some((k) => order[k] === 'b' && clear?.[k]);
  return { differs, clearlyOpposite: clearA && clearB };
}

/**
 * Pair orders per scenario over several sides (each: a key and its results), controllers in
 * the order given; a pair is compared only on scenarios every side ran for both.
 */
export function scenarioPairs(
  sides: readonly { key: string; results: readonly Result[] }[],
  controllers: readonly string[],
  scenarios: readonly string[],
): PairOrder[] {
  const out: PairOrder[] = [];
  for (const scenario of scenarios)
    for (let i = 0; i < controllers.length; i++)
      for (let j = i + 1; j < controllers.length; j++) {
        const a = controllers[i]!;
        const b = controllers[j]!;
        const order: Record<string, Order> = {};
        const clear: Record<string, boolean> = {};
        let complete = true;
        for (const side of sides) {
          const ra = side.results.find((r) => r.controller === a && r.scenario === scenario);
          const rb = side.results.find((r) => r.controller === b && r.scenario === scenario);
          if (!ra || !rb) {
            complete = false;
            break;
          }
          order[side.key] = orderOf(meanDelay(ra), meanDelay(rb));
          const xa = runDelays(ra);
          const xb = runDelays(rb);
          clear[side.key] =
            xa.length === xb.length && xa.length >= 2 && paired(xa, xb).direction !== 'same';
        }
        if (!complete) continue;
        out.push({ scenario, a, b, order, clear, ...verdict(order, clear) });
      }
  return out;
}

/** Pair orders in the overall rankings (delay index), one ranking per side. */
export function rankingPairs(
  sides: readonly { key: string; ranking: readonly RankingEntry[] }[],
  controllers: readonly string[],
): PairOrder[] {
  const out: PairOrder[] = [];
  for (let i = 0; i < controllers.length; i++)
    for (let j = i + 1; j < controllers.length; j++) {
      const a = controllers[i]!;
      const b = controllers[j]!;
      const order: Record<string, Order> = {};
      for (const side of sides) {
        const ea = side.ranking.find((e) => e.controller === a);
        const eb = side.ranking.find((e) => e.controller === b);
        if (ea && eb) order[side.key] = orderOf(ea.delayIndex, eb.delayIndex);
      }
      if (Object.keys(order).length < sides.length) continue;
      out.push({ scenario: null, a, b, order, ...verdict(order) });
    }
  return out;
}

/** The engines compared with the first: pair orders, per-engine counts and Kendall's tau. */
export function engineAgreement(
  results: readonly Result[],
  ranking: readonly RankingEntry[],
  engines: readonly string[],
): EngineAgreement {
  const controllers = [...new Set(results.map((r) => r.controller))];
  const scenarios = [...new Set(results.map((r) => r.scenario))];
  const of = (e: string) => results.filter((r) => r.engine === e);
  const sides = engines.map((e) => ({ key: e, results: of(e) }));
  const pairs = [
    ...rankingPairs(
      engines.map((e) => ({ key: e, ranking: ranking.filter((r) => r.engine === e) })),
      controllers,
    ),
    ...scenarioPairs(sides, controllers, scenarios),
  ];
  const reference = engines[0]!;
  const byEngine = engines.slice(1).map((engine) => {
    const x: number[] = [];
    const y: number[] = [];
    for (const r of of(reference)) {
      const o = results.find(
        (q) => q.engine === engine && q.controller === r.controller && q.scenario === r.scenario,
      );
      if (!o) continue;
      x.push(meanDelay(r));
      y.push(meanDelay(o));
    }
    const two = scenarioPairs(
      [sides[0]!, sides.find((s) => s.key === engine)!],
      controllers,
      scenarios,
    );
    return {
      engine,
      kendallTau: kendallTauB(x, y),
      pairsDiffering: two.filter((p) => p.differs).length,
      clearlyOpposite: two.filter((p) => p.clearlyOpposite).length,
    };
  });
  return { reference, byEngine, pairs };
}

/**
 * Whether each pair's order holds when a convention moves to the ends of its range: the
 * results of the runs at each value (same controllers, scenarios and seeds).
 */
export function sensitivity(
  parameter: string,
  engine: string,
  runsAt: readonly { value: number; results: readonly Result[] }[],
): Sensitivity {
  const controllers = [...new Set(runsAt.flatMap((v) => v.results.map((r) => r.controller)))];
  const scenarios = [...new Set(runsAt.flatMap((v) => v.results.map((r) => r.scenario)))];
  const pairs = scenarioPairs(
    runsAt.map((v) => ({ key: String(v.value), results: v.results })),
    controllers,
    scenarios,
  );
  return {
    parameter,
    engine,
    values: runsAt.map((v) => v.value),
    pairs,
    // a verdict hinges when some value gives a clear order that another value does not keep
    hinges: pairs.filter((p) => p.differs && Object.values(p.clear ?? {}).some((c) => c)).length,
  };
}
