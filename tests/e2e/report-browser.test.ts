/**
 * A real bench — three built-ins and the deliberately bad external controller
 * (examples/bad-controller, spawned for each run, over the bench's own broker) — then its
 * report.html in headless Chromium: the bad controller is scored, not crashed on, its
 * interventions and misses are in the report, every chart is drawn, nothing is fetched.
 * Screenshot: .tmp/bench-report.png.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { requireBinary } from '../../rigs/binaries.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const bad = join(ROOT, 'examples/bad-controller/index.mjs');
const dir = mkdtempSync(join(tmpdir(), 'op-report-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('scores the bad controller and renders every chart offline', async () => {
  const code = await main([
    'bench',
    '--controller',
    'builtin:fixed-time',
    '--controller',
    'builtin:actuated',
    '--controller',
    'builtin:max-pressure',
    '--controller',
    'mqtt:bad',
    '--spawn',
    `"${process.execPath}" "${bad}"`,
    '--scenario',
    'two-phase',
    '--scenario',
    'detector-faults',
    '--seeds',
    '2',
    '--duration',
    '150',
    '--deadline-ms',
    '20',
    '--out',
    dir,
  ]);
  expect(code).toBe(0);
  const card = JSON.parse(readFileSync(join(dir, 'scorecard.json'), 'utf8'));
  const badRows = card.results.filter((r: { controller: string }) => r.controller === 'mqtt:bad');
  expect(badRows).toHaveLength(2);
  for (const r of badRows) {
    for (const run of r.runs) {
      // 150 ticks: 3 silent stretches of 10 s, the rest unknown phases and flips
      expect(run.metrics.missedDeadlines).toBeGreaterThanOrEqual(20);
      expect(run.metrics.overrides.unknownPhase).toBeGreaterThan(0);
      expect(run.metrics.overrides.minGreen).toBeGreaterThan(0);
      expect(run.metrics.conflictingGreens).toBe(0);
      expect(run.metrics.arrived).toBeGreaterThan(0);
    }
  }
  const html = readFileSync(join(dir, 'report.html'), 'utf8');
  expect(html).toMatch(
    /<b>Vendor controller bad<\/b>: [^<]*safety interventions \(green cut before its minimum: \d+, phase that does not exist: \d+/,
  );
  expect(html).toMatch(/<b>Vendor controller bad<\/b>: [^<]*; \d+ missed deadlines/);

  const browser = await chromium.launch({
    executablePath: requireBinary('chromium'),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    const url = pathToFileURL(join(dir, 'report.html')).href;
    await page.goto(url);
    expect(requests).toEqual([url]);
    expect(errors).toEqual([]);
    const charts = await page.$$eval('svg[data-chart]', (svgs) =>
      svgs.map((s) => {
        const box = s.getBoundingClientRect();
        const marks = [...s.querySelectorAll('rect.bar, path.line')].filter((m) => {
          const b = m.getBoundingClientRect();
          return b.width > 0 && b.height > 0;
        });
        return {
          id: s.getAttribute('data-chart'),
          w: box.width,
          h: box.height,
          marks: marks.length,
        };
      }),
    );
    const byId = Object.fromEntries(charts.map((c) => [c.id, c]));
    for (const id of ['delay', 'queue', 'safety', 'deadlines', 'degradation-detector-faults']) {
      expect(byId[id], id).toBeDefined();
      expect(byId[id]!.w).toBeGreaterThan(500);
      expect(byId[id]!.h).toBeGreaterThan(100);
    }
    expect(byId.delay!.marks).toBe(4 * 2); // 4 controllers × 2 scenarios
    expect(byId.queue!.marks).toBe(4);
    expect(byId.safety!.marks).toBeGreaterThanOrEqual(2); // the bad controller's kinds
    expect(byId.deadlines!.marks).toBe(1); // only the bad controller misses
    // the summary is the first thing on the page, in words
    const first = await page.$eval('[data-section="summary"]', (e) => e.textContent ?? '');
    expect(first).toMatch(/Vendor controller bad: .*missed deadlines/);
    mkdirSync(join(ROOT, '.tmp'), { recursive: true });
    await page.screenshot({ path: join(ROOT, '.tmp', 'bench-report.png'), fullPage: true });
  } finally {
    await browser.close();
  }
}, 90_000);
