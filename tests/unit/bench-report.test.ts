/**
 * report.html from a scorecard: the plain-language summary, every chart, private scenarios by
 * name and hash only, everything escaped, nothing loaded from anywhere.
 */
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../bench/report/html.ts';
import { headline, summaryLines } from '../../bench/report/summary.ts';
import { niceTicks, wrap } from '../../bench/report/svg.ts';
import { buildScorecard } from '../../bench/scorecard.ts';
import { originSummary } from '../../store-scenario/origin.ts';
import { manifest, runs } from './bench-fixtures.ts';

const card = buildScorecard({
  manifest: manifest({
    scenarios: [
      {
        name: 'steady',
        sha256: 'a'.repeat(64),
        source: 'bundled',
        durationS: 600,
        intersections: 1,
        description: 'Steady <script>alert("x")</script> traffic & more',
      },
      { name: 'faulty', sha256: 'b'.repeat(64), source: 'private', clean: 'faults-removed' },
    ],
  }),
  runs: runs(),
  queueSeries: {
    scenario: 'steady',
    seed: 1,
    tS: [10, 20, 30],
    byController: {
      'builtin:actuated': [1, 3, 2],
      'builtin:fixed-time': [2, 5, 4],
      'mqtt:acme': [1, 1, 1],
    },
  },
});
const html = renderReport(card);

describe('summary in plain words', () => {
  it('says, per controller, how it compares, its safety interventions and misses', () => {
    const lines = Object.fromEntries(summaryLines(card).map((l) => [l.controller, l.text]));
    expect(lines['mqtt:acme']).toMatch(
      /^\d+% less delay than the reference on average; clearly less delay on 2 of 2 scenarios/,
    );
    expect(lines['mqtt:acme']).toContain(
      '36 safety interventions (green cut before its minimum: 18, phase that does not exist: 12, controller silent (fallback plan): 6) in 6 runs',
    );
    expect(lines['mqtt:acme']).toContain('120 missed deadlines');
    expect(lines['mqtt:acme']).toMatch(/detector faults \(faulty\): its delay \d+% higher/);
    expect(lines['builtin:fixed-time']).toMatch(
      /more delay than the reference on average; clearly more delay on 2 of 2 scenarios, clearly less on none/,
    );
    expect(lines['builtin:fixed-time']).toContain('no safety interventions; no missed deadlines');
    expect(lines['builtin:actuated']).toContain('the reference controller');
    expect(headline(card)).toMatch(
      /^Vendor controller acme had the least delay: \d+% less than the reference controller, Actuated \(built-in\),/,
    );
    expect(headline(card)).toContain(
      'No run ever showed two conflicting movements green together.',
    );
  });

  it('puts the summary first', () => {
    expect(html.indexOf('data-section="summary"')).toBeLessThan(html.indexOf('<h2>Ranking'));
    // in seconds and plain words, before anything else
    expect(html).toMatch(
      /<li>In the test case “steady”, vehicles waited on average \d+ s with Vendor controller acme, \d+ s with Actuated \(built-in\), and \d+ s with Fixed-time plan \(built-in\)\.<\/li>/,
    );
    expect(html).toContain('120 missed deadlines');
  });
});

describe('the page', () => {
  it('draws every chart as inline SVG', () => {
    for (const id of ['delay', 'queue', 'safety', 'deadlines', 'degradation-faulty'])
      expect(html).toContain(`data-chart="${id}"`);
    // one bar with an error bar per controller × scenario
    expect(
      html.match(/<rect class="bar"[^>]*data-series="Vendor controller acme"[^>]*data-scenario/g)
        ?.length,
    ).toBe(2);
    expect(html.match(/class="err"/g)!.length).toBeGreaterThanOrEqual(6);
    expect(html.match(/<path class="line"/g)?.length).toBe(3);
  });

  it('loads nothing: no script, no external URL, a CSP that forbids both', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)=/i);
    expect(html.replaceAll('http://www.w3.org/2000/svg', '')).not.toMatch(/https?:\/\//);
    expect(html).toContain("default-src 'none'");
  });

  it('escapes scenario text', () => {
    expect(html).toContain(
      'Steady &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; traffic &amp; more',
    );
  });

  it('names the origin of a scenario built from stored data, under it, in the reader’s language', () => {
    const origin = {
      intersections: ['a', 'b', 'c', 'd'],
      intersectionCount: 9,
      days: ['2026-03-03'],
      hours: '06:00-10:00',
      timeZone: 'UTC',
      coverage: 0.944,
      filledGaps: 12,
    };
    const withOrigin = {
      ...card,
      manifest: {
        ...card.manifest,
        scenarios: card.manifest.scenarios.map((s) => (s.name === 'steady' ? { ...s, origin } : s)),
      },
    };
    const row = (lang: 'en' | 'fr') =>
      renderReport(withOrigin, { lang }).match(/<tr data-own="true">.*?<\/tr>/)![0];
    expect(row('en')).toContain(
      '<span class="muted" data-origin>Origin: stored counts of a, b, c, d and 5 more; 2026-03-03, 06:00-10:00 (UTC); 94% of detector time covered; 12 gaps filled from other days</span>',
    );
    expect(row('fr')).toMatch(
      /data-origin>Origine\u202f?\s?: comptages enregistrés de a, b, c, d et 5 autres/,
    );
    expect(html).not.toContain('data-origin');
  });

  it('shows a private scenario by name and hash only', () => {
    const row = html.match(/<tr><td>faulty<\/td>.*?<\/tr>/)![0];
    expect(row).toContain('b'.repeat(64));
    expect(row).toContain('private');
    expect(row).not.toMatch(/intersection|min\)/);
  });
});

describe('what a reader could misread', () => {
  it('says "no clear difference" when a fault or surge changed nothing beyond chance', () => {
    const flat = buildScorecard({
      manifest: manifest({
        scenarios: [
          { name: 'faulty', sha256: 'b'.repeat(64), source: 'private', clean: 'faults-removed' },
        ],
      }),
      // the clean twin gives exactly the same numbers: the faults cost nothing
      runs: runs()
        .filter((r) => r.scenario === 'faulty' && r.variant === 'main')
        .flatMap((r) => [r, { ...r, variant: 'clean' as const }]),
    });
    for (const l of summaryLines(flat))
      expect(l.text).toContain('detector faults (faulty): no clear difference to its delay');
    expect(renderReport(flat)).toContain('+0% <span class="muted">(no clear difference)</span>');
  });

  it('says when a difference from the baseline is within chance on every scenario', () => {
    // fixed-time 10 s worse on seed 1, 8 s better on seed 2, 10 s worse on seed 3: a mean of
    // +4 s whose paired interval includes zero
    const noisy = buildScorecard({
      manifest: manifest({
        scenarios: [
          {
            name: 'steady',
            sha256: 'a'.repeat(64),
            source: 'bundled',
            durationS: 600,
            intersections: 1,
          },
        ],
      }),
      runs: runs()
        .filter((r) => r.scenario === 'steady')
        .map((r) =>
          r.controller === 'builtin:fixed-time'
            ? {
                ...r,
                metrics: { ...r.metrics, meanDelayS: 20 + r.seed + [10, -8, 10][r.seed - 1]! },
              }
            : r,
        ),
    });
    const fixed = summaryLines(noisy).find((l) => l.controller === 'builtin:fixed-time')!;
    expect(fixed.text).toMatch(
      /^\d+% more delay than the reference on average, but no clear difference on any of the 1 scenario: within what chance gives over these seeds;/,
    );
  });

  it('leaves out empty safety charts, and dashes a queue line that hides another', () => {
    const calm = buildScorecard({
      manifest: manifest({
        scenarios: [
          {
            name: 'steady',
            sha256: 'a'.repeat(64),
            source: 'bundled',
            durationS: 600,
            intersections: 1,
          },
        ],
      }),
      runs: runs()
        .filter((r) => r.scenario === 'steady')
        .map((r) => ({
          ...r,
          metrics: {
            ...r.metrics,
            missedDeadlines: 0,
            overrides: { minGreen: 0, maxGreen: 0, unknownPhase: 0, conflict: 0, watchdog: 0 },
          },
        })),
      queueSeries: {
        scenario: 'steady',
        seed: 1,
        tS: [10, 20],
        byController: { 'builtin:actuated': [1, 2], 'mqtt:acme': [1, 2] },
      },
    });
    const page = renderReport(calm);
    expect(page).not.toContain('data-chart="safety"');
    expect(page).not.toContain('data-chart="deadlines"');
    expect(page).toContain('No controller triggered any safety intervention.');
    expect(page).toContain('No controller missed a deadline.');
    expect(page.match(/<path class="line"[^>]*stroke-dasharray/g)).toHaveLength(1);
    expect(page).toContain(
      'Vendor controller acme is identical to Actuated (built-in) (dashed on top of it)',
    );
  });
});

describe('for a council, in its language', () => {
  const named = buildScorecard({
    manifest: {
      ...manifest({
        scenarios: [
          {
            name: 'peak-surge',
            sha256: 'a'.repeat(64),
            source: 'bundled',
            durationS: 600,
            intersections: 1,
            description: 'English text from the YAML file',
          },
          {
            name: 'faulty',
            sha256: 'b'.repeat(64),
            source: 'file',
            durationS: 600,
            intersections: 2,
            // built from the city's stored counts (scenario from-store)
            origin: {
              intersections: ['Avenue Jean-Jaurès × rue de la République'],
              intersectionCount: 1,
              days: ['2026-03-03'],
              hours: '17:00-19:00',
              timeZone: 'Europe/Paris',
              coverage: 0.97,
              filledGaps: 0,
            },
          },
        ],
      }),
      labels: { 'mqtt:acme': 'Acme SmartSignal 2.1' },
    },
    runs: runs().map((r) => ({
      ...r,
      scenario: r.scenario === 'steady' ? 'peak-surge' : r.scenario,
    })),
  });
  const fr = renderReport(named, { lang: 'fr' });
  const en = renderReport(named, { lang: 'en' });
  const text = (page: string) =>
    page
      .replace(/<style>[\s\S]*?<\/style>/, '')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ');

  it('tells the city’s own scenario first, in seconds and plain words', () => {
    const plain = fr.match(/<ul class="plain"[^>]*>(.*?)<\/ul>/)![1]!;
    expect(plain).toMatch(
      /^<li>Dans vos rues \(Avenue Jean-Jaurès × rue de la République, 17:00–19:00, 3 mars 2026\), les véhicules ont attendu en moyenne \d+ s avec Acme SmartSignal 2\.1, \d+ s avec Régulation sur détecteurs \(intégrée\) et \d+ s avec Plan de feux fixe \(intégré\)\.<\/li><li>Dans le cas d’essai «\u202fun carrefour pendant une pointe marquée\u202f»/,
    );
    expect(en).toContain(
      '<li>On your streets (Avenue Jean-Jaurès × rue de la République, 17:00–19:00, 3 March 2026), vehicles waited on average',
    );
    expect(en.indexOf('data-own="true"')).toBeLessThan(en.indexOf('data-own="false"'));
  });

  it('uses display names, never the code names, outside the table that maps them', () => {
    for (const page of [fr, en]) {
      const [before, after] = text(page).split(/How to rerun this|Comment refaire cet essai/);
      expect(before).not.toMatch(/mqtt:acme|builtin:/);
      expect(after).toContain('mqtt:acme');
    }
    expect(text(fr)).toContain('Acme SmartSignal 2.1 a causé le moins de retard');
  });

  it('writes the French page in French: numbers, words, glossary', () => {
    expect(fr).toContain('<html lang="fr">');
    expect(fr).toMatch(/\d+,\d/); // a decimal comma
    expect(fr).not.toMatch(/>\s*\d+\.\d+ s\b/);
    expect(fr).toContain('data-section="glossary"');
    expect(fr).toContain('<dfn data-term="delayIndex"');
    expect(text(fr)).toContain('intervalle de confiance');
    expect(text(fr)).not.toContain('English text from the YAML file');
    expect(text(fr)).not.toMatch(/\b(the|with|delay|seeds?|runs?)\b/);
  });

  it('refuses nothing it cannot name: an unlabelled vendor is a vendor controller', () => {
    const plainCard = { ...named, manifest: { ...named.manifest, labels: undefined } };
    expect(text(renderReport(plainCard, { lang: 'fr' }))).toContain(
      'Contrôleur du fournisseur acme',
    );
  });
});

describe('the origin a scorecard keeps', () => {
  it('names the city’s intersections by their display name', () => {
    const o = originSummary(
      {
        source: 'store',
        store: 'embedded /var/lib/openphase',
        intersections: ['main-1st', 'main-2nd'],
        days: ['2026-03-03'],
        timeZone: 'Europe/Paris',
        binS: 900,
        coverage: 1,
      },
      [{ id: 'main-1st', name: 'Main St & 1st Ave' }, { id: 'main-2nd' }],
    );
    expect(o.intersections).toEqual(['Main St & 1st Ave', 'main-2nd']);
  });
});

describe('chart helpers', () => {
  it('picks round ticks that cover the data', () => {
    expect(niceTicks(38)).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(0.7)).toEqual([0, 0.2, 0.4, 0.6, 0.8]);
    expect(niceTicks(0)).toEqual([0, 1]);
  });
  it('wraps long labels at dashes', () => {
    expect(wrap('four-phase-unbalanced')).toEqual(['four-phase-', 'unbalanced']);
    expect(wrap('two-phase')).toEqual(['two-phase']);
  });
});

describe('the report shows its clock times in the deployment zone', () => {
  it('the start of the bench in UTC by default, in Paris time with --time-zone', () => {
    // the fixture bench started 2026-01-01T00:00:00Z
    expect(renderReport(card)).toContain('Started 2026-01-01 00:00:00 +00:00 (UTC)');
    const paris = renderReport(card, { timeZone: 'Europe/Paris' });
    expect(paris).toContain('Started 2026-01-01 01:00:00 +01:00 (Europe/Paris)');
  });
});
