/**
 * The sensitivity reruns (shell): every built-in controller on every scenario and seed again,
 * on OpenPhase's engine, with the yellow drivers use at each end of its field range; then
 * which pairs of controllers keep their order (agreement.ts). The clean twins are not rerun.
 */
import { driversOf, type Scenario } from '../protocol/index.ts';
import { MIN_YELLOW_S } from '../signal/index.ts';
import { sensitivity } from './agreement.ts';
import { DEFAULT_ENGINE } from './engine-names.ts';
import { type BenchOptions, createBench } from './runner.ts';
import type { Result, Sensitivity } from './scorecard-schema.ts';

/** Field range of drivers.yellowUsedS: stopping at the onset of yellow … using all 3 s of it. */
export const YELLOW_USED_RANGE_S = [0, 3] as const;

const withYellowUsed = (s: Scenario, yellowUsedS: number): Scenario => ({
  ...s,
  drivers: { ...s.drivers, yellowUsedS },
});

/**
 * `main`: the results of the bench itself, the middle value when all scenarios share it.
 * @example card.sensitivity = await runSensitivity(benchOptions, card.results)
 */
export async function runSensitivity(
  o: BenchOptions,
  main: readonly Result[],
  values: readonly number[] = YELLOW_USED_RANGE_S,
): Promise<Sensitivity> {
  const controllers = o.controllers.filter((c) => c.startsWith('builtin:'));
  const runsAt: { value: number; results: readonly Result[] }[] = [];
  // The main runs join as the middle value when every scenario used the same yellow
  const used = new Set(
    o.scenarios.flatMap((s) =>
      s.scenario.intersections.map(
        (c) => driversOf(s.scenario, Math.max(c.yellowS, MIN_YELLOW_S)).yellowUsedS,
      ),
    ),
  );
  const mid = used.size === 1 ? [...used][0]! : undefined;
  for (const value of values) {
    if (mid !== undefined && value > mid && !runsAt.some((r) => r.value === mid))
      runsAt.push({ value: mid, results: main.filter((r) => r.engine === DEFAULT_ENGINE) });
    if (value === mid) continue;
    const bench = createBench({
      ...o,
      controllers,
      engines: [DEFAULT_ENGINE],
      degradation: false,
      scenarios: o.scenarios.map((s) => ({ ...s, scenario: withYellowUsed(s.scenario, value) })),
    });
    const card = await bench.start().finally(() => bench.close());
    runsAt.push({ value, results: card.results });
  }
  if (mid !== undefined && !runsAt.some((r) => r.value === mid))
    runsAt.push({ value: mid, results: main.filter((r) => r.engine === DEFAULT_ENGINE) });
  return sensitivity('drivers.yellowUsedS', DEFAULT_ENGINE, runsAt);
}
