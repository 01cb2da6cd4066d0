/**
 * A scenario's `seed` is optional: `--seed` (or the caller's seed) is enough, and a scenario
 * with neither runs on the documented default (issue 17.17).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../loop/index.ts';
import { DEFAULT_SEED } from '../../protocol/index.ts';
import { parseScenarioText, SCENARIO_DIR } from '../../simulator/index.ts';

const withSeed = readFileSync(join(SCENARIO_DIR, 'two-phase.yaml'), 'utf8');
const withoutSeed = withSeed.replace(/^seed: \d+\n/m, '');
const run = (text: string, seed?: number) =>
  runScenario(parseScenarioText(text), {
    controller: 'builtin:fixed-time',
    durationS: 300,
    ...(seed !== undefined ? { seed } : {}),
  }).metrics;

describe('scenario seed', () => {
  it('may be left out of the file', () => {
    expect(withoutSeed).not.toMatch(/^seed:/m);
    expect(parseScenarioText(withoutSeed).seed).toBeUndefined();
  });

  it('comes from the caller when the file has none', () => {
    expect(run(withoutSeed, 3)).toEqual(run(withSeed, 3));
  });

  it('defaults to DEFAULT_SEED when neither gives one', () => {
    expect(run(withoutSeed)).toEqual(run(withSeed, DEFAULT_SEED));
  });
});
