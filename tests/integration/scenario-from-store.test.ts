/**
 * `openphase scenario from-store`, the round trip on real services: the bundled grid-3x3 given a
 * day shape and per-movement detectors, simulated for two mornings (06:00–10:00 UTC, a shortened
 * day: docs/scenarios.md has the full-day figures of `npm run bench:from-store`), its counts
 * published to a broker, stored by the collector in a real InfluxDB 1.x; then the scenario
 * rebuilt from the store. Rows 0 and 2 are counted at the stop bar only, row 1 by advance
 * detectors. On the second morning r1c1's sensor is out for two hours: the gap is filled from the
 * first morning and reported. The InfluxDB 2.x/3.x reader is checked through a token-checking
 * stand-in for their v1-compatible /query in front of the real 1.x (none of them installs here);
 * the command's file runs in `simulate` and `bench`, whose report names its origin.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { createBroker } from '../../broker/index.ts';
import { type Collector, createCollector } from '../../collector/index.ts';
import { toPoints } from '../../collector/points.ts';
import { indexConfig } from '../../collector/schema.ts';
import { createEmbeddedSink } from '../../collector/sinks/embedded/index.ts';
import { historyFor } from '../../collector/sinks/registry.ts';
import { type IntersectionConfig, type Scenario, validateScenario } from '../../protocol/index.ts';
import { type InfluxDBServer, startInfluxDB } from '../../rigs/influxdb.ts';
import { BIN, ROOT } from '../../rigs/openphase.ts';
import {
  dayScenario,
  hourlyErrors,
  publishedConfig,
  rebuiltHourly,
  type SimulatedDay,
  simulateDay,
} from '../../rigs/store-roundtrip.ts';
import { loadScenario } from '../../simulator/index.ts';
import { configsFromDir, configsFromMqtt } from '../../store-scenario/configs.ts';
import { scenarioFromStore } from '../../store-scenario/from-store.ts';
import { dayOf, parseHours } from '../../store-scenario/zone.ts';
import { connect, publishAll, waitFor } from './collector-traffic.ts';

const DAY1 = '2026-03-02';
const DAY2 = '2026-03-03';
const HOURS = '06:00-10:00';
const SHAPE = [0.7, 1.0, 1.15, 0.85];
/** r1c1's sensor sends nothing from 07:00 to 09:00 on the second morning */
const OUTAGE = { detector: 'r1c1/*', kind: 'dropout' as const, fromS: 3600, toS: 3 * 3600 };

let influx: InfluxDBServer;
let broker: ReturnType<typeof createBroker>;
let collector: Collector;
let pub: MqttClient;
let dir: string;
let brokerUrl: string;
let base: Scenario;
let stopBarOnly: Set<string>;
let days: Record<string, SimulatedDay>;
const store = () => ({ kind: 'influx-v1' as const, url: influx.url, database: 'city' });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'op-from-store-'));
  base = await loadScenario('grid-3x3');
  stopBarOnly = new Set(base.intersections.map((c) => c.id).filter((id) => !id.startsWith('r1')));
  const start = (date: string) => dayOf(date).startMs + parseHours(HOURS).fromMs;
  days = {
    [DAY1]: simulateDay(
      dayScenario(base, { shape: SHAPE, startAtMs: start(DAY1), countIntervalS: 60 }),
      stopBarOnly,
    ),
    // another seed: another morning's vehicles
    [DAY2]: simulateDay(
      dayScenario(
        { ...base, seed: (base.seed ?? 1) + 1 },
        { shape: SHAPE, startAtMs: start(DAY2), countIntervalS: 60, faults: [OUTAGE] },
      ),
      stopBarOnly,
    ),
  };
  influx = await startInfluxDB();
  broker = createBroker({
    host: '127.0.0.1',
    port: 0,
    insecure: true,
    rateLimit: false,
    maxPayloadBytes: 256 * 1024,
    log: () => {},
  });
  const url = (await broker.start()).url;
  brokerUrl = url;
  collector = createCollector({
    mqttUrl: url,
    clientId: 'collector-from-store',
    sink: { ...store(), createDatabase: true },
    spoolDir: join(dir, 'spool'),
    logEveryMs: 0,
    log: () => {},
  });
  await collector.start();
  pub = await connect(url, 'city-sensors');
  for (const c of base.intersections) {
    const config = publishedConfig(c as IntersectionConfig, stopBarOnly.has(c.id));
    await pub.publishAsync(`traffic/v1/${c.id}/config`, JSON.stringify(config), {
      qos: 1,
      retain: true,
    });
  }
  await waitFor('the configs', () => (collector.stats().receivedByKind.config ?? 0) >= 9);
  const messages = [...days[DAY1]!.messages, ...days[DAY2]!.messages];
  await publishAll(pub, messages);
  await waitFor(
    'every counts message',
    () => (collector.stats().receivedByKind.counts ?? 0) >= messages.length,
    60_000,
  );
  await collector.drained();
}, 180_000);

afterAll(async () => {
  await pub?.endAsync();
  await collector?.close();
  await broker?.close();
  await influx?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function rebuild(date: string) {
  const { configs } = configsFromDir(join(dir, 'spool', 'configs'));
  return scenarioFromStore({
    reader: historyFor(store()),
    store: 'test',
    configs,
    days: [dayOf(date)],
    hours: parseHours(HOURS),
    fillDays: 1,
  });
}

/** The worst hourly error per counting position, outside `skip` (intersection, hour) pairs. */
function worst(date: string, scenario: Scenario, skip = (_ic: string, _h: number) => false) {
  const errors = hourlyErrors(days[date]!.truth, rebuiltHourly(scenario)).filter(
    (e) => !skip(e.key.split('/')[0]!, e.hour),
  );
  const of = (stop: boolean) =>
    errors
      .filter((e) => stopBarOnly.has(e.key.split('/')[0]!) === stop)
      .reduce((w, e) => (Math.abs(e.error) > Math.abs(w.error) ? e : w));
  return { stopBar: of(true), advance: of(false), n: errors.length };
}

describe('scenario from-store: grid-3x3 through the collector and InfluxDB 1.x', () => {
  it('rebuilds every movement, hour by hour, within ±10 % at stop bars and at advance detectors', async () => {
    const { scenario, demand } = await rebuild(DAY1);
    expect(validateScenario(scenario).ok).toBe(true);
    expect(scenario.intersections.map((c) => c.id)).toEqual(base.intersections.map((c) => c.id));
    expect(scenario.durationS).toBe(4 * 3600);
    expect(scenario.startAtMs).toBe(Date.parse(`${DAY1}T06:00:00Z`));
    expect(demand.coverage).toBe(1);
    expect(demand.gaps).toEqual([]);
    // stop-bar rows counted at the stop bar, row 1 from its advance detectors
    const sources = new Set(demand.movements.map((m) => `${m.intersection[1]}:${m.source}`));
    expect([...sources].sort()).toEqual(['0:stop-bar', '1:advance', '2:stop-bar']);
    const w = worst(DAY1, scenario);
    expect(w.n).toBe(9 * 12 * 4); // every movement of every intersection, every hour
    expect(Math.abs(w.stopBar.error)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(w.advance.error)).toBeLessThanOrEqual(0.1);
    expect(scenario.origin).toMatchObject({
      source: 'store',
      days: [DAY1],
      hours: HOURS,
      timeZone: 'UTC',
      coverage: 1,
    });
  }, 60_000);

  it('fills a 2-hour sensor outage from the same bins of the other day, and reports it', async () => {
    const { scenario, demand, report } = await rebuild(DAY2);
    // the detectors the demand comes from: r1c1's advance ones
    const r1c1 = publishedConfig(
      base.intersections.find((c) => c.id === 'r1c1') as IntersectionConfig,
      false,
    ).detectors!.filter((d) => d.kind === 'advance');
    // one stretch per r1c1 detector, 07:00–09:00, from the first morning; nothing else missing
    expect(demand.gaps).toHaveLength(r1c1.length);
    for (const g of demand.gaps)
      expect(g).toMatchObject({
        intersection: 'r1c1',
        date: DAY2,
        from: '07:00',
        to: '09:00',
        how: 'filled',
        fromDays: [DAY1],
      });
    expect(report.filter((l) => l.startsWith('filled: r1c1/'))).toHaveLength(r1c1.length);
    expect(scenario.origin?.gaps).toHaveLength(r1c1.length);
    expect(demand.coverage).toBeCloseTo(1 - (2 / 4) * (r1c1.length / (9 * 12)), 4);
    // the filled bins (07:00–09:00: bins 4–11) hold the first morning's flows, not zero
    const first = (await rebuild(DAY1)).demand.movements;
    for (const m of demand.movements.filter((x) => x.intersection === 'r1c1')) {
      const same = first.find((x) => x.intersection === 'r1c1' && x.movement === m.movement)!;
      expect(m.flowVph.slice(4, 12)).toEqual(same.flowVph.slice(4, 12));
      expect(Math.min(...m.flowVph.slice(4, 12))).toBeGreaterThan(0);
    }
    // everywhere and every hour the sensors reported: within ±10 % of the second morning
    const w = worst(DAY2, scenario, (ic, h) => ic === 'r1c1' && (h === 1 || h === 2));
    expect(Math.abs(w.stopBar.error)).toBeLessThanOrEqual(0.1);
    expect(Math.abs(w.advance.error)).toBeLessThanOrEqual(0.1);
  }, 60_000);

  it('InfluxDB 2.x/3.x: the same history through the v1-compatible /query with a token', async () => {
    // Stands in for InfluxDB 2.x/3.x: checks the token and the bucket, then asks the real 1.x.
    const seen: string[] = [];
    const server = createServer(async (req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      seen.push(
        `${req.method} ${u.pathname} db=${u.searchParams.get('db')} ${req.headers.authorization}`,
      );
      if (req.headers.authorization !== 'Token s3cret' || u.searchParams.get('db') !== 'traffic') {
        res.writeHead(401).end('{"error":"unauthorized"}');
        return;
      }
      u.searchParams.set('db', 'city');
      const answer = await fetch(`${influx.url}/query?${u.searchParams}`);
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const q = {
        intersections: ['r1c1'],
        fromMs: dayOf(DAY2).startMs,
        toMs: dayOf(DAY2).endMs,
        binMs: 900_000,
      };
      const v2 = await historyFor({
        kind: 'influx-v2',
        url,
        token: 's3cret',
        org: 'city',
        bucket: 'traffic',
      }).detectorBins(q);
      expect(v2).toEqual(await historyFor(store()).detectorBins(q));
      expect(v2.length).toBeGreaterThan(0);
      expect(seen[0]).toBe('GET /query db=traffic Token s3cret');
      await expect(
        historyFor({
          kind: 'influx-v2',
          url,
          token: 'wrong',
          org: 'city',
          bucket: 'traffic',
        }).detectorBins(q),
      ).rejects.toThrow(/answered 401/);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('every store gives the same bins: the embedded store, and the configs retained on the broker', async () => {
    const { configs } = await configsFromMqtt(brokerUrl, {}, 500);
    expect(configs.map((c) => c.id)).toEqual(base.intersections.map((c) => c.id));
    expect(configs).toEqual(configsFromDir(join(dir, 'spool', 'configs')).configs);
    // the first morning's counts, mapped as the collector maps them, into the embedded store
    const index = new Map(configs.map((c) => [c.id, indexConfig(c)]));
    const sink = createEmbeddedSink({ dir: join(dir, 'embedded') });
    for (const [topic, payload] of days[DAY1]!.messages)
      await sink.write(
        toPoints(topic, payload, {
          root: 'traffic',
          intersections: index,
          receivedMs: 0,
          rejectSeq: 0,
        }).points,
      );
    await sink.close?.();
    const q = { fromMs: dayOf(DAY1).startMs, toMs: dayOf(DAY1).endMs, binMs: 900_000 };
    const embedded = await historyFor({
      kind: 'embedded',
      dir: join(dir, 'embedded'),
    }).detectorBins(q);
    expect(embedded.length).toBe(9 * 24 * 16 - 6 * 12 * 16); // advance readings left out of 6 intersections
    expect(embedded).toEqual(await historyFor(store()).detectorBins(q));
  });

  it('the command writes a scenario that simulate and bench run, the report naming its origin', async () => {
    const out = join(dir, 'rebuilt.yaml');
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          process.execPath,
          [BIN, ...args],
          { cwd: ROOT, timeout: 120_000 },
          (err, stdout, stderr) =>
            resolve({
              code: err ? Number((err as { code?: number }).code ?? 1) : 0,
              stdout,
              stderr,
            }),
        ),
      );
    const made = await run([
      'scenario',
      'from-store',
      '--influx-url',
      influx.url,
      '--influx-db',
      'city',
      '--config-dir',
      join(dir, 'spool', 'configs'),
      '--day',
      DAY2,
      '--hours',
      HOURS,
      '--fill-days',
      '1',
      '--out',
      out,
    ]);
    expect(made.stderr).toMatch(/^coverage: 9\d\.\d %/m);
    expect(made.stderr).toMatch(
      /^filled: r1c1\/N-through-adv 2026-03-03 07:00–09:00 from the same bins on 2026-03-02$/m,
    );
    expect(made.code).toBe(0);
    // the same summary in French: no English line left
    const fr = await run([
      'scenario',
      'from-store',
      '--influx-url',
      influx.url,
      '--influx-db',
      'city',
      '--config-dir',
      join(dir, 'spool', 'configs'),
      '--day',
      DAY2,
      '--hours',
      HOURS,
      '--fill-days',
      '1',
      '--out',
      `${out}.fr.yaml`,
      '--lang',
      'fr',
    ]);
    expect(fr.code).toBe(0);
    expect(fr.stderr).toMatch(/^couverture\u202f: comptages stockés sur 9\d,\d\s% du temps/m);
    expect(fr.stderr).toMatch(
      /^complété\u202f: r1c1\/N-through-adv 2026-03-03 07:00–09:00 à partir des mêmes tranches horaires du 2026-03-02$/m,
    );
    expect(fr.stderr).toMatch(
      /^openphase scenario\u202f: \S+ écrit\u202f: 9 carrefours, \d+ mouvements$/m,
    );
    expect(fr.stderr).not.toMatch(/coverage|filled|interpolated|saturated|wrote|intersections/);
    const scenario = YAML.parse(readFileSync(out, 'utf8')) as Scenario;
    expect(scenario.origin?.days).toEqual([DAY2]);
    const sim = await run(['simulate', '--scenario', out, '--duration', '900', '--json']);
    expect(sim.code).toBe(0);
    const result = JSON.parse(sim.stdout) as {
      metrics: { arrived: number };
      perIntersection: unknown[];
    };
    expect(result.perIntersection).toHaveLength(9);
    expect(result.metrics.arrived).toBeGreaterThan(0);
    // …and bench, whose report names where the scenario came from
    const benchOut = join(dir, 'bench');
    const bench = await run([
      'bench',
      '--scenario',
      out,
      '--seeds',
      '2',
      '--controller',
      'builtin:fixed-time',
      '--duration',
      '300',
      '--out',
      benchOut,
    ]);
    expect(bench.code).toBe(0);
    const card = JSON.parse(readFileSync(join(benchOut, 'scorecard.json'), 'utf8'));
    expect(card.manifest.scenarios[0].origin).toMatchObject({
      intersectionCount: 9,
      days: [DAY2],
      hours: HOURS,
      filledGaps: 12,
    });
    expect(readFileSync(join(benchOut, 'report.html'), 'utf8')).toMatch(
      /data-origin>Origin: stored counts of r0c0, r0c1, r0c2, r1c0 and 5 more; 2026-03-03, 06:00-10:00 \(UTC\); 9\d% of detector time covered; 12 gaps filled from other days</,
    );
  }, 240_000);
});
