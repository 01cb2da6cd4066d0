/**
 * The measures on the dashboard's intersection panel in a real headless Chromium: a simulated
 * fixed-time hour (random arrivals, actuations on) in the embedded store, the dashboard's API
 * reading it, the page drawing the Purdue coordination diagram (dots and cycle lines on a
 * canvas) and the per-bin chart, on the Europe/Paris clock; in French for a French browser.
 * Saves .tmp/measures.png; with OPENPHASE_UPDATE_SCREENSHOT=1 also docs/img/measures.png.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEmbeddedSink } from '../../collector/sinks/embedded/store.ts';
import { createRecentWindow } from '../../collector/window.ts';
import { createDashboard, type DashboardSource } from '../../dashboard/index.ts';
import { createStore } from '../../dashboard/store.ts';
import { embeddedMeasures } from '../../measures/read/index.ts';
import { launchChromium } from '../../rigs/chromium.ts';
import { ROOT } from '../../rigs/openphase.ts';
import { fixedTimeScenario, simulateToPoints } from '../helpers/measures-sim.ts';

const UPDATE = process.env.OPENPHASE_UPDATE_SCREENSHOT === '1';
let browser: Browser;
let dashboard: ReturnType<typeof createDashboard>;
let url: string;

beforeAll(async () => {
  const run = simulateToPoints(fixedTimeScenario(0.9, 3600, Date.UTC(2026, 5, 2, 6)));
  const dir = mkdtempSync(join(tmpdir(), 'op-measures-page-'));
  const sink = createEmbeddedSink({ dir });
  await sink.write(run.points);
  await sink.close?.();
  const store = createStore({ reader: createRecentWindow(), log: () => {} });
  store.feed('traffic/v1/a/config', JSON.stringify(run.config), true);
  // one counts message at the end of the hour: the panel's "last hour" ends there
  store.feed(
    'traffic/v1/a/counts/a-det',
    JSON.stringify({
      v: 1,
      sensor: 'a-det',
      boot: 'b1',
      seq: 1,
      from: run.endMs - 1000,
      to: run.endMs,
      detectors: [{ id: 'N-through-stop', count: 0 }],
    }),
  );
  const source: DashboardSource = {
    ...store,
    start: async () => {},
    close: async () => {},
    connected: () => true,
  };
  dashboard = createDashboard({
    port: 0,
    source,
    store: 'embedded',
    timeZone: 'Europe/Paris',
    measures: embeddedMeasures({ dir }),
    log: () => {},
  });
  url = (await dashboard.start()).url;
  browser = await launchChromium();
}, 90_000);

afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
});

it('draws the coordination diagram and the per-bin measures of the selected intersection', async () => {
  const page = await browser.newPage({ viewport: { width: 1440, height: 1400 }, locale: 'en-US' });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${url}#a`);
  await page.waitForSelector('#measures[data-state="ready"]', { timeout: 20_000 });
  const pcd = page.locator('#pcd-chart');
  // an hour of 60 s cycles, hundreds of arrivals, drawn on a canvas
  expect(Number(await pcd.getAttribute('data-cycles'))).toBeGreaterThanOrEqual(58);
  expect(Number(await pcd.getAttribute('data-arrivals'))).toBeGreaterThan(300);
  expect(await page.locator('#pcd-chart canvas').count()).toBe(1);
  expect(Number(await page.locator('#aog-chart').getAttribute('data-bins'))).toBe(4);
  expect(await page.locator('#aog-chart canvas').count()).toBe(1);
  // the canvas holds the green and yellow cycle lines, not just an empty frame
  const colours = await page.$eval('#pcd-chart canvas', (c) => {
    const ctx = (c as HTMLCanvasElement).getContext('2d')!;
    const d = ctx.getImageData(
      0,
      0,
      (c as HTMLCanvasElement).width,
      (c as HTMLCanvasElement).height,
    ).data;
    let green = 0;
    let yellow = 0;
    for (let k = 0; k < d.length; k += 4) {
      const [r, g, b] = [d[k]!, d[k + 1]!, d[k + 2]!];
      if (r < 80 && g > 150 && b < 130) green++;
      if (r > 200 && g > 170 && b < 80) yellow++;
    }
    return { green, yellow };
  });
  expect(colours.green).toBeGreaterThan(100);
  expect(colours.yellow).toBeGreaterThan(100);
  const summary = await page.locator('[data-measures="summary"]').textContent();
  expect(summary).toMatch(/^Arrivals on green \d+ % \(green 43 % of the time\)/);
  expect(await page.locator('#measures-group option').count()).toBe(4);
  // times on the intersection's clock: the deployment zone (the config names none)
  expect(await page.locator('#measures').textContent()).toContain('Europe/Paris');
  // the header clock too: the newest data, 07:00 UTC on 2 June, is 09:00 in Paris (CEST)
  expect(await page.locator('[data-counter="time"]').textContent()).toBe('09:00:00 Europe/Paris');
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  await page.locator('#measures').screenshot({ path: join(ROOT, '.tmp', 'measures.png') });
  if (UPDATE)
    await page.locator('#measures').screenshot({ path: join(ROOT, 'docs', 'img', 'measures.png') });
  // a lane group is picked from the list
  await page.selectOption('#measures-group', 'E-through');
  await page.waitForSelector('#pcd-chart canvas');
  expect(await page.locator('#measures-group').inputValue()).toBe('E-through');
  expect(errors).toEqual([]);
  await page.close();
}, 60_000);

it('speaks French to a French browser', async () => {
  const page = await browser.newPage({ locale: 'fr-FR' });
  await page.goto(`${url}#a`);
  await page.waitForSelector('#measures[data-state="ready"]', { timeout: 20_000 });
  const summary = await page.locator('[data-measures="summary"]').textContent();
  expect(summary).toMatch(/^Arrivées sur vert \d+\u202f% \(vert 43\u202f% du temps\)/);
  expect(await page.locator('#panel').textContent()).toContain(
    'Diagramme de coordination de Purdue',
  );
  await page.close();
}, 60_000);
