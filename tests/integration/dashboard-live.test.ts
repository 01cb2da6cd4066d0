/**
 * The live feed's bound: a client that stops reading is dropped once its unsent bytes pass the
 * bound, while a client that reads keeps receiving. Real sockets; the events come from a store
 * fed by hand plus large synthetic counts events, so the kernel buffers fill within a second.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createInfluxV1Reader, createRecentWindow } from '../../collector/index.ts';
import {
  createDashboard,
  createStore,
  type DashboardSource,
  type LiveEvent,
} from '../../dashboard/index.ts';
import { freePort } from '../../rigs/ports.ts';
import { twoPhase } from '../fixtures/intersections.ts';

let emit: (e: LiveEvent) => void = () => {};
const store = createStore({ reader: createRecentWindow() });
const source: DashboardSource = {
  ...store,
  start: async () => {},
  close: async () => {},
  connected: () => true,
  subscribe(listener) {
    emit = listener;
    return store.subscribe(listener);
  },
};
const MAX_BUFFERED = 256 * 1024;
const dashboard = createDashboard({
  port: 0,
  source,
  page: false,
  live: { flushMs: 20, maxBufferedBytes: MAX_BUFFERED },
  log: () => {},
});
let wsBase: string;

beforeAll(async () => {
  wsBase = (await dashboard.start()).url.replace('http', 'ws');
});
afterAll(() => dashboard.close());

const open = (ws: WebSocket) => new Promise<void>((resolve) => ws.once('open', () => resolve()));
const health = async () => (await dashboard.app.inject({ url: '/api/health' })).json();

it('drops a client that does not read, keeps one that does, and stays bounded', async () => {
  const slow = new WebSocket(`${wsBase}live`);
  const fast = new WebSocket(`${wsBase}live`);
  await Promise.all([open(slow), open(fast)]);
  // stop reading: the server's unsent bytes for this client can only grow
  (slow as unknown as { _socket: { pause(): void } })._socket.pause();
  let fastBytes = 0;
  fast.on('message', (d: Buffer) => {
    fastBytes += d.length;
  });
  expect((await health()).liveClients).toBe(2);
  // ~300 KB of counts events per flush: 100 intersections × 100 approaches
  const big: Record<string, number> = {};
  for (let k = 0; k < 100; k++) big[`approach_${k}`] = k;
  const deadline = Date.now() + 15_000;
  let rounds = 0;
  while ((await health()).liveClients > 1) {
    if (Date.now() > deadline) throw new Error('the slow client was never dropped');
    for (let i = 0; i < 100; i++) emit({ k: 'cnt', i: `x${i}`, t: rounds, a: big, q: big });
    rounds++;
    await new Promise((r) => setTimeout(r, 25));
  }
  const metrics = (await dashboard.app.inject({ url: '/metrics' })).body;
  expect(metrics).toMatch(/^openphase_dashboard_live_dropped 1$/m);
  expect(fast.readyState).toBe(WebSocket.OPEN);
  const before = fastBytes;
  emit({ k: 'cnt', i: 'after', t: 1, a: { N: 1 }, q: { N: 1 } });
  const t0 = Date.now();
  while (fastBytes === before && Date.now() - t0 < 5000)
    await new Promise((r) => setTimeout(r, 10));
  expect(fastBytes).toBeGreaterThan(before);
  fast.close();
  slow.terminate();
});

it('answers 503, not 500 or a crash, when the counts store does not answer', async () => {
  const logs: string[] = [];
  const deadStore = createStore({
    reader: createInfluxV1Reader({
      url: `http://127.0.0.1:${await freePort()}`,
      database: 'nowhere',
      timeoutMs: 2000,
    }),
  });
  deadStore.feed('traffic/v1/a/config', JSON.stringify({ ...twoPhase, id: 'a' }), true);
  const dash = createDashboard({
    port: 0,
    page: false,
    store: 'influx-v1',
    source: { ...deadStore, start: async () => {}, close: async () => {}, connected: () => true },
    log: (l) => logs.push(l),
  });
  await dash.app.ready();
  const res = await dash.app.inject({ url: '/api/intersections/a/counts' });
  expect(res.statusCode).toBe(503);
  expect(res.json().message).toBe('the counts store (influx-v1) did not answer; try again');
  expect(logs.join('\n')).toContain('counts query failed');
  await dash.close();
});
