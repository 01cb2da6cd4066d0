/**
 * `npm run bench:dashboard`: is the page smooth at 100 intersections? Runs the demo on a
 * 10 × 10 grid at 5× real time, opens it in headless Chromium with an intersection selected,
 * and records for 15 s the animation-frame intervals and long tasks (> 50 ms) of the page.
 * Writes bench-results/dashboard.json. A benchmark, not a test: numbers depend on the machine.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from '../rigs/chromium.ts';
import { ROOT, startDemo } from '../rigs/demo-process.ts';
import { gridScenario } from '../simulator/grid.ts';

const SECONDS = 15;
const dir = join(ROOT, '.tmp');
mkdirSync(dir, { recursive: true });
const file = join(dir, 'grid-10x10.json');
const scenario = gridScenario({
  name: 'grid-10x10',
  rows: 10,
  cols: 10,
  seed: 7,
  durationS: 7200,
  entryVph: { N: 500, S: 500, E: 700, W: 700 },
});
writeFileSync(file, JSON.stringify(scenario));

const demo = await startDemo(['--scenario', file, '--speed', '5']);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 860 } });
  await page.goto(`${demo.url}#r5c5`);
  await page.waitForSelector('#map[data-drawn="100"]', { timeout: 30_000 });
  await page.waitForSelector('#counts-chart');
  // a string, not a function: tsx would add helpers (__name) that do not exist in the page
  const r = (await page.evaluate(`(async (seconds) => {
    const longTasks = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: false });
    const gaps = [];
    let changes = 0;
    new MutationObserver((m) => { changes += m.length; })
      .observe(document.getElementById('map'), { attributes: true, subtree: true });
    await new Promise((resolve) => {
      let last = performance.now();
      const end = last + seconds * 1000;
      const frame = (t) => {
        gaps.push(t - last);
        last = t;
        if (t < end) requestAnimationFrame(frame);
        else resolve();
      };
      requestAnimationFrame(frame);
    });
    return { gaps, longTasks, changes };
  })(${SECONDS})`)) as { gaps: number[]; longTasks: number[]; changes: number };
  const sorted = [...r.gaps].sort((a, b) => a - b);
  const q = (p: number) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]! * 10) / 10;
  const result = {
    intersections: 100,
    speed: 5,
    seconds: SECONDS,
    frames: r.gaps.length,
    fps: Math.round((r.gaps.length / SECONDS) * 10) / 10,
    frameMs: { p50: q(0.5), p95: q(0.95), p99: q(0.99), max: q(1) },
    framesOver50ms: r.gaps.filter((g) => g > 50).length,
    longTasks: r.longTasks.length,
    longTaskMsMax: Math.round(Math.max(0, ...r.longTasks)),
    svgAttributeChangesPerS: Math.round(r.changes / SECONDS),
  };
  mkdirSync(join(ROOT, 'bench-results'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench-results', 'dashboard.json'),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
  await demo.stop('SIGINT');
  rmSync(file, { force: true });
}
