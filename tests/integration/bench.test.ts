/**
 * `openphase bench` with the built-in controllers, in-process (no broker needed):
 * the acceptance numbers on the bundled scenarios with 5 seeds, zero conflicting greens
 * everywhere, a private scenario shown by name and hash only, and a rerun of the same command
 * giving the same scorecard.json bar its timing fields.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { DEFAULT_SUITE } from '../../bench/plan.ts';
import { createBench } from '../../bench/runner.ts';
import { resolveScenarios, sha256 } from '../../bench/scenarios.ts';
import { withoutTiming } from '../../bench/scorecard.ts';
import type { Result, ScorecardT } from '../../bench/scorecard-schema.ts';
import { disjoint } from '../../bench/stats.ts';
import { main } from '../../cli/main.ts';
import { SCENARIO_DIR } from '../../simulator/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'op-bench-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Stat = { mean: number; ci95: [number, number] };
const delay = (card: ScorecardT, c: string, s: string) =>
  (
    card.results.find((r) => r.controller === c && r.scenario === s)!.metrics as Record<
      string,
      Stat
    >
  ).meanDelayS!;
const runValues = (r: Result, key: string) =>
  r.runs.map((run) => (run.metrics as Record<string, number>)[key]!);

async function bench(o: Partial<Parameters<typeof createBench>[0]>) {
  const b = createBench({
    controllers: [],
    scenarios: [],
    workDir: dir,
    command: ['bench'],
    version: 'test',
    ...o,
  });
  try {
    return await b.start();
  } finally {
    await b.close();
  }
}

describe('acceptance: 5 seeds on the bundled scenarios', () => {
  it('actuated and max-pressure beat fixed-time on the unbalanced and the surge scenarios, intervals apart', async () => {
    // full simulated hour: the surge peaks 30 minutes in
    const card = await bench({
      controllers: ['builtin:fixed-time', 'builtin:actuated', 'builtin:max-pressure'],
      scenarios: resolveScenarios(['four-phase-unbalanced', 'peak-surge']),
      seeds: 5,
      degradation: false,
    });
    expect(card.manifest.seeds).toEqual([1, 2, 3, 4, 5]);
    const lines: string[] = [];
    for (const s of ['four-phase-unbalanced', 'peak-surge']) {
      const fixed = delay(card, 'builtin:fixed-time', s);
      for (const c of ['builtin:actuated', 'builtin:max-pressure']) {
        const d = delay(card, c, s);
        lines.push(`${s} ${c} ${d.mean} [${d.ci95}] vs fixed-time ${fixed.mean} [${fixed.ci95}]`);
        expect(d.mean).toBeLessThan(fixed.mean);
        expect(disjoint(d.ci95, fixed.ci95), lines.at(-1)).toBe(true);
      }
    }
    console.log(lines.join('\n'));
    for (const r of card.results)
      expect(runValues(r, 'conflictingGreens')).toEqual([0, 0, 0, 0, 0]);
  }, 60_000);

  it('no controller ever shows a conflicting green on any bundled scenario (10-minute runs)', async () => {
    const card = await bench({
      controllers: [
        'builtin:fixed-time',
        'builtin:actuated',
        'builtin:max-pressure',
        'builtin:sotl',
      ],
      scenarios: resolveScenarios([...DEFAULT_SUITE]),
      seeds: 5,
      durationS: 600,
    });
    expect(card.results).toHaveLength(4 * DEFAULT_SUITE.length);
    for (const r of card.results) {
      expect(runValues(r, 'conflictingGreens'), `${r.controller} ${r.scenario}`).toEqual([
        0, 0, 0, 0, 0,
      ]);
      expect(runValues(r, 'arrived').every((n) => n > 0)).toBe(true);
    }
    // the fault and surge scenarios carry their degradation from the clean twin
    const faults = card.results.find((r) => r.scenario === 'detector-faults')!;
    expect(faults.degradation).toBeDefined();
    expect(card.manifest.scenarios.find((s) => s.name === 'peak-surge')!.clean).toBe(
      'demand-flattened',
    );
  }, 90_000);
});

describe('the command', () => {
  const priv = join(dir, 'private');
  const secret = parse(readFileSync(join(SCENARIO_DIR, 'detector-faults.yaml'), 'utf8'));
  secret.name = 'secret-junction';
  secret.description = 'Confidential: the 3rd & Main rebuild';
  secret.intersections[0].name = 'Confidential Ave';
  const text = stringify(secret);

  const args = (out: string) => [
    'bench',
    '--controller',
    'builtin:fixed-time',
    '--controller',
    'builtin:max-pressure',
    '--scenario',
    'two-phase',
    '--private',
    priv,
    '--seeds',
    '2',
    '--duration',
    '300',
    '--out',
    out,
  ];

  it('writes a valid scorecard and report, and the same scorecard again bar timing', async () => {
    rmSync(priv, { recursive: true, force: true });
    mkdirSync(priv);
    writeFileSync(join(priv, 'a.yaml'), text);
    expect(await main(args(join(dir, 'one')))).toBe(0);
    expect(await main(args(join(dir, 'two')))).toBe(0);
    const read = (d: string) => JSON.parse(readFileSync(join(dir, d, 'scorecard.json'), 'utf8'));
    const [one, two] = [read('one'), read('two')];
    expect(withoutTiming(two)).toEqual(withoutTiming(one));
    // every setting spelled out; --out is not part of it (where results go changes nothing)
    expect(one.manifest.command).toEqual([
      ...args('x').slice(0, -2),
      '--deadline-ms',
      '1000',
      '--baseline',
      'builtin:actuated',
      '--root',
      'traffic',
      '--engine',
      'openphase',
    ]);

    const schema = JSON.parse(
      readFileSync(
        join(import.meta.dirname, '../../protocol/schemas/scorecard.schema.json'),
        'utf8',
      ),
    );
    const validate = new Ajv2020({ strict: true }).compile(schema);
    expect(validate(one), JSON.stringify(validate.errors)).toBe(true);

    // the private scenario: by name and hash only
    const entry = one.manifest.scenarios.find(
      (s: { name: string }) => s.name === 'secret-junction',
    );
    expect(entry).toEqual({
      name: 'secret-junction',
      sha256: sha256(text),
      source: 'private',
      clean: 'faults-removed',
    });
    const html = readFileSync(join(dir, 'one', 'report.html'), 'utf8');
    const json = readFileSync(join(dir, 'one', 'scorecard.json'), 'utf8');
    for (const page of [html, json]) {
      expect(page).toContain('secret-junction');
      expect(page).not.toContain('Confidential');
      expect(page).not.toContain('a.yaml');
    }
    expect(html).toContain(sha256(text));
    expect(html).toContain('data-chart="delay"');
  }, 60_000);

  it('runs 5 seeds unless told otherwise', async () => {
    const b = createBench({
      controllers: ['builtin:fixed-time'],
      scenarios: resolveScenarios(['two-phase']),
      workDir: dir,
      command: ['bench'],
      version: 'test',
    });
    expect(b.seeds).toEqual([1, 2, 3, 4, 5]);
    expect(b.total).toBe(2 * 5); // the baseline (actuated) is added
    const { command } = await import('../../cli/commands/bench.ts');
    expect(command().opts().seeds).toBe('5');
  });

  it('never charts a private scenario over time', () => {
    mkdirSync(priv, { recursive: true });
    writeFileSync(join(priv, 'a.yaml'), text);
    const scenarios = resolveScenarios(['two-phase'], [priv]);
    const make = (queueScenario: string) =>
      createBench({
        controllers: ['builtin:fixed-time'],
        scenarios,
        queueScenario,
        workDir: dir,
        command: ['bench'],
        version: 'test',
      });
    expect(() => make('secret-junction')).toThrow(/is private/);
    expect(() => make('two-phase')).not.toThrow();
  });

  it('refuses one seed, an unknown controller, and a bad scenario with exit codes', async () => {
    const errors: string[] = [];
    const orig = console.error;
    console.error = (...a: unknown[]) => errors.push(a.join(' '));
    try {
      expect(await main(['bench', '--seeds', '1', '--out', join(dir, 'x')])).toBe(1);
      expect(await main(['bench', '--controller', 'builtin:nope', '--out', join(dir, 'x')])).toBe(
        1,
      );
      writeFileSync(join(dir, 'bad.yaml'), 'name: bad\nseed: 1\n');
      expect(
        await main(['bench', '--scenario', join(dir, 'bad.yaml'), '--out', join(dir, 'x')]),
      ).toBe(2);
    } finally {
      console.error = orig;
    }
    expect(errors.join('\n')).toMatch(/at least 2/);
    expect(errors.join('\n')).toMatch(/unknown built-in controller 'builtin:nope'/);
    expect(errors.join('\n')).toMatch(/bad\.yaml is not valid/);
  });
});
