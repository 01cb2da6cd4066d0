/**
 * `openphase measures` through real stores: a simulated fixed-time hour (random arrivals,
 * actuations on) mapped by the collector's mapping and written by the real sinks into
 * InfluxDB 1.x (influxd) and the embedded store, read back by the measures' readers. Volumes
 * equal the stored counts exactly; the two stores give the same measures; the hour spans the
 * Europe/Paris fall-back, so the 15-minute bins are cut on the local wall clock.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedSink } from '../../collector/sinks/embedded/store.ts';
import { createInfluxV1Sink } from '../../collector/sinks/influx-v1/sink.ts';
import { createRecentWindow } from '../../collector/window.ts';
import { createDashboard, type DashboardSource } from '../../dashboard/index.ts';
import { createStore } from '../../dashboard/store.ts';
import { computeMeasures, type Measures } from '../../measures/index.ts';
import { embeddedMeasures, influxV1Measures } from '../../measures/read/index.ts';
import { type InfluxDBServer, startInfluxDB } from '../../rigs/influxdb.ts';
import { BIN, spawnOpenphase } from '../../rigs/openphase.ts';
import { fixedTimeScenario, type StoredRun, simulateToPoints } from '../helpers/measures-sim.ts';

const run_ = promisify(execFile);
let influx: InfluxDBServer;
let run: StoredRun;
let dir: string;
/** 25 October 2026, 00:30 UTC = 02:30 CEST; an hour later it is 02:30 CET */
const START = Date.UTC(2026, 9, 25, 0, 30);

beforeAll(async () => {
  run = simulateToPoints(fixedTimeScenario(0.5, 3600, START));
  influx = await startInfluxDB();
  await influx.query('CREATE DATABASE op');
  dir = mkdtempSync(join(tmpdir(), 'op-measures-'));
  const sinks = [
    createInfluxV1Sink({ url: influx.url, database: 'op' }),
    createEmbeddedSink({ dir }),
  ];
  for (const sink of sinks) {
    for (let k = 0; k < run.points.length; k += 5000)
      await sink.write(run.points.slice(k, k + 5000));
    await sink.close?.();
  }
}, 120_000);

afterAll(async () => {
  await influx?.stop();
});

const opts = () => ({
  intersection: 'a',
  fromMs: run.startMs,
  toMs: run.endMs,
});

describe('measures from the stores', () => {
  let fromInflux: Measures;
  let fromEmbedded: Measures;

  it('reads InfluxDB 1.x: volumes equal the stored counts exactly', async () => {
    const data = await influxV1Measures({ url: influx.url, database: 'op' }).read(opts());
    fromInflux = computeMeasures(run.config, data, { ...opts(), timeZone: 'Europe/Paris' });
    const stored = await influx.query(
      `SELECT sum("count") AS n FROM "counts" WHERE "intersection" = 'a' GROUP BY "detector"`,
      'op',
    );
    const byDetector = new Map<string, number>(
      stored.results[0]!.series!.map((s) => [s.tags!.detector!, Number(s.values[0]![1])]),
    );
    for (const a of fromInflux.approaches) {
      expect(a.volume).toBeGreaterThan(200);
      expect(a.volume).toBe(a.detectors.reduce((s, d) => s + byDetector.get(d)!, 0));
      expect(a.volume).toBe(a.detectors.reduce((s, d) => s + run.counted.get(d)!, 0));
    }
    for (const g of fromInflux.laneGroups) {
      expect(g.volume).toBe(byDetector.get(`${g.laneGroup}-advance`));
      expect(g.arrivals.arrivals).toBeGreaterThan(200);
      expect(g.splitFailures.cycles).toBeGreaterThanOrEqual(58);
    }
  });

  it('reads the embedded store and gets the same measures', async () => {
    expect(fromInflux).toBeDefined();
    const reader = embeddedMeasures({ dir });
    const data = await reader.read(opts());
    fromEmbedded = computeMeasures(run.config, data, { ...opts(), timeZone: 'Europe/Paris' });
    expect(fromEmbedded).toEqual(fromInflux);
    // a second read skips the files it knows hold nothing in range: here none, same answer
    expect(await reader.read(opts())).toEqual(data);
    const later = { ...opts(), fromMs: run.endMs + 86_400_000, toMs: run.endMs + 90_000_000 };
    expect(await reader.read(later)).toEqual({ signals: [], actuations: [], counts: [] });
  });

  it('bins on the Paris wall clock across the fall-back: 02:30 and 02:45 twice, offsets apart', () => {
    const bins = fromInflux.approaches[0]!.bins.map((b) => `${b.label.slice(11)} ${b.offset}`);
    expect(bins).toEqual(['02:30 +02:00', '02:45 +02:00', '02:00 +01:00', '02:15 +01:00']);
    expect(fromInflux.timeZone).toBe('Europe/Paris');
  });

  it('openphase measures prints them, --from/--to read as Paris wall time, --json the same', async () => {
    const cfg = join(dir, 'a.json');
    writeFileSync(cfg, JSON.stringify(run.config));
    // 02:30 CEST to the second 02:30 (CET): the hour of the run
    const args = [
      'measures',
      '--data-dir',
      dir,
      '--intersection',
      'a',
      '--config',
      cfg,
      '--time-zone',
      'Europe/Paris',
      '--from',
      '2026-10-25T00:30Z',
      '--to',
      '2026-10-25 02:30',
    ];
    // the second 02:30 is not what a wall time means (the first is): the range ends at 00:30Z
    const table = spawnOpenphase(args);
    expect((await table.exited)[0]).toBe(1);
    expect(table.output()).toMatch(/--to must be after --from/);
    args[args.length - 1] = String(run.endMs);
    const text = spawnOpenphase(args);
    expect((await text.exited)[0]).toBe(0);
    expect(text.output()).toMatch(/times: local wall clock in Europe\/Paris/);
    expect(text.output()).toMatch(/^N\s+\d+\s+\d+\s+N-through-advance$/m);
    expect(text.output()).toMatch(/2026-10-25 02:00 \+01:00/);
    // the JSON holds every arrival of the diagram: more than the spawn helper keeps
    const json = await run_(process.execPath, [BIN, ...args, '--json'], {
      maxBuffer: 64 * 1024 * 1024,
    });
    expect(JSON.parse(json.stdout)).toEqual(fromEmbedded);
    // in French: the engineer's terms, decimal commas, no English heading or column left
    const fr = (await run_(process.execPath, [BIN, ...args, '--lang', 'fr'])).stdout;
    expect(fr).toMatch(/heure légale locale, fuseau Europe\/Paris/);
    expect(fr).toMatch(/^Trafic par branche$/m);
    expect(fr).toMatch(
      /^groupe de voies\s+phases\s+arrivées\s+sur vert\s+vert\/cycle\s+rapport de peloton\s+retard s\/véh\s+défaillances de vert/m,
    );
    expect(fr).toMatch(/^branche\s+véhicules\s+véh\/h\s+détecteurs$/m);
    expect(fr).toMatch(/\d,\d/);
    expect(fr).not.toMatch(/\d\.\d/);
    expect(fr).not.toMatch(
      /wall clock|Approach volume|Lane groups|Phase termination|split failures|platoon ratio|\bsevere\b|\bPer \d+ min/,
    );
  }, 60_000);

  it('GET /api/intersections/a/measures answers the same, with the token, bins in the zone', async () => {
    const TOKEN = 'measures-observer-token-0123456789';
    const store = createStore({ reader: createRecentWindow(), log: () => {} });
    store.feed('traffic/v1/a/config', JSON.stringify(run.config), true);
    const source: DashboardSource = {
      ...store,
      start: async () => {},
      close: async () => {},
      connected: () => true,
    };
    const dashboard = createDashboard({
      port: 0,
      source,
      page: false,
      token: TOKEN,
      store: 'embedded',
      timeZone: 'Europe/Paris',
      measures: embeddedMeasures({ dir }),
      log: () => {},
    });
    try {
      await dashboard.app.ready();
      const url = `/api/intersections/a/measures?from=${run.startMs}&to=${run.endMs}`;
      expect((await dashboard.app.inject({ url })).statusCode).toBe(401);
      const headers = { authorization: `Bearer ${TOKEN}` };
      const res = await dashboard.app.inject({ url, headers });
      expect(res.statusCode).toBe(200);
      const body = res.json() as Measures & { source: string };
      expect(body.source).toBe('embedded');
      const { source: _s, ...m } = body;
      expect(m).toEqual(fromEmbedded);
      const bad = await dashboard.app.inject({ url: `${url}&bin=90s`, headers });
      expect(bad.statusCode).toBe(400);
      expect(bad.json().parameter).toBe('bin');
      const none = await dashboard.app.inject({ url: '/api/intersections/zz/measures', headers });
      expect(none.statusCode).toBe(404);
      const list = await dashboard.app.inject({ url: '/api/intersections', headers });
      expect(list.json().timeZone).toBe('Europe/Paris');
    } finally {
      await dashboard.close();
    }
  });
});
