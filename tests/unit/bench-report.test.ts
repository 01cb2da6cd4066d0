/**
 * report.html from a scorecard: the plain-language summary, every chart, private scenarios by
 * name and hash only, everything escaped, nothing loaded from anywhere.
 */
import { describe, expect, it } from 'vitest';
import { renderReport } from '../../bench/report/html.ts';
import { headline, summaryLines } from '../../bench/report/summary.ts';
import { niceTicks, wrap } from '../../bench/report/svg.ts';
import { buildScorecard } from '../../bench/scorecard.ts';
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
      /^\d+% less delay than the baseline on average; clearly less delay on 2 of 2 scenarios/,
    );
    expect(lines['mqtt:acme']).toContain(
      '36 safety interventions (minGreen 18, unknownPhase 12, watchdog 6) in 6 runs',
    );
    expect(lines['mqtt:acme']).toContain('120 missed deadlines');
    expect(lines['mqtt:acme']).toMatch(/detector faults \(faulty\) raised its delay \d+%/);
    expect(lines['builtin:fixed-time']).toMatch(
      /more delay than the baseline on average; clearly less delay on 0 of 2 scenarios and clearly more on 2/,
    );
    expect(lines['builtin:fixed-time']).toContain('no safety interventions; 0 missed deadlines');
    expect(lines['builtin:actuated']).toContain('the reference baseline');
    expect(headline(card)).toMatch(
      /^mqtt:acme had the least delay: \d+% less than the baseline builtin:actuated/,
    );
    expect(headline(card)).toContain(
      'No run ever showed two conflicting movements green together.',
    );
  });

  it('puts the summary first', () => {
    expect(html.indexOf('data-section="summary"')).toBeLessThan(html.indexOf('<h2>Ranking'));
    expect(html).toContain('120 missed deadlines');
  });
});

describe('the page', () => {
  it('draws every chart as inline SVG', () => {
    for (const id of ['delay', 'queue', 'safety', 'deadlines', 'degradation-faulty'])
      expect(html).toContain(`data-chart="${id}"`);
    // one bar with an error bar per controller × scenario
    expect(
      html.match(/<rect class="bar"[^>]*data-series="mqtt:acme"[^>]*data-scenario/g)?.length,
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

  it('shows a private scenario by name and hash only', () => {
    const row = html.match(/<tr><td>faulty<\/td>.*?<\/tr>/)![0];
    expect(row).toContain('b'.repeat(64));
    expect(row).toContain('private');
    expect(row).not.toMatch(/intersection|min\)/);
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
