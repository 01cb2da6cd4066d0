/**
 * The scorecard from runs: statistics per controller × scenario, pairing with the baseline,
 * degradation from the clean twin, ranking; validated by our schema and by an independent
 * 2020-12 validator (Ajv) against the published file, which must match its TypeBox source.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { buildScorecard, withoutTiming } from '../../bench/scorecard.ts';
import { Scorecard } from '../../bench/scorecard-schema.ts';
import { checkScorecard, scorecardProblems } from '../../bench/validate.ts';
import { renderSchema } from '../../protocol/published.ts';
import { manifest, runs } from './bench-fixtures.ts';

const schemaFile = join(import.meta.dirname, '../../protocol/schemas/scorecard.schema.json');

describe('buildScorecard', () => {
  const card = buildScorecard({ manifest: manifest(), runs: runs() });
  const get = (c: string, s: string) =>
    card.results.find((r) => r.controller === c && r.scenario === s)!;
  const m = (r: ReturnType<typeof get>) =>
    r.metrics as Record<string, { mean: number; ci95: number[] }>;

  it('gives every metric a mean and a Student-t interval over the seeds', () => {
    const r = get('builtin:fixed-time', 'steady');
    expect(r.seeds).toEqual([1, 2, 3]);
    expect(m(r).meanDelayS!.mean).toBe(32);
    // s = 1, t(0.975, 2) = 4.303, half width 4.303 / √3 = 2.4843
    expect(m(r).meanDelayS!.ci95[0]).toBeCloseTo(29.5157, 3);
    expect(r.runs.map((x) => (x.metrics as { meanDelayS: number }).meanDelayS)).toEqual([
      31, 32, 33,
    ]);
    const overrides = (
      get('mqtt:acme', 'steady').metrics as Record<string, Record<string, { mean: number }>>
    ).overrides!;
    expect(overrides.unknownPhase!.mean).toBe(2);
    expect(overrides.watchdog!.mean).toBe(1);
  });

  it('pairs each controller with the baseline seed by seed; the baseline has no pairing', () => {
    expect(get('builtin:actuated', 'steady').vsBaseline).toBeUndefined();
    const v = get('builtin:fixed-time', 'steady').vsBaseline as Record<
      string,
      { direction: string; relative: number }
    >;
    expect(v.meanDelayS!.direction).toBe('higher');
    expect(v.meanDelayS!.relative).toBeCloseTo(10 / 22, 4);
    const a = get('mqtt:acme', 'steady').vsBaseline as Record<string, { direction: string }>;
    expect(a.meanDelayS!.direction).toBe('lower');
  });

  it('measures the degradation from the clean twin', () => {
    const d = get('builtin:actuated', 'faulty').degradation!;
    const change = d.change as Record<string, { diff: { mean: number }; direction: string }>;
    expect(change.meanDelayS!.diff.mean).toBe(4);
    expect(change.meanDelayS!.direction).toBe('higher');
    expect(get('builtin:actuated', 'steady').degradation).toBeUndefined();
  });

  it('ranks by delay relative to the baseline and totals safety figures', () => {
    expect(card.ranking.map((r) => r.controller)).toEqual([
      'mqtt:acme',
      'builtin:actuated',
      'builtin:fixed-time',
    ]);
    const acme = card.ranking[0]!;
    expect(acme.rank).toBe(1);
    expect(acme.lowerDelay).toBe(2);
    expect(acme.delayIndex).toBeLessThan(100);
    expect(acme.overrides).toBe(2 * (3 + 2 + 1));
    expect(acme.missedDeadlines).toBe(40);
    expect(card.ranking[1]!.delayIndex).toBe(100);
  });

  it('validates against its schema and the published file (Ajv, strict 2020-12)', () => {
    expect(scorecardProblems(card)).toEqual([]);
    expect(readFileSync(schemaFile, 'utf8')).toBe(renderSchema(Scorecard));
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(schemaFile, 'utf8')));
    const plain = JSON.parse(JSON.stringify(card));
    expect(validate(plain), JSON.stringify(validate.errors)).toBe(true);
    // and refuses a broken one
    expect(validate({ ...plain, results: [{ ...plain.results[0], metrics: {} }] })).toBe(false);
    expect(() => checkScorecard({ ...plain, v: 2 })).toThrow(/not a valid scorecard/);
  });

  it('without timing: no start time, durations or decision latencies, the rest intact', () => {
    const t = withoutTiming(card) as {
      manifest: Record<string, unknown>;
      results: Record<string, unknown>[];
    };
    expect(t.manifest.startedAt).toBeUndefined();
    expect(t.manifest.wallS).toBeUndefined();
    expect(t.results[0]!.wallS).toBeUndefined();
    expect((t.results[0]!.metrics as Record<string, unknown>).decisionLatencyMs).toBeUndefined();
    expect((t.results[0]!.metrics as Record<string, unknown>).meanDelayS).toBeDefined();
    const other = buildScorecard({
      manifest: manifest({ startedAt: '2027-05-05T00:00:00.000Z', wallS: 99 }),
      runs: runs().map((r) => ({
        ...r,
        wallS: 7,
        metrics: { ...r.metrics, decisionLatencyMs: { p50: 9, p99: 9 } },
      })),
    });
    expect(withoutTiming(other)).toEqual(withoutTiming(card));
    expect(other).not.toEqual(card);
  });
});
