/**
 * Scale-out as deployed: three `openphase collector` processes of one `$share` group on a real
 * Mosquitto 2 configured only from `devices export`, writing to one real InfluxDB 1.x.
 * `devices add --instances 3` gives each its own identity (collector-a-1 … collector-a-3, own
 * passwords, read from 0600 files), so none kicks another off; each has its own spool. One is
 * killed with SIGKILL mid-stream and restarted: the load is shared (each > 20 % of the messages),
 * every point is in InfluxDB exactly once (count and sum per sensor) and no `ingest_gaps` record
 * is made (each collector sees only part of each sensor's stream: its holes are not losses).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { exportMosquitto, loadRegistry, saveRegistry } from '../../broker/index.ts';
import { main } from '../../cli/main.ts';
import { type InfluxDBServer, startInfluxDB } from '../../rigs/influxdb.ts';
import { type MosquittoServer, startMosquitto } from '../../rigs/mosquitto.ts';
import { freePort, waitForPort } from '../../rigs/ports.ts';
import { fixtureRegistry, passwordOf } from './broker-fixtures.ts';
import {
  type CollectorProcess,
  makeTraffic,
  publishAll,
  sleep,
  spawnCollector,
  totalPoints,
  totalsBySensor,
  waitFor,
} from './collector-traffic.ts';

/** Runs `openphase …` in this process and returns what it printed. */
async function op(args: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  try {
    return { code: await main(args), out: out.join('\n') };
  } finally {
    log.mockRestore();
  }
}

/** One collector process and the counts messages it received, over its lives (restarts). */
interface Member {
  id: string;
  args: string[];
  proc: CollectorProcess;
  metricsPort: number;
  /** counts messages received by earlier lives (read before each was killed) */
  before: number;
  /** the latest reading of the current life */
  now: number;
}

async function receivedCounts(port: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const m = /^openphase_collector_messages_received_total\{kind="counts"\} (\S+)$/m.exec(text);
  return Number(m?.[1] ?? 0);
}

describe('three collectors of one $share group on Mosquitto 2 into one InfluxDB', () => {
  const dir = mkdtempSync(join(tmpdir(), 'op-shared-'));
  const file = join(dir, 'devices.yaml');
  const db = 'shared';
  let mosquitto: MosquittoServer;
  let influx: InfluxDBServer;
  let url: string;
  const members: Member[] = [];
  const ids = ['collector-a-1', 'collector-a-2', 'collector-a-3'];

  beforeAll(async () => {
    saveRegistry(file, fixtureRegistry()); // brings the admin 'ops' that publishes
    const added = await op([
      'devices',
      'add',
      '--devices',
      file,
      '--id',
      'collector-a',
      '--role',
      'collector',
      '--intersection',
      '*',
      '--instances',
      '3',
      '--iterations',
      '1000',
    ]);
    expect(added.code).toBe(0);
    const lines = added.out.split('\n');
    const secrets = new Set<string>();
    for (const id of ids) {
      const at = lines.findIndex((l) => l.startsWith(`device ${id}: password`));
      expect(at).toBeGreaterThanOrEqual(0);
      secrets.add(lines[at + 1]!);
      writeFileSync(join(dir, `${id}.password`), `${lines[at + 1]!}\n`, { mode: 0o600 });
    }
    expect(secrets.size).toBe(3); // a secret each
    const port = await freePort();
    exportMosquitto(loadRegistry(file), join(dir, 'conf'), 'traffic', {
      listeners: [{ port, host: '127.0.0.1' }],
      limits: { persistenceDir: join(dir, 'db') },
    });
    [mosquitto, influx] = await Promise.all([
      startMosquitto({ extraConfig: ['log_type notice', `include_dir ${join(dir, 'conf')}`] }),
      startInfluxDB(),
    ]);
    await waitForPort(port, 10_000);
    url = `mqtt://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await Promise.all(members.map((m) => m.proc.stop()));
    await mosquitto?.stop();
    await influx?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function start(m: Pick<Member, 'args'>): Promise<[CollectorProcess, number]> {
    const proc = spawnCollector(m.args);
    await proc.ready;
    const ready = /^\{"ready":true.*\}$/m.exec(proc.output());
    return [proc, (JSON.parse(ready![0]) as { metricsPort: number }).metricsPort];
  }

  it('share the load, survive a SIGKILL and restart: every point once, no ingest_gaps', {
    timeout: 120_000,
  }, async () => {
    for (const id of ids) {
      const args = [
        '--mqtt',
        url,
        '--username',
        id,
        '--password-file',
        join(dir, `${id}.password`),
        '--shared-group',
        'collectors',
        '--influx-url',
        influx.url,
        '--influx-db',
        db,
        '--create-db',
        '--spool-dir',
        join(dir, `spool-${id}`), // its own
        '--log-every',
        '0',
        '--metrics-port',
        '0',
      ];
      const [proc, metricsPort] = await start({ args });
      members.push({ id, args, proc, metricsPort, before: 0, now: 0 });
    }
    // Each collector's count, read often: the killed one's last reading is its first life's.
    let polling = true;
    const poller = (async () => {
      while (polling) {
        await Promise.all(
          members.map(async (m) => {
            const port = m.metricsPort;
            const n = await receivedCounts(port).catch(() => undefined);
            if (n !== undefined && port === m.metricsPort) m.now = n;
          }),
        );
        await sleep(50);
      }
    })();

    const traffic = makeTraffic({ sensors: 20, perSensor: 150, prefix: 'sh' });
    const pub = await mqtt.connectAsync(url, {
      clientId: 'ops',
      username: 'ops',
      password: passwordOf('ops'),
      reconnectPeriod: 0,
    });
    const victim = members[1]!;
    let restarted: Promise<void> | undefined;
    await publishAll(pub, traffic.messages, {
      window: 100,
      ratePerS: 1500,
      onProgress: (sent) => {
        if (restarted || sent < traffic.messages.length / 3) return;
        restarted = (async () => {
          await victim.proc.kill9(); // mid-stream: batches in memory, PUBACKs held back
          victim.before += victim.now;
          victim.now = 0;
          await sleep(300);
          // same identity and spool: the broker hands it its session's unacknowledged messages
          [victim.proc, victim.metricsPort] = await start(victim);
        })();
      },
    });
    await restarted;
    await waitFor(
      'every point in InfluxDB',
      async () => totalPoints(await totalsBySensor(influx.query, db)) >= traffic.points,
      60_000,
    );
    await sleep(500); // nothing more may arrive
    polling = false;
    await poller;
    await pub.endAsync();

    // exactly once: every sensor's point count and sum of `count`
    expect(await totalsBySensor(influx.query, db)).toEqual(traffic.expected);
    const gaps = await influx.query('SELECT count(*) FROM "ingest_gaps"', db);
    expect(gaps.results[0]?.series).toBeUndefined();
    const rejected = await influx.query('SELECT count(*) FROM "rejected"', db);
    expect(rejected.results[0]?.series).toBeUndefined();

    // the load was shared: each got more than a fifth of the messages
    const shares = members.map((m) => (m.before + m.now) / traffic.messages.length);
    for (const share of shares) expect(share).toBeGreaterThan(0.2);
    // No check that the shares add up to 1: the killed collector's first life is known only to
    // its last metrics reading before the kill (polled every 50 ms), so its share is a lower
    // bound — under load it once summed to 0.995. Nothing lost is proven above by the totals.

    // each identity kept its connection; only the killed one connected again
    const connects = (id: string) =>
      mosquitto
        .log()
        .split('\n')
        .filter((l) => l.includes(` as ${id} `)).length;
    expect(ids.map(connects)).toEqual([1, 2, 1]);
  });
});
