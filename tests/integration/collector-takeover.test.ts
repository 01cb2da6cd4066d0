/**
 * Two collectors started with the same client id take the persistent session from each other.
 * They must say so (`MQTT_SESSION_TAKEN_OVER`), back off, and never write a false `ingest_gaps`
 * record: the messages one did not see went to the other, nothing was lost — and indeed every
 * count the broker acknowledged is in one collector's store or the other's.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBroker } from '../../broker/index.ts';
import { type Collector, createCollector } from '../../collector/index.ts';
import { type Counts, topics } from '../../protocol/index.ts';
import { connectAs, fixtureRegistry, passwordOf, sleep, until } from './broker-fixtures.ts';

const T = topics('traffic');
let broker: ReturnType<typeof createBroker>;
let url: string;
let sensor: MqttClient;
const collectors: Collector[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  broker = createBroker({ port: 0, devices: fixtureRegistry(), log: () => {} });
  ({ url } = await broker.start());
});

afterAll(async () => {
  await sensor?.endAsync();
  for (const c of collectors) await c.close();
  await broker?.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The seqs of sensor s1 in an embedded store's files. */
function storedSeqs(dir: string): Set<number> {
  const seqs = new Set<number>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.lp'))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line.startsWith('counts,') || !line.includes('sensor=s1')) continue;
      const m = / (?:.*,)?seq=(\d+)i/.exec(line);
      if (m) seqs.add(Number(m[1]));
    }
  }
  return seqs;
}

it('two collectors with one client id: takeover logged, no false gap, nothing lost', async () => {
  const logs: string[][] = [[], []];
  const dataDirs: string[] = [];
  for (const i of [0, 1]) {
    const dir = mkdtempSync(join(tmpdir(), `op-takeover-${i}-`));
    dirs.push(dir);
    dataDirs.push(join(dir, 'points'));
    const c = createCollector({
      mqttUrl: url,
      username: 'col',
      password: passwordOf('col'),
      clientId: 'col', // both: the same persistent session
      sink: { kind: 'embedded', dir: join(dir, 'points') },
      spoolDir: join(dir, 'spool'),
      flushMs: 50,
      logEveryMs: 0,
      log: (l) => logs[i]!.push(l),
    });
    collectors.push(c);
    await c.start();
  }
  sensor = await connectAs(url, 's1');
  const acked = new Set<number>();
  const T0 = Date.now();
  const end = T0 + 12_000;
  for (let seq = 0; Date.now() < end; seq++) {
    const counts: Counts = {
      v: 1,
      sensor: 's1',
      boot: 'boot-takeover',
      seq,
      from: T0 + seq * 100,
      to: T0 + seq * 100 + 100,
      detectors: [{ id: 'N-through-stop', count: 1 }],
    };
    await sensor.publishAsync(T.counts('a', 's1'), JSON.stringify(counts), { qos: 1 });
    acked.add(seq);
    await sleep(20);
  }
  // whoever holds the session now receives the rest; the other may be waiting to come back
  await until(
    () => collectors.some((c) => c.stats().connected !== false),
    'one collector connected',
    70_000,
  );
  await sleep(3000); // past the 2 s reorder window: a false gap would be declared by now
  for (const c of collectors) await c.drained();

  const all = [...logs[0]!, ...logs[1]!].join('\n');
  expect(collectors.map((c) => c.stats().gapRecords)).toEqual([0, 0]);
  expect(all).not.toMatch(/collector: gap:/);
  expect(all).toMatch(/MQTT_SESSION_TAKEN_OVER.*client id 'col'/);
  expect(collectors.reduce((n, c) => n + c.stats().takeovers, 0)).toBeGreaterThan(0);

  await until(
    () => {
      const union = new Set([...storedSeqs(dataDirs[0]!), ...storedSeqs(dataDirs[1]!)]);
      return [...acked].every((s) => union.has(s));
    },
    'every acknowledged count stored by one of the two',
    70_000,
  );
}, 180_000);
