/**
 * The report and the dashboard in French and in English, in a real headless Chromium: a real
 * bench (built-ins, in-process, short) writes its report in English, `--report-from --lang fr`
 * rewrites it in French; the demo's dashboard follows the browser's language (a French
 * Chromium gets French) and its switch turns it to English, which a reload keeps. On each page
 * no text that only the other language's catalog has may appear: an untranslated string is a
 * failure. Screenshots: .tmp/{report,dashboard}-{fr,en}.png, and docs/img/ with
 * OPENPHASE_UPDATE_SCREENSHOT=1.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { CATALOGS, type Lang } from '../../i18n/index.ts';
import type { Message } from '../../i18n/types.ts';
import { launchChromium } from '../../rigs/chromium.ts';
import { type DemoProcess, ROOT, startDemo } from '../../rigs/demo-process.ts';

const UPDATE = process.env.OPENPHASE_UPDATE_SCREENSHOT === '1';
const dir = mkdtempSync(join(tmpdir(), 'op-i18n-'));
let demo: DemoProcess;
let browser: Browser;

const texts = (m: Message): string[] => (typeof m === 'string' ? [m] : Object.values(m));
const normal = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ');

/**
 * Fragments of `lang`'s catalog that the other catalog never contains: the literal text
 * between placeholders, long enough (three words) not to be a shared word or a unit.
 */
function onlyIn(lang: Lang): string[] {
  const other = CATALOGS[lang === 'en' ? 'fr' : 'en'];
  const otherText = normal(Object.values(other).flatMap(texts).join('\n'));
  return [
    ...new Set(
      Object.values(CATALOGS[lang])
        .flatMap(texts)
        .flatMap((s) => normal(s).split(/\{\w+\}/))
        .map((f) => f.trim())
        .filter((f) => (f.match(/\p{L}{2,}/gu) ?? []).length >= 3 && !otherText.includes(f)),
    ),
  ];
}

async function pageText(page: Page): Promise<string> {
  // every text node, space-separated (textContent would glue neighbouring cells together)
  return normal(
    await page.evaluate(() => {
      const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
      const out: string[] = [];
      for (let n = walk.nextNode(); n; n = walk.nextNode()) out.push(n.nodeValue ?? '');
      return out.join(' ');
    }),
  );
}

/** Common English words: on a French page they betray a string that bypassed the catalogs. */
const ENGLISH =
  /\b(the|and|with|per|of|vehicles|waited|seconds|approach(es)?|queue|timeline|arrivals|split|failures?|click)\b/i;

function expectOnly(lang: Lang, text: string) {
  const foreign = onlyIn(lang === 'en' ? 'fr' : 'en').filter((f) => text.includes(f));
  expect(foreign, `${lang} page shows text of the other language`).toEqual([]);
  if (lang === 'fr')
    expect(text.match(ENGLISH)?.[0], 'an English word on the French page').toBeUndefined();
  const own = onlyIn(lang).filter((f) => text.includes(f));
  expect(own.length, `${lang} page shows its own catalog's text`).toBeGreaterThan(3);
}

async function shot(page: Page, name: string, fullPage = false) {
  mkdirSync(join(ROOT, '.tmp'), { recursive: true });
  await page.screenshot({ path: join(ROOT, '.tmp', `${name}.png`), fullPage });
  if (UPDATE) await page.screenshot({ path: join(ROOT, 'docs', 'img', `${name}.png`), fullPage });
}

beforeAll(async () => {
  const [d, b] = await Promise.all([
    startDemo(['--speed', UPDATE ? '10' : '5'], {}, 90_000),
    launchChromium(),
  ]);
  demo = d;
  browser = b;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (demo) expect(await demo.stop('SIGINT')).toBe(0);
  rmSync(dir, { recursive: true, force: true });
});

describe('the report', () => {
  it('renders in English and in French, each wholly in its language', async () => {
    const en = join(dir, 'en');
    const fr = join(dir, 'fr');
    const bench = [
      'bench',
      '--controller',
      'builtin:fixed-time',
      '--controller',
      'builtin:actuated',
      '--controller',
      'builtin:max-pressure',
      '--label',
      'builtin:fixed-time=Plan de feux actuel',
      '--scenario',
      'two-phase',
      '--scenario',
      'peak-surge',
      '--seeds',
      '2',
      '--duration',
      '600',
    ];
    expect(await main([...bench, '--lang', 'en', '--out', en])).toBe(0);
    expect(
      await main([
        'bench',
        '--lang',
        'fr',
        '--report-from',
        join(en, 'scorecard.json'),
        '--out',
        fr,
      ]),
    ).toBe(0);
    // the label is part of the scorecard: the French rewrite keeps it
    expect(readFileSync(join(fr, 'report.html'), 'utf8')).toContain('Plan de feux actuel');

    const page = await browser.newPage({ viewport: { width: 1100, height: 1400 } });
    for (const [lang, out] of [
      ['en', en],
      ['fr', fr],
    ] as const) {
      await page.goto(pathToFileURL(join(out, 'report.html')).href);
      expect(await page.getAttribute('html', 'lang')).toBe(lang);
      const text = await pageText(page);
      expectOnly(lang, text);
      // no code name outside the table that maps display names to them
      const before = text.split(
        lang === 'fr' ? 'Comment refaire cet essai' : 'How to rerun this',
      )[0]!;
      expect(before).not.toMatch(/builtin:/);
      // the plain-words sentence in seconds comes first
      const plain = await page.$eval('[data-list="plain"] li', (e) => e.textContent ?? '');
      expect(normal(plain)).toMatch(
        lang === 'fr'
          ? /^Dans le cas d’essai « un carrefour simple à deux phases », les véhicules ont attendu en moyenne [\d,]+ s avec /
          : /^In the test case “a simple two-phase intersection”, vehicles waited on average [\d.]+ s with /,
      );
      await shot(page, `report-${lang}`);
    }
    await page.close();
  }, 120_000);
});

describe('the dashboard', () => {
  it('follows the browser’s language, and its switch changes it for good', async () => {
    const context = await browser.newContext({
      locale: 'fr-FR',
      viewport: { width: 1400, height: 900 },
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(demo.url);
    await page.waitForSelector('#map[data-drawn="25"]', { timeout: 30_000 });
    await page.waitForSelector('[data-counter="live"][data-live="open"]', { timeout: 15_000 });
    await page.click('[data-intersection="r2c2"]');
    await page.waitForSelector('#panel[data-selected="r2c2"]');
    await page.waitForFunction(
      () => Number(document.querySelector('#phase-chart')?.getAttribute('data-points')) > 0,
      undefined,
      { timeout: 15_000 },
    );
    expect(await page.getAttribute('html', 'lang')).toBe('fr');
    expect(await page.locator('[data-lang-switch]').inputValue()).toBe('fr');
    let text = await pageText(page);
    expectOnly('fr', text);
    expect(text).toContain('en direct');
    await page.waitForTimeout(UPDATE ? 6000 : 300);
    await shot(page, 'dashboard-fr');

    await page.selectOption('[data-lang-switch]', 'en');
    await page.waitForSelector('#panel[data-selected="r2c2"] h3');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    await page.waitForFunction(
      () => document.querySelector('#panel h3')?.textContent === 'Approaches',
    );
    text = await pageText(page);
    expectOnly('en', text);
    await shot(page, 'dashboard-en');

    // the choice outlives a reload, over the browser's French
    await page.reload();
    await page.waitForSelector('#map[data-drawn="25"]', { timeout: 30_000 });
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.locator('[data-i18n="dashboard.sub"]').textContent()).toBe('live city');
    expect(errors).toEqual([]);
    await context.close();
  }, 90_000);
});
