/**
 * `npm run bench:from-store`: the full-day round trip of `openphase scenario from-store` (the
 * test, tests/integration/scenario-from-store.test.ts, runs a 4-hour morning). The bundled
 * grid-3x3 with a weekday shape (night, morning peak, evening peak) and per-movement detectors
 * is simulated for three whole days, its counts published to a broker and stored by the collector
 * in a real InfluxDB 1.x; rows 0 and 2 are counted at the stop bar only, row 1 by advance
 * detectors. Day 3 has a 2-hour outage of r1c1's sensor (16:00–18:00, the evening peak).
 * Each day is rebuilt from the store and its hourly flows per movement compared with the
 * simulation's true arrivals. Writes bench-results/from-store.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt from 'mqtt';
import { createBroker } from '../broker/index.ts';
import { createCollector } from '../collector/index.ts';
import { historyFor } from '../collector/sinks/registry.ts';
import type { IntersectionConfig } from '../protocol/index.ts';
import { startInfluxDB } from '../rigs/influxdb.ts';
import {
  dayScenario,
  hourlyErrors,
  publishedConfig,
  rebuiltHourly,
  simulateDay,
} from '../rigs/store-roundtrip.ts';
import { loadScenario } from '../simulator/index.ts';
import { configsFromDir } from '../store-scenario/configs.ts';
import { scenarioFromStore } from '../store-scenario/from-store.ts';
import { dayOf } from '../store-scenario/zone.ts';

/** Share of the bundled flows per hour of a weekday (00:00 … 23:00). */
const WEEKDAY = [
  0.15, 0.1, 0.08, 0.08, 0.12, 0.3, 0.6, 0.95, 1.15, 0.9, 0.75, 0.75, 0.8, 0.8, 0.75, 0.8, 0.95,
  1.15, 1.1, 0.85, 0.6, 0.45, 0.35, 0.25,
];
const DATES = ['2026-03-02', '2026-03-03', '2026-03-04'];
const OUTAGE = { detector: 'r1c1/*', kind: 'dropout' as const, fromS: 16 * 3600, toS: 18 * 3600 };

const wall0 = performance.now();
const cpu0 = process.cpuUsage();
const base = await loadScenario('grid-3x3');
const stopBarOnly = new Set(
  base.intersections.map((c) => c.id).filter((id) => !id.startsWith('r1')),
);
const days = DATES.map((date, i) =>
  simulateDay(
    dayScenario(
      { ...base, seed: (base.seed ?? 1) + i },
      {
        shape: WEEKDAY,
        startAtMs: dayOf(date).startMs,
        countIntervalS: 60,
        ...(i === 2 ? { faults: [OUTAGE] } : {}),
      },
    ),
    stopBarOnly,
  ),
);
const simS = (performance.now() - wall0) / 1000;

const dir = mkdtempSync(join(tmpdir(), 'op-bench-from-store-'));
const influx = await startInfluxDB();
const broker = createBroker({
  host: '127.0.0.1',
  port: 0,
  insecure: true,
  rateLimit: false,
  maxPayloadBytes: 256 * 1024,
  log: () => {},
});
const store = { kind: 'influx-v1' as const, url: influx.url, database: 'city' };
try {
  const url = (await broker.start()).url;
  const collector = createCollector({
    mqttUrl: url,
    clientId: 'collector-bench',
    sink: { ...store, createDatabase: true },
    spoolDir: join(dir, 'spool'),
    logEveryMs: 0,
    log: () => {},
  });
  await collector.start();
  const pub = await mqtt.connectAsync(url, { clientId: 'city-sensors', clean: true });
  for (const c of base.intersections)
    await pub.publishAsync(
      `traffic/v1/${c.id}/config`,
      JSON.stringify(publishedConfig(c as IntersectionConfig, stopBarOnly.has(c.id))),
      { qos: 1, retain: true },
    );
  const messages = days.flatMap((d) => d.messages);
  const ingest0 = performance.now();
  for (let i = 0; i < messages.length; i += 500)
    await Promise.all(
      messages.slice(i, i + 500).map(([t, p]) => pub.publishAsync(t, p, { qos: 1 })),
    );
  while ((collector.stats().receivedByKind.counts ?? 0) < messages.length)
    await new Promise((r) => setTimeout(r, 100));
  await collector.drained();
  const ingestS = (performance.now() - ingest0) / 1000;
  await pub.endAsync();
  await collector.close();

  const { configs } = configsFromDir(join(dir, 'spool', 'configs'));
  const results = [];
  for (const [i, date] of DATES.entries()) {
    const t0 = performance.now();
    const { scenario, demand } = await scenarioFromStore({
      reader: historyFor(store),
      store: 'bench',
      configs,
      days: [dayOf(date)],
      fillDays: 2,
    });
    const rebuildS = (performance.now() - t0) / 1000;
    const errors = hourlyErrors(days[i]!.truth, rebuiltHourly(scenario));
    const outage = (e: (typeof errors)[number]) =>
      i === 2 && e.key.startsWith('r1c1/') && e.hour >= 16 && e.hour < 18;
    const summary = (pick: (e: (typeof errors)[number]) => boolean) => {
      const es = errors.filter(pick);
      const abs = es.map((e) => Math.abs(e.error)).sort((a, b) => a - b);
      return {
        hours: es.length,
        within10pct: es.filter((e) => Math.abs(e.error) <= 0.1).length,
        meanAbsErrorPct: Math.round((abs.reduce((s, v) => s + v, 0) / abs.length) * 1000) / 10,
        p95AbsErrorPct: Math.round(abs[Math.floor(abs.length * 0.95)]! * 1000) / 10,
        maxAbsErrorPct: Math.round(abs.at(-1)! * 1000) / 10,
        worst: es.reduce((w, e) => (Math.abs(e.error) > Math.abs(w.error) ? e : w)),
        // a night hour of 4 vehicles is 25 % off by one vehicle: the hours with 20 or more apart
        hoursOf20Veh: es.filter((e) => e.truth >= 20).length,
        within10pctOf20Veh: es.filter((e) => e.truth >= 20 && Math.abs(e.error) <= 0.1).length,
      };
    };
    const ic = (e: (typeof errors)[number]) => e.key.split('/')[0]!;
    results.push({
      date,
      rebuildS: Math.round(rebuildS * 100) / 100,
      coverage: demand.coverage,
      gaps: demand.gaps.length,
      gapStretches: [
        ...new Set(
          demand.gaps.map((g) => `${g.date} ${g.from}-${g.to} from ${g.fromDays.join('+')}`),
        ),
      ],
      saturatedStretches: demand.saturated.length,
      stopBar: summary((e) => stopBarOnly.has(ic(e)) && !outage(e)),
      advance: summary((e) => !stopBarOnly.has(ic(e)) && !outage(e)),
      ...(i === 2 ? { filledOutageHours: summary(outage) } : {}),
    });
  }
  const cpu = process.cpuUsage(cpu0);
  const result = {
    scenario: 'grid-3x3, weekday shape, per-movement detectors, counts every 60 s',
    days: DATES,
    messages: messages.length,
    simulateWallS: Math.round(simS * 10) / 10,
    ingestWallS: Math.round(ingestS * 10) / 10,
    cpuS: Math.round(((cpu.user + cpu.system) / 1e6) * 10) / 10,
    wallS: Math.round((performance.now() - wall0) / 100) / 10,
    machine: { cores: cpus().length, load1: loadavg()[0] },
    results,
  };
  for (const r of results)
    console.log(
      `${r.date}: coverage ${(r.coverage * 100).toFixed(1)} %, stop bar ${r.stopBar.within10pct}/${r.stopBar.hours} hours within ±10 % (${r.stopBar.within10pctOf20Veh}/${r.stopBar.hoursOf20Veh} of the hours with 20+ vehicles; mean ${r.stopBar.meanAbsErrorPct} %, max ${r.stopBar.maxAbsErrorPct} %), advance ${r.advance.within10pct}/${r.advance.hours} (${r.advance.within10pctOf20Veh}/${r.advance.hoursOf20Veh}; mean ${r.advance.meanAbsErrorPct} %, max ${r.advance.maxAbsErrorPct} %)` +
        (r.filledOutageHours
          ? `; filled outage hours ${r.filledOutageHours.within10pct}/${r.filledOutageHours.hours} within ±10 % (mean ${r.filledOutageHours.meanAbsErrorPct} %)`
          : ''),
    );
  console.log(
    `${messages.length} messages; simulate ${result.simulateWallS} s, ingest ${result.ingestWallS} s, total ${result.wallS} s wall, ${result.cpuS} s CPU; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}`,
  );
  const out = join(
    dirname(fileURLToPath(import.meta.url)),
    '..',
    'bench-results',
    'from-store.json',
  );
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${out}`);
} finally {
  await broker.close();
  await influx.stop();
  rmSync(dir, { recursive: true, force: true });
}
