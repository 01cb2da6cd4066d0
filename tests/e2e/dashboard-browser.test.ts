/**
 * The demo in a real headless Chromium (Debian's, driven by playwright-core): every
 * intersection drawn, signal states changing, a click opening charts with data. Saves a
 * screenshot to .tmp/dashboard.png; with OPENPHASE_UPDATE_SCREENSHOT=1 it lets the city fill
 * up for longer and writes docs/img/dashboard.png (the README's picture).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { requireBinary } from '../../rigs/binaries.ts';
import { type DemoProcess, ROOT, startDemo } from '../../rigs/demo-process.ts';

const UPDATE = process.env.OPENPHASE_UPDATE_SCREENSHOT === '1';
let demo: DemoProcess;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  const [d, b] = await Promise.all([
    startDemo(['--speed', UPDATE ? '10' : '5']),
    chromium.launch({
      executablePath: requireBinary('chromium'),
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    }),
  ]);
  demo = d;
  browser = b;
  page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (demo) expect(await demo.stop('SIGINT')).toBe(0);
});

/** data-state of every signal head, keyed by intersection/movement. */
const heads = () =>
  page.$$eval('[data-intersection] [data-movement]', (els) =>
    Object.fromEntries(
      els.map((e) => [
        `${e.closest('[data-intersection]')!.getAttribute('data-intersection')}/${e.getAttribute('data-movement')}`,
        e.getAttribute('data-state'),
      ]),
    ),
  );

it('draws every intersection, follows the signals live, and charts the selected one', async () => {
  const api = (await (await fetch(new URL('/api/intersections', demo.url))).json()) as {
    intersections: { id: string }[];
  };
  expect(api.intersections.length).toBe(25); // the bundled city: a 5 × 5 grid
  await page.goto(demo.url);
  await page.waitForSelector('#map[data-drawn="25"]', { timeout: 15_000 });
  const drawn = await page.$$eval('[data-intersection]', (els) =>
    els.map((e) => e.getAttribute('data-intersection')),
  );
  expect(drawn.sort()).toEqual(api.intersections.map((i) => i.id).sort());
  // every approach of every intersection: 4 arms, 12 heads (left, through, right), 4 queue bars
  for (const id of ['r0c0', 'r4c4']) {
    const g = `[data-intersection="${id}"]`;
    expect(await page.locator(`${g} [data-arm]`).count()).toBe(4);
    expect(await page.locator(`${g} [data-movement]`).count()).toBe(12);
    expect(await page.locator(`${g} [data-approach]`).count()).toBe(4);
  }
  await page.waitForSelector('[data-counter="live"][data-live="open"]', { timeout: 10_000 });

  // signal states change within a few seconds, and always show a valid J2735 state
  const first = await heads();
  let changed = 0;
  const deadline = Date.now() + 10_000;
  while (changed === 0 && Date.now() < deadline) {
    await page.waitForTimeout(250);
    const now = await heads();
    changed = Object.keys(now).filter((k) => now[k] !== first[k]).length;
  }
  expect(changed).toBeGreaterThan(0);
  const states = new Set(Object.values(await heads()));
  for (const s of states) {
    expect([
      'stop-And-Remain',
      'protected-Movement-Allowed',
      'permissive-Movement-Allowed',
      'protected-clearance',
      'permissive-clearance',
    ]).toContain(s);
  }
  expect(states.has('protected-Movement-Allowed')).toBe(true);

  // click an intersection: the panel opens with both charts holding data
  if (UPDATE) await page.waitForTimeout(25_000); // let queues and charts fill for the picture
  await page.click('[data-intersection="r2c2"]');
  await page.waitForSelector('#panel[data-selected="r2c2"]');
  await page.waitForFunction(
    () => Number(document.querySelector('#counts-chart')?.getAttribute('data-points')) > 0,
    undefined,
    { timeout: 15_000 },
  );
  await page.waitForFunction(
    () => Number(document.querySelector('#phase-chart')?.getAttribute('data-points')) > 0,
  );
  expect(await page.locator('#counts-chart canvas').count()).toBe(1);
  expect(await page.locator('#panel [data-field="phase"]').textContent()).toMatch(/^(ns|ew)$/);
  expect(await page.locator('[data-intersection="r2c2"]').getAttribute('data-selected')).toBe(
    'true',
  );
  expect(Number(await page.locator('[data-counter="intersections"]').textContent())).toBe(25);

  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  await page.waitForTimeout(UPDATE ? 6000 : 500);
  await page.screenshot({ path: join(ROOT, '.tmp', 'dashboard.png') });
  if (UPDATE) await page.screenshot({ path: join(ROOT, 'docs', 'img', 'dashboard.png') });
  expect(pageErrors).toEqual([]);
}, 90_000);
