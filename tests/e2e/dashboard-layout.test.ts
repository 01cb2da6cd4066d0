/**
 * Issue 17.17, the demo page at 1400 × 900 in a real headless Chromium: the legend covers no
 * road, no intersection is cut off at the bottom (or anywhere), and the page says that the
 * city and its clock are simulated.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium } from '../../rigs/chromium.ts';
import { type DemoProcess, ROOT, startDemo } from '../../rigs/demo-process.ts';

let demo: DemoProcess;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  const [d, b] = await Promise.all([startDemo(['--speed', '5'], {}, 90_000), launchChromium()]);
  demo = d;
  browser = b;
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (demo) expect(await demo.stop('SIGINT')).toBe(0);
});

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
const overlap = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

it('at 1400 × 900: the legend covers no road, no intersection is cut, the simulation is named', async () => {
  await page.goto(demo.url);
  await page.waitForSelector('#map[data-drawn="25"]', { timeout: 30_000 });
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  await page.screenshot({ path: join(ROOT, '.tmp', 'dashboard-1400x900.png') });

  const legend = (await page.locator('.legend').boundingBox())!;
  expect(legend).not.toBeNull();
  const roads = await page.$$eval('[data-intersection] .road, [data-intersection] .box', (els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    }),
  );
  expect(roads.length).toBeGreaterThan(100);
  const covered = roads.filter((r) => overlap(r, legend));
  expect(covered).toEqual([]);

  // every intersection lies wholly inside the city view and the window
  const city = (await page.locator('#city').boundingBox())!;
  const groups = await page.$$eval('[data-intersection]', (els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect();
      return {
        id: e.getAttribute('data-intersection'),
        x: r.x,
        y: r.y,
        width: r.width,
        height: r.height,
      };
    }),
  );
  const inside = (r: Box, o: Box) =>
    r.x >= o.x - 0.5 &&
    r.y >= o.y - 0.5 &&
    r.x + r.width <= o.x + o.width + 0.5 &&
    r.y + r.height <= o.y + o.height + 0.5;
  const view = { x: 0, y: 0, width: 1400, height: 900 };
  expect(groups.filter((g) => !inside(g, city) || !inside(g, view)).map((g) => g.id)).toEqual([]);

  // the page says the city and the clock are simulated, where it can be seen
  const note = page.locator('[data-note="simulated"]');
  expect(await note.isVisible()).toBe(true);
  expect((await note.textContent())?.toLowerCase()).toMatch(/simulated/);
  expect((await note.textContent())?.toLowerCase()).toMatch(/clock|time/);
  const noteBox = (await note.boundingBox())!;
  expect(inside(noteBox, view)).toBe(true);
}, 120_000);
