/**
 * Engines compared and the sensitivity line (bench/agreement.ts, bench/report/engines.ts): pair
 * orders per engine, "clearly opposite" only when both intervals exclude zero, Kendall's tau-b,
 * and what the report shows — in English and in French.
 */
import { describe, expect, it } from 'vitest';
import { kendallTauB, sensitivity } from '../../bench/agreement.ts';
import { enginesSection, sensitivitySection } from '../../bench/report/engines.ts';
import { renderReport } from '../../bench/report/html.ts';
import { buildScorecard, type RunRecord } from '../../bench/scorecard.ts';
import { checkScorecard } from '../../bench/validate.ts';
import { manifest, metrics } from './bench-fixtures.ts';

/** Delays per (engine, controller): base + seed wobble; the same seeds everywhere. */
function twoEngineRuns(
  delays: Record<string, Record<string, number>>,
  scenario = 'steady',
): RunRecord[] {
  const out: RunRecord[] = [];
  for (const [engine, byController] of Object.entries(delays))
    for (const [controller, d] of Object.entries(byController))
      for (const seed of [1, 2, 3])
        out.push({
          engine,
          controller,
          scenario,
          variant: 'main',
          seed,
          wallS: 0.1,
          metrics: metrics(d + (seed % 2) * 0.5),
        });
  return out;
}

const controllers = ['builtin:actuated', 'builtin:fixed-time', 'builtin:max-pressure'];
const m = manifest({
  controllers,
  engines: ['openphase', 'sumo'],
  scenarios: [
    { name: 'steady', sha256: 'a'.repeat(64), source: 'bundled', durationS: 600, intersections: 1 },
  ],
});

describe('engines compared', () => {
  it("Kendall's tau-b: same order 1, reversed −1, ties counted as tau-b does", () => {
    expect(kendallTauB([1, 2, 3], [10, 20, 30])).toBe(1);
    expect(kendallTauB([1, 2, 3], [3, 2, 1])).toBe(-1);
    // 5 concordant, 1 tied in x: 5 / sqrt(6 × 5)
    expect(kendallTauB([1, 2, 2, 3], [1, 2, 3, 4])).toBeCloseTo(5 / Math.sqrt(30), 4);
    expect(kendallTauB([1], [1])).toBeNull();
  });

  it('marks the pairs whose order differs, clearly opposite only when both are clear', () => {
    // max-pressure beats actuated clearly on openphase and loses clearly on sumo; fixed-time
    // stays last on both
    const card = buildScorecard({
      manifest: m,
      runs: twoEngineRuns({
        openphase: { 'builtin:actuated': 20, 'builtin:fixed-time': 30, 'builtin:max-pressure': 15 },
        sumo: { 'builtin:actuated': 22, 'builtin:fixed-time': 35, 'builtin:max-pressure': 26 },
      }),
    });
    expect(checkScorecard(card)).toBe(card);
    expect(card.results.map((r) => r.engine)).toEqual([
      ...Array(3).fill('openphase'),
      ...Array(3).fill('sumo'),
    ]);
    expect(card.ranking.filter((r) => r.engine === 'sumo').map((r) => r.controller)).toEqual([
      'builtin:actuated',
      'builtin:max-pressure',
      'builtin:fixed-time',
    ]);
    const ag = card.engineAgreement!;
    const steady = ag.pairs.filter((p) => p.scenario === 'steady');
    const mp = steady.find((p) => p.a === 'builtin:actuated' && p.b === 'builtin:max-pressure')!;
    expect(mp.order).toEqual({ openphase: 'b', sumo: 'a' });
    expect(mp.clearlyOpposite).toBe(true);
    expect(steady.filter((p) => p.differs)).toHaveLength(1);
    const overall = ag.pairs.filter((p) => p.scenario === null);
    expect(overall.filter((p) => p.differs).map((p) => `${p.a}/${p.b}`)).toEqual([
      'builtin:actuated/builtin:max-pressure',
    ]);
    expect(ag.byEngine).toEqual([
      {
        engine: 'sumo',
        kendallTau: kendallTauB([20.1667, 30.1667, 15.1667], [22.1667, 35.1667, 26.1667]),
        pairsDiffering: 1,
        clearlyOpposite: 1,
      },
    ]);

    const html = renderReport(card);
    expect(html).toContain('data-section="engines"');
    const section = enginesSection(card);
    // both rankings side by side, the controller that moved marked, the differing pair marked
    expect(section).toMatch(/<th colspan="2">OpenPhase<\/th><th colspan="2">SUMO<\/th>/);
    // actuated and max-pressure swap places: marked in both columns
    expect(section.match(/data-moved="true"/g)).toHaveLength(4);
    expect(section.match(/data-differs="true"/g)).toHaveLength(2);
    expect(section).toContain('clearly opposite');
    // the other sections read the reference engine only
    const delayTable = html.split('data-table="delay"')[1]!.split('</table>')[0]!;
    expect(delayTable.match(/<tr><td><b>/g)).toHaveLength(3);
    expect(enginesSection(card, 'fr')).toContain('nettement opposé');
  });

  it("names scenarios and engines for a reader, numbers the language's way", () => {
    const card = buildScorecard({
      manifest: {
        ...m,
        scenarios: [{ ...m.scenarios[0]!, name: 'peak-surge' }],
      },
      runs: twoEngineRuns(
        {
          openphase: {
            'builtin:actuated': 20,
            'builtin:fixed-time': 30.3,
            'builtin:max-pressure': 15,
          },
          sumo: { 'builtin:actuated': 22, 'builtin:fixed-time': 35, 'builtin:max-pressure': 26 },
        },
        'peak-surge',
      ),
    });
    const fr = enginesSection(card, 'fr');
    expect(fr).toContain('data-scenario="peak-surge"><td>');
    expect(fr).toContain('un carrefour pendant une pointe marquée');
    expect(fr).not.toMatch(/<td style="text-align:left">peak-surge</);
    expect(fr).toContain('Régulation sur détecteurs (intégrée)');
    expect(fr).toMatch(/τ de Kendall entre OpenPhase et SUMO [^<]*: 0,\d\d/);
    const en = enginesSection(card, 'en');
    expect(en).toMatch(/Kendall's τ between OpenPhase and SUMO [^<]*: 0\.\d\d/);
    expect(en).not.toMatch(/<td style="text-align:left">peak-surge</);
  });

  it('a single engine: no engines section, and the sensitivity line says it was not checked', () => {
    const one = buildScorecard({
      manifest: { ...m, engines: ['openphase'] },
      runs: twoEngineRuns({
        openphase: { 'builtin:actuated': 20, 'builtin:fixed-time': 30, 'builtin:max-pressure': 15 },
      }),
    });
    expect(one.engineAgreement).toBeUndefined();
    expect(enginesSection(one)).toBe('');
    expect(sensitivitySection(one)).toContain('data-note="sensitivity-not-run"');
  });

  it('sensitivity: a verdict hinges when a clear order does not hold at another value', () => {
    const at = (d: Record<string, number>) =>
      buildScorecard({
        manifest: { ...m, engines: ['openphase'] },
        runs: twoEngineRuns({ openphase: d }),
      }).results;
    const s = sensitivity('drivers.yellowUsedS', 'openphase', [
      {
        value: 0,
        results: at({
          'builtin:actuated': 20,
          'builtin:fixed-time': 30,
          'builtin:max-pressure': 25,
        }),
      },
      {
        value: 2,
        results: at({
          'builtin:actuated': 20,
          'builtin:fixed-time': 30,
          'builtin:max-pressure': 15,
        }),
      },
      {
        value: 3,
        results: at({
          'builtin:actuated': 20,
          'builtin:fixed-time': 30,
          'builtin:max-pressure': 14,
        }),
      },
    ]);
    expect(s.values).toEqual([0, 2, 3]);
    expect(s.hinges).toBe(1);
    const hinge = s.pairs.find((p) => p.differs)!;
    expect([hinge.a, hinge.b]).toEqual(['builtin:actuated', 'builtin:max-pressure']);
    expect(hinge.order).toEqual({ '0': 'a', '2': 'b', '3': 'b' });
    const card = {
      ...buildScorecard({
        manifest: { ...m, engines: ['openphase'] },
        runs: twoEngineRuns({ openphase: { 'builtin:actuated': 20 } }),
      }),
      sensitivity: s,
    };
    const html = sensitivitySection(checkScorecard(card));
    expect(html).toContain('1 verdict hinges on this modelling choice');
    expect(html).toContain('at 0 s');
    expect(sensitivitySection(card, 'fr')).toContain(
      '1 verdict dépend de ce choix de modélisation',
    );
  });
});
