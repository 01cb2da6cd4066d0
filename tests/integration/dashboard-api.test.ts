/**
 * The dashboard against a real embedded broker and a real collector (embedded store): protocol
 * messages published by hand over MQTT, read back through the HTTP API (`inject()`), the live
 * feed (/live, a real WebSocket) and MQTT over WebSocket on the dashboard's port (/mqtt).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createBroker } from '../../broker/index.ts';
import { createCollector } from '../../collector/index.ts';
import { createDashboard, createMqttSource, type LiveEvent } from '../../dashboard/index.ts';
import type { Counts, IntersectionConfig, Signal } from '../../protocol/index.ts';
import { twoPhase } from '../fixtures/intersections.ts';

const T0 = Date.UTC(2026, 0, 1, 8);
const configOf = (id: string): IntersectionConfig => ({ ...twoPhase, id });
const signalAt = (t: number, phase: string, overrides: Signal['overrides'] = []): Signal => ({
  v: 1,
  t,
  phase,
  interval: 'green',
  sinceMs: t,
  minEndMs: t + 5000,
  maxEndMs: t + 40_000,
  movements: {
    'N-through': phase === 'ns' ? 'protected-Movement-Allowed' : 'stop-And-Remain',
    'S-through': phase === 'ns' ? 'protected-Movement-Allowed' : 'stop-And-Remain',
    'E-through': phase === 'ew' ? 'protected-Movement-Allowed' : 'stop-And-Remain',
    'W-through': phase === 'ew' ? 'protected-Movement-Allowed' : 'stop-And-Remain',
  },
  controller: 'ctl-1',
  overrides,
});
/** Second k: 3 vehicles arrive at N's advance detector, 1 leaves N's stop bar, 2 pass E's stop bar. */
const countsAt = (k: number): Counts => ({
  v: 1,
  sensor: 'a-det',
  boot: 'boot1',
  seq: k,
  from: T0 + k * 1000,
  to: T0 + (k + 1) * 1000,
  detectors: [
    { id: 'N-through-advance', count: 3 },
    { id: 'N-through-stop', count: 1 },
    { id: 'E-through-stop', count: 2 },
  ],
});

let dir: string;
let broker: ReturnType<typeof createBroker>;
let collector: ReturnType<typeof createCollector>;
let source: ReturnType<typeof createMqttSource>;
let dashboard: ReturnType<typeof createDashboard>;
let pub: MqttClient;
let base: string;
const N = 30;

async function until(check: () => boolean, what: string, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const send = (topic: string, value: unknown, retain = false) =>
  pub.publishAsync(`traffic/v1/${topic}`, JSON.stringify(value), { qos: 1, retain });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'op-dash-'));
  const quiet = () => {};
  broker = createBroker({ port: 0, insecure: true, log: quiet });
  const { url } = await broker.start();
  collector = createCollector({
    mqttUrl: url,
    sink: { kind: 'embedded', dir: join(dir, 'points') },
    spoolDir: join(dir, 'spool'),
    flushMs: 50,
    logEveryMs: 0,
    log: quiet,
  });
  await collector.start();
  source = createMqttSource({
    mqttUrl: url,
    reader: collector.reader,
    external: () => ({ rejected: collector.stats().rejected, gaps: collector.stats().gaps }),
    log: quiet,
  });
  await source.start();
  dashboard = createDashboard({
    port: 0,
    source,
    broker,
    metrics: () => collector.metricsText(),
    log: quiet,
  });
  base = (await dashboard.start()).url;
  pub = await mqtt.connectAsync(url, { clientId: 'test-pub', reconnectPeriod: 0 });
  await send('a/config', configOf('a'), true);
  await send('b/config', configOf('b'), true);
  await send('a/status/a-det', { v: 1, online: true, device: 'a-det', role: 'sensor' }, true);
  await send('a/signal', signalAt(T0, 'ns'), true);
  for (let k = 0; k < N; k++) await send('a/counts/a-det', countsAt(k));
  await until(() => source.get('a')?.lastCountsMs === T0 + N * 1000, 'the counts');
  await collector.drained();
}, 30_000);

afterAll(async () => {
  await pub?.endAsync();
  await dashboard?.close();
  await source?.close();
  await collector?.close();
  await broker?.close();
  rmSync(dir, { recursive: true, force: true });
});

const get = (url: string) => dashboard.app.inject({ method: 'GET', url });

describe('HTTP API', () => {
  it('lists the intersections with their phase', async () => {
    const res = await get('/api/intersections');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.intersections.map((i: { id: string }) => i.id)).toEqual(['a', 'b']);
    expect(body.intersections[0]).toMatchObject({
      id: 'a',
      phase: 'ns',
      interval: 'green',
      online: true,
      approaches: ['N', 'S', 'E', 'W'],
    });
    expect(body.latestMs).toBe(T0 + N * 1000);
  });

  it('gives one intersection: config, signal, latest counts and queue estimates', async () => {
    const body = (await get('/api/intersections/a')).json();
    expect(body.config).toEqual(configOf('a'));
    expect(body.signal).toEqual(signalAt(T0, 'ns'));
    expect(body.counts['a-det']).toEqual(countsAt(N - 1));
    // N: 3 in − 1 out per second for N seconds; E has no advance detector: last interval's flow
    expect(body.queues).toMatchObject({ N: 2 * N, E: 2, S: 0, W: 0 });
    expect(body.lastCounts).toMatchObject({ N: 4, E: 2, S: 0 });
    expect(body.timeline).toEqual([{ t: T0, phase: 'ns', interval: 'green' }]);
    expect(body.devices['a-det']).toMatchObject({ online: true, role: 'sensor' });
  });

  it('answers an unknown intersection with 404 and a message', async () => {
    for (const url of ['/api/intersections/nowhere', '/api/intersections/nowhere/counts']) {
      const res = await get(url);
      expect(res.statusCode).toBe(404);
      expect(res.json().message).toContain("no intersection 'nowhere'");
    }
  });

  it('answers bad parameters with 400 naming the parameter', async () => {
    const cases: [string, string][] = [
      ['/api/intersections/a/counts?every=fast', 'every'],
      ['/api/intersections/a/counts?every=0', 'every'],
      // beyond 2^53 ms (issue 18.11): was 200 or 503
      ['/api/intersections/a/counts?every=999999999999d', 'every'],
      ['/api/intersections/a/counts?every=9007199254740993', 'every'],
      ['/api/intersections/a/counts?every=32d', 'every'],
      ['/api/intersections/a/counts?to=9999999999999999', 'to'],
      ['/api/intersections/a/counts?from=yesterday', 'from'],
      ['/api/intersections/a/counts?to=later', 'to'],
      [`/api/intersections/a/counts?from=${T0 + 5000}&to=${T0}`, 'from'],
      [`/api/intersections/a/counts?from=0&to=${T0}`, 'from'],
      [`/api/intersections/a/counts?from=${T0}&to=${T0 + 3600_000}&every=1`, 'every'],
      ['/api/intersections/a/counts?colour=red', 'colour'],
      ['/api/intersections/not*an*id', 'id'],
    ];
    for (const [url, parameter] of cases) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(400);
      expect(res.json().parameter, url).toBe(parameter);
      expect(res.json().message, url).toContain(`'${parameter}'`);
    }
  });

  it('reads counts per approach from the store, bucketed', async () => {
    const res = await get(`/api/intersections/a/counts?from=${T0}&to=${T0 + N * 1000}&every=10s`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ intersection: 'a', from: T0, every: 10_000, source: 'embedded' });
    const n = body.rows.filter((r: { approach: string }) => r.approach === 'N');
    expect(n.map((r: { count: number }) => r.count)).toEqual([40, 40, 40]);
    const e = body.rows.filter((r: { approach: string }) => r.approach === 'E');
    expect(e.reduce((s: number, r: { count: number }) => s + r.count, 0)).toBe(2 * N);
    // defaults: the 15 minutes up to the newest counts
    const d = (await get('/api/intersections/a/counts')).json();
    expect(d.to).toBe(T0 + N * 1000);
    expect(d.to - d.from).toBe(15 * 60_000);
    expect(d.rows.length).toBeGreaterThan(0);
  });

  it('serves health, metrics, the OpenAPI document and the page', async () => {
    expect((await get('/api/health')).json()).toMatchObject({
      status: 'ok',
      mqtt: true,
      intersections: 2,
    });
    const metrics = await get('/metrics');
    expect(metrics.body).toMatch(/^openphase_dashboard_intersections 2$/m);
    expect(metrics.body).toContain('openphase_collector_messages_received_total');
    const doc = (await get('/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/intersections',
        '/api/intersections/{id}',
        '/api/intersections/{id}/counts',
        '/api/health',
      ]),
    );
    const page = await fetch(base);
    expect(await page.text()).toContain('<svg id="map"');
    const js = await fetch(new URL('/build/app.js', base));
    expect(js.headers.get('content-type')).toContain('javascript');
    expect((await js.text()).length).toBeGreaterThan(10_000);
    expect((await fetch(new URL('/build/app.css', base))).status).toBe(200);
  });
});

describe('live feed and MQTT over WebSocket', () => {
  it('sends a snapshot, then signal changes, counts and overrides as compact JSON', async () => {
    const ws = new WebSocket(new URL('/live', base.replace('http', 'ws')));
    const events: LiveEvent[] = [];
    ws.on('message', (data) => events.push(...(JSON.parse(String(data)) as LiveEvent[])));
    await until(() => events.length > 0, 'the snapshot');
    expect(events).toContainEqual(
      expect.objectContaining({
        k: 'sig',
        i: 'a',
        p: 'ns',
        m: expect.objectContaining({ 'N-through': 'G', 'E-through': 'r' }),
      }),
    );
    const override = { kind: 'minGreen' as const, atMs: T0 + 40_000, requested: 'ns' };
    await send('a/signal', signalAt(T0 + 40_000, 'ew', [override]), true);
    await send('a/counts/a-det', countsAt(N));
    await until(() => events.some((e) => e.k === 'ovr'), 'the override');
    await until(() => events.some((e) => e.k === 'cnt' && e.t === T0 + (N + 1) * 1000), 'counts');
    expect(events).toContainEqual({
      k: 'sig',
      i: 'a',
      t: T0 + 40_000,
      p: 'ew',
      iv: 'green',
      m: { 'N-through': 'r', 'S-through': 'r', 'E-through': 'G', 'W-through': 'G' },
      c: 'ctl-1',
    });
    expect(events).toContainEqual({ k: 'ovr', i: 'a', o: [override] });
    await until(() => events.some((e) => e.k === 'ctr' && e.c.overrides === 1), 'the counters');
    ws.close();
  });

  it('counts invalid messages as rejected and keeps going', async () => {
    const before = source.counters().rejected;
    await pub.publishAsync('traffic/v1/a/counts/a-det', '{"v":1,"sensor":"a-det"}', { qos: 1 });
    await pub.publishAsync('traffic/v1/a/signal', 'not json', { qos: 1 });
    await until(() => source.counters().rejected >= before + 2, 'the rejections');
    expect((await get('/api/intersections/a')).json().signal.phase).toBe('ew');
  });

  it('serves MQTT over WebSocket at /mqtt on the same port', async () => {
    const ws = await mqtt.connectAsync(`${base.replace('http', 'ws')}mqtt`, {
      clientId: 'browser-like',
      reconnectPeriod: 0,
    });
    const got = new Promise<string>((resolve) => ws.once('message', (t) => resolve(t)));
    await ws.subscribeAsync('traffic/v1/b/config');
    expect(await got).toBe('traffic/v1/b/config');
    await ws.endAsync();
  });

  it('refuses other upgrade paths', async () => {
    const ws = new WebSocket(new URL('/elsewhere', base.replace('http', 'ws')));
    const result = await new Promise<string>((resolve) => {
      ws.once('open', () => resolve('open'));
      ws.once('error', () => resolve('error'));
    });
    expect(result).toBe('error');
  });
});
