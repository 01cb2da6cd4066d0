/**
 * `openphase bench --engine openphase,sumo --sensitivity`, shortened: every bundled
 * single-intersection scenario × fixed-time, actuated, max-pressure × 3 seeds × 450 s on both
 * engines (real SUMO). The acceptance of the engines' agreement on this short run — Kendall's
 * tau ≥ 0.8 between their mean delays, no controller pair in clearly opposite order — then the
 * report in headless Chromium: both rankings side by side, every differing pair marked, the
 * sensitivity line; nothing fetched. The full figures: `npm run bench:engines`.
 * Screenshot: .tmp/engines-report.png.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controllerName } from '../../bench/report/names.ts';
import type { ScorecardT } from '../../bench/scorecard-schema.ts';
import { main } from '../../cli/main.ts';
import { requireBinary } from '../../rigs/binaries.ts';
import { listBundledScenarios, loadScenario } from '../../simulator/index.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'op-engines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let card: ScorecardT;
let scenarios: string[];

beforeAll(async () => {
  requireBinary('sumo'); // a missing SUMO fails here with the apt-get hint
  requireBinary('netconvert');
  scenarios = [];
  for (const name of listBundledScenarios())
    if ((await loadScenario(name)).intersections.length === 1) scenarios.push(name);
  const code = await main([
    'bench',
    '--engine',
    'openphase,sumo',
    '--sensitivity',
    ...['fixed-time', 'actuated', 'max-pressure'].flatMap((c) => ['--controller', `builtin:${c}`]),
    ...scenarios.flatMap((s) => ['--scenario', s]),
    '--seeds',
    '3',
    '--duration',
    '450',
    '--no-degradation',
    '--out',
    dir,
  ]);
  expect(code).toBe(0);
  card = JSON.parse(readFileSync(join(dir, 'scorecard.json'), 'utf8'));
}, 150_000);

describe('bench on two engines', () => {
  it('one scorecard: every run with its engine, a ranking per engine, and the engines agree', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(3);
    expect(card.manifest.engines).toEqual(['openphase', 'sumo']);
    for (const engine of ['openphase', 'sumo']) {
      const mine = card.results.filter((r) => r.engine === engine);
      expect(mine).toHaveLength(3 * scenarios.length);
      expect(card.ranking.filter((r) => r.engine === engine)).toHaveLength(3);
    }
    // same vehicles on both engines
    for (const r of card.results.filter((x) => x.engine === 'sumo')) {
      const o = card.results.find(
        (x) =>
          x.engine === 'openphase' && x.controller === r.controller && x.scenario === r.scenario,
      )!;
      expect(r.runs.map((x) => x.metrics.arrived)).toEqual(o.runs.map((x) => x.metrics.arrived));
    }
    const sumo = card.engineAgreement!.byEngine[0]!;
    expect(sumo.engine).toBe('sumo');
    expect(sumo.kendallTau).toBeGreaterThanOrEqual(0.8);
    expect(sumo.clearlyOpposite).toBe(0);
    expect(card.sensitivity!.values).toEqual([0, 2, 3]);
  });

  it('the report shows both rankings side by side and marks every differing pair, offline', async () => {
    const browser = await chromium.launch({
      executablePath: requireBinary('chromium'),
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const requests: string[] = [];
      const errors: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      page.on('pageerror', (e) => errors.push(e.message));
      const url = pathToFileURL(join(dir, 'report.html')).href;
      await page.goto(url);
      expect(requests).toEqual([url]);
      expect(errors).toEqual([]);
      const table = page.locator('table[data-table="engine-rankings"]');
      await expect(table.isVisible()).resolves.toBe(true);
      const heads = await table.locator('thead th').allTextContents();
      expect(heads).toEqual(['rank', 'OpenPhase', 'SUMO']);
      // each engine's column lists its own ranking, in order
      const rows = await table
        .locator('tbody tr')
        .evaluateAll((trs) =>
          trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')),
        );
      for (const [col, engine] of [
        [1, 'openphase'],
        [3, 'sumo'],
      ] as const)
        expect(rows.map((r) => r[col])).toEqual(
          card.ranking
            .filter((r) => r.engine === engine)
            .map((r) => controllerName('en', card.manifest, r.controller)),
        );
      // one row per pair and scenario (and overall), marked exactly when the order differs
      const pairRows = page.locator('table[data-table="engine-pairs"] tbody tr');
      expect(await pairRows.count()).toBe(3 * (scenarios.length + 1));
      const marked = await page
        .locator('table[data-table="engine-pairs"] td[data-differs="true"]')
        .count();
      expect(marked).toBe(card.engineAgreement!.pairs.filter((p) => p.differs).length);
      const box = await table.boundingBox();
      expect(box!.width).toBeGreaterThan(300);
      // the sensitivity line is there, and says whether any verdict hinges on the yellow
      const sens = await page.locator('[data-section="sensitivity"]').textContent();
      expect(sens).toMatch(
        card.sensitivity!.hinges === 0 ? /Every verdict holds/ : /hinges? on this modelling choice/,
      );
      mkdirSync(join(ROOT, '.tmp'), { recursive: true });
      await page.screenshot({ path: join(ROOT, '.tmp', 'engines-report.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 60_000);
});
