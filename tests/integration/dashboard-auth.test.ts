/**
 * The dashboard outside the demo (issue 18.11): an observer token guards the API, /metrics,
 * /openapi.json and the live feed; the page stays public; every client address is throttled.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createRecentWindow } from '../../collector/window.ts';
import { createDashboard, createStore, type DashboardSource } from '../../dashboard/index.ts';
import { twoPhase } from '../fixtures/intersections.ts';

const TOKEN = 'observer-token-0123456789abcdef';
const store = createStore({ reader: createRecentWindow(), log: () => {} });
store.feed('traffic/v1/a/config', JSON.stringify({ ...twoPhase, id: 'a' }), true);
const source: DashboardSource = {
  ...store,
  start: async () => {},
  close: async () => {},
  connected: () => true,
};
const dashboard = createDashboard({
  port: 0,
  source,
  token: TOKEN,
  rateLimit: { max: 30, timeWindowMs: 60_000 },
  log: () => {},
});
let base: string;

beforeAll(async () => {
  base = (await dashboard.start()).url;
}, 30_000);
afterAll(() => dashboard.close());

const get = (url: string, headers: Record<string, string> = {}) =>
  dashboard.app.inject({ method: 'GET', url, headers, remoteAddress: '10.0.0.1' });

it('answers 401 without the token, 200 with it; the page itself is public', async () => {
  for (const url of ['/api/intersections', '/api/intersections/a', '/metrics', '/openapi.json']) {
    const res = await get(url);
    expect(res.statusCode, url).toBe(401);
    expect(res.headers['www-authenticate'], url).toBe('Bearer');
    expect((await get(url, { authorization: 'Bearer wrong-token-0123456789abc' })).statusCode).toBe(
      401,
    );
    expect((await get(url, { authorization: `Bearer ${TOKEN}` })).statusCode, url).toBe(200);
  }
  expect((await get('/')).statusCode).toBe(200);
});

it('opens the live feed only with the token (as a WebSocket subprotocol)', async () => {
  const ws = base.replace(/^http/, 'ws');
  const attempt = (protocols?: string[]) =>
    new Promise<string>((resolve) => {
      const c = new WebSocket(`${ws}live`, protocols);
      c.on('open', () => {
        c.close();
        resolve('open');
      });
      c.on('error', () => resolve('refused'));
    });
  expect(await attempt()).toBe('refused');
  expect(await attempt(['bearer.not-the-token-0123456789'])).toBe('refused');
  expect(await attempt([`bearer.${TOKEN}`])).toBe('open');
});

it('throttles one client address: 429 past the limit, others unaffected', async () => {
  const auth = { authorization: `Bearer ${TOKEN}` };
  const codes: number[] = [];
  for (let i = 0; i < 40; i++) {
    const res = await dashboard.app.inject({
      method: 'GET',
      url: '/api/health',
      headers: auth,
      remoteAddress: '10.0.0.2',
    });
    codes.push(res.statusCode);
  }
  expect(codes.filter((c) => c === 200).length).toBe(30);
  expect(codes.slice(30).every((c) => c === 429)).toBe(true);
  const other = await dashboard.app.inject({
    method: 'GET',
    url: '/api/health',
    headers: auth,
    remoteAddress: '10.0.0.3',
  });
  expect(other.statusCode).toBe(200);
});

it('refuses a token too short to be a secret', () => {
  expect(() => createDashboard({ port: 0, source, token: 'short' })).toThrow(/16 characters/);
});
