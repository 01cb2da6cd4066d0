/**
 * The demo with INFLUX_URL/INFLUX_DB pointing at a real InfluxDB 1.6.7: the collector writes
 * the city's counts there, and the dashboard's counts API (what the charts draw) reads them
 * back from there — the same sums InfluxDB itself gives. Ends with SIGTERM: exit 0.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type DemoProcess, startDemo } from '../../rigs/demo-process.ts';
import { type InfluxDBServer, startInfluxDB } from '../../rigs/influxdb.ts';

const DB = 'openphase_demo';
let influx: InfluxDBServer;
let demo: DemoProcess;

beforeAll(async () => {
  influx = await startInfluxDB();
  demo = await startDemo(['--speed', '10'], { INFLUX_URL: influx.url, INFLUX_DB: DB });
}, 60_000);

afterAll(async () => {
  await demo?.stop('SIGKILL');
  await influx?.stop();
});

interface CountsReply {
  source: string;
  from: number;
  to: number;
  rows: { t: number; approach: string; count: number }[];
}

it('writes the counts to InfluxDB and charts them from there', async () => {
  expect(demo.stdout()).toContain(`InfluxDB ${influx.url} database ${DB}`);
  // wait until a minute of simulated traffic is in InfluxDB
  let reply: CountsReply | undefined;
  const deadline = Date.now() + 40_000;
  for (;;) {
    const res = await fetch(new URL('/api/intersections/r0c0/counts?every=10s', demo.url));
    const body = await res.json();
    // just after start the API may not know r0c0 yet (404) or reach the database yet (503)
    reply = res.ok ? (body as CountsReply) : undefined;
    const total = reply?.rows.reduce((s, r) => s + r.count, 0) ?? 0;
    if (reply && reply.rows.length > 0 && reply.to - reply.from > 0 && total > 10) break;
    if (Date.now() > deadline)
      throw new Error(`no counts after 40 s: ${res.status} ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  expect(reply.source).toBe('influx-v1');
  // the same closed window, from the API and straight from InfluxDB
  const from = reply.rows[0]!.t;
  const to = from + 30_000;
  const api = (await (
    await fetch(new URL(`/api/intersections/r0c0/counts?from=${from}&to=${to}&every=30s`, demo.url))
  ).json()) as CountsReply;
  const direct = await influx.query(
    `SELECT sum("count") FROM "counts" WHERE "intersection" = 'r0c0' AND time >= ${from}ms AND time < ${to}ms GROUP BY "approach"`,
    DB,
  );
  const series = direct.results[0]?.series ?? [];
  expect(series.length).toBeGreaterThan(0);
  const fromInflux = Object.fromEntries(
    series.map((s) => [s.tags?.approach ?? 'unknown', Number(s.values[0]?.[1])]),
  );
  const fromApi = Object.fromEntries(api.rows.map((r) => [r.approach, r.count]));
  expect(fromApi).toEqual(fromInflux);
  expect(Object.values(fromApi).reduce((s, n) => s + n, 0)).toBeGreaterThan(0);
}, 60_000);

it('stops on SIGTERM with exit 0', async () => {
  expect(await demo.stop('SIGTERM')).toBe(0);
});
