/**
 * `openphase dashboard` against a running field system — broker, collector into InfluxDB,
 * controller, signal gateway, NTCIP cabinet emulator; no simulator anywhere — in a real
 * headless Chromium: the real intersection is drawn and its heads follow the cabinet live.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../../rigs/chromium.ts';
import { commandLine, started } from '../integration/field-processes.ts';
import { type FieldSystem, ID, SECRETS, startFieldSystem } from './field-loop.ts';

describe('openphase dashboard on a field system', () => {
  let sys: FieldSystem;
  let browser: Browser;
  let page: Page;
  let url = '';
  const pageErrors: string[] = [];

  beforeAll(async () => {
    sys = await startFieldSystem('openphase');
    const dash = sys.spawn(
      'dashboard',
      [
        'dashboard',
        '--port',
        '0',
        '--insecure-api',
        '--influx-url',
        sys.influx.url,
        '--influx-db',
        'fieldloop',
      ],
      'dash-1',
    );
    url = String((await started(dash)).url);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    page.on('pageerror', (e) => pageErrors.push(e.message));
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await sys?.close();
  }, 60_000);

  it('lists the real intersection through the API, nothing simulated', async () => {
    const api = (await (await fetch(new URL('/api/intersections', url))).json()) as {
      intersections: { id: string }[];
    };
    expect(api.intersections.map((i) => i.id)).toEqual([ID]);
  });

  it('draws it and follows its signal live in headless Chromium', async () => {
    await page.goto(url);
    await page.waitForSelector('#map[data-drawn="1"]', { timeout: 30_000 });
    expect(
      await page.$$eval('[data-intersection]', (els) =>
        els.map((e) => e.getAttribute('data-intersection')),
      ),
    ).toEqual([ID]);
    await page.waitForSelector('[data-counter="live"][data-live="open"]', { timeout: 20_000 });
    const heads = () =>
      page.$$eval(`[data-intersection="${ID}"] [data-movement]`, (els) =>
        Object.fromEntries(
          els.map((e) => [e.getAttribute('data-movement'), e.getAttribute('data-state')]),
        ),
      );
    // the served movements' heads take the cabinet's states as they change
    const seen = new Set<string>();
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      const h = await heads();
      if (h['N-through'] && h['E-through']) seen.add(`${h['N-through']}|${h['E-through']}`);
      if (
        seen.has('protected-Movement-Allowed|stop-And-Remain') &&
        seen.has('stop-And-Remain|protected-Movement-Allowed')
      )
        break;
      await page.waitForTimeout(500);
    }
    expect(seen).toContain('protected-Movement-Allowed|stop-And-Remain');
    expect(seen).toContain('stop-And-Remain|protected-Movement-Allowed');
    expect(pageErrors).toEqual([]);
    // the page does not claim a simulated clock
    expect(await page.content()).not.toMatch(/simulated clock/i);
  }, 150_000);

  it('keeps its credential out of its arguments and log', async () => {
    const c = sys.procs.get('dashboard')!;
    const cmd = await commandLine(c.pid!);
    for (const s of SECRETS) {
      expect(cmd).not.toContain(s);
      expect(sys.logs.get('dashboard')!()).not.toContain(s);
    }
  });
});
