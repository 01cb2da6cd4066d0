/**
 * Issue 18.8 in a real headless Chromium: `openphase demo --insecure` must not let a page from
 * another origin open `/mqtt` (admin rights in insecure mode) or `/live`; and a forged signal
 * state with conflicting greens must be drawn flagged, never as normal.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import mqtt from 'mqtt';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Signal } from '../../protocol/index.ts';
import { launchChromium } from '../../rigs/chromium.ts';
import { type DemoProcess, startDemo } from '../../rigs/demo-process.ts';

let demo: DemoProcess;
let browser: Browser;
let page: Page;
let foreign: Server;
let foreignUrl: string;
const pageErrors: string[] = [];

beforeAll(async () => {
  const [d, b] = await Promise.all([startDemo(['--insecure', '--speed', '5']), launchChromium()]);
  demo = d;
  browser = b;
  // another site: same host, another port, so another origin
  foreign = createServer((_req, res) => {
    res
      .writeHead(200, { 'content-type': 'text/html' })
      .end('<!doctype html><title>elsewhere</title>');
  });
  await new Promise<void>((r) => foreign.listen(0, '127.0.0.1', () => r()));
  foreignUrl = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}/`;
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', (e) => pageErrors.push(e.message));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => (foreign ? foreign.close(r) : r(undefined)));
  if (demo) expect(await demo.stop('SIGINT')).toBe(0);
});

/** Opens a WebSocket from the page's origin; 'open' or 'error'. */
const tryWebSocket = (url: string, protocol?: string) =>
  page.evaluate(
    ([u, p]) =>
      new Promise<string>((resolve) => {
        const ws = p ? new WebSocket(u, p) : new WebSocket(u);
        ws.onopen = () => {
          ws.close();
          resolve('open');
        };
        ws.onerror = () => resolve('error');
      }),
    [url, protocol ?? ''] as const,
  );

it('refuses /mqtt and /live to a page from another origin, serves its own page', async () => {
  const ws = demo.url.replace(/^http/, 'ws');
  await page.goto(foreignUrl);
  expect(await tryWebSocket(`${ws}mqtt`, 'mqtt')).toBe('error');
  expect(await tryWebSocket(`${ws}live`)).toBe('error');
  // the same from the dashboard's own page works (the test can tell the difference)
  await page.goto(demo.url);
  expect(await tryWebSocket(`${ws}mqtt`, 'mqtt')).toBe('open');
  expect(await tryWebSocket(`${ws}live`)).toBe('open');
  expect(demo.stderr()).toContain('refused a WebSocket to /mqtt from origin');
}, 60_000);

it('draws a forged signal state with conflicting greens flagged', async () => {
  await page.goto(demo.url);
  await page.waitForSelector('#map[data-drawn="25"]', { timeout: 15_000 });
  await page.waitForSelector('[data-intersection="r2c2"][data-phase]', { timeout: 15_000 });
  expect(await page.locator('[data-intersection="r2c2"]').getAttribute('data-conflict')).toBe(
    'false',
  );
  const api = (await (await fetch(new URL('/api/intersections', demo.url))).json()) as {
    latestMs: number;
  };
  // newer than anything the simulator sends for the next minutes: it stays on the heads
  const t = api.latestMs + 30 * 60_000;
  const green = 'protected-Movement-Allowed' as const;
  const forged: Signal = {
    v: 1,
    t,
    phase: 'ns',
    interval: 'green',
    sinceMs: t,
    minEndMs: t + 5000,
    maxEndMs: t + 40_000,
    movements: { 'N-through': green, 'S-through': green, 'E-through': green, 'W-through': green },
    controller: 'attacker',
    overrides: [],
  };
  const c = await mqtt.connectAsync(`mqtt://127.0.0.1:${demo.mqttPort}`, {
    clientId: 'forger',
    reconnectPeriod: 0,
  });
  await c.publishAsync('traffic/v1/r2c2/signal', JSON.stringify(forged), { qos: 1, retain: true });
  await c.endAsync();
  await page.waitForSelector('[data-intersection="r2c2"][data-conflict="true"]', {
    timeout: 15_000,
  });
  const g = '[data-intersection="r2c2"]';
  for (const m of ['N-through', 'S-through', 'E-through', 'W-through']) {
    expect(await page.locator(`${g} [data-movement="${m}"]`).getAttribute('data-conflict')).toBe(
      'true',
    );
  }
  expect(await page.locator(`${g} .conflict-warning`).textContent()).toContain('CONFLICTING');
  // the other intersections stay normal
  expect(await page.locator('[data-conflict="true"][data-intersection]').count()).toBe(1);
  expect(pageErrors).toEqual([]);
}, 60_000);
