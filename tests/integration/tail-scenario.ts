/**
 * The end-of-stream scenario (issue 18.4): many sensors publish counts at QoS 1 through the
 * embedded broker, one message in 20 is malformed, InfluxDB is killed at a third of the stream
 * and started again `outageRounds` rounds later. Afterwards every message the broker
 * acknowledged must be in InfluxDB exactly once (or accounted for as a gap), including the
 * last ones of each sensor. Used by collector-tail.test.ts (short) and tests/soak/tail-loss.ts
 * (the full scenario, repeated).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { createBroker } from '../../broker/index.ts';
import { createCollector } from '../../collector/index.ts';
import type { Counts } from '../../protocol/index.ts';
import type { InfluxDBServer } from '../../rigs/influxdb.ts';
import { twoPhase } from '../fixtures/intersections.ts';
import { countsAt } from '../helpers/counts.ts';
import { sleep, T0, totalsBySensor, waitFor } from './collector-traffic.ts';

export interface TailScenario {
  sensors: number;
  rounds: number;
  /** rounds between killing InfluxDB (at a third of the stream) and starting it again */
  outageRounds: number;
  /** messages per second, all sensors together */
  ratePerS: number;
  log?(line: string): void;
}

export interface TailResult {
  expected: Map<string, { points: number; sum: number }>;
  stored: Map<string, { points: number; sum: number }>;
  /** messages the broker acknowledged to the sensors */
  acknowledged: number;
  gapRecords: number;
  tailGaps: number;
  received: number;
}

/** Busy loops in child processes: the machine under CPU load. `stop()` ends them. */
export function cpuLoad(processes: number) {
  const children: ChildProcess[] = [];
  for (let i = 0; i < processes; i++) {
    children.push(
      spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }).once('error', () => {}),
    );
  }
  return {
    stop() {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    },
  };
}

function counts(sensor: string, seq: number): Counts {
  return countsAt(T0, sensor, seq, [
    { id: 'N-through-stop', count: (seq * 7 + sensor.length) % 11, occupancy: 0.1 },
  ]);
}

export async function runTailScenario(
  influx: InfluxDBServer,
  database: string,
  sc: TailScenario,
): Promise<TailResult> {
  const log = sc.log ?? (() => {});
  const spoolDir = mkdtempSync(join(tmpdir(), 'op-tail-'));
  const broker = createBroker({
    host: '127.0.0.1',
    port: 0,
    insecure: true,
    rateLimit: false,
    log: () => {},
  });
  const { url } = await broker.start();
  const collector = createCollector({
    mqttUrl: url,
    clientId: `collector-${database}`,
    sink: { kind: 'influx-v1', url: influx.url, database, timeoutMs: 2000, createDatabase: true },
    spoolDir,
    metricsPort: undefined,
    logEveryMs: 0,
    log: (l) => log(l),
  });
  const sensors: MqttClient[] = [];
  try {
    await collector.start();
    const setup = await mqtt.connectAsync(url, { clientId: 'tail-setup' });
    const ics = 5;
    for (let i = 0; i < ics; i++) {
      await setup.publishAsync(
        `traffic/v1/i${i}/config`,
        JSON.stringify({ ...twoPhase, id: `i${i}` }),
        {
          qos: 1,
          retain: true,
        },
      );
    }
    await setup.endAsync();
    const statusTopic = (s: number) => `traffic/v1/i${s % ics}/status/s${s}`;
    for (let s = 0; s < sc.sensors; s++) {
      const c = await mqtt.connectAsync(url, {
        clientId: `tail-s${s}`,
        clean: true,
        reconnectPeriod: 200,
        will: {
          topic: statusTopic(s),
          payload: Buffer.from('{"v":1,"online":false}'),
          qos: 1,
          retain: true,
        },
      });
      sensors.push(c);
      // the birth, retained [protocol v1: status]
      await c.publishAsync(
        statusTopic(s),
        JSON.stringify({ v: 1, online: true, device: `s${s}`, role: 'sensor', boot: 'b1' }),
        { qos: 1, retain: true },
      );
    }
    const expected = new Map<string, { points: number; sum: number }>();
    let acknowledged = 0;
    let sent = 0;
    const killAt = Math.floor(sc.rounds / 3);
    let outage: Promise<void> | undefined;
    const t0 = performance.now();
    const inflight: Promise<unknown>[] = [];
    for (let round = 0; round < sc.rounds; round++) {
      if (round === killAt) {
        log(`round ${round}: killing influxd`);
        await influx.stopProcess();
      }
      if (round === killAt + sc.outageRounds) {
        log(`round ${round}: starting influxd`);
        outage = influx.startProcess();
      }
      for (let s = 0; s < sc.sensors; s++) {
        const sensor = `s${s}`;
        const topic = `traffic/v1/i${s % ics}/counts/${sensor}`;
        const c = sensors[s]!;
        if (++sent % 20 === 0) {
          // malformed: not JSON at all (no seq: it is rejected and makes no gap)
          inflight.push(
            c.publishAsync(topic, '{"v":1,"sensor":', { qos: 1 }).then(() => acknowledged++),
          );
        }
        const msg = counts(sensor, round);
        const e = expected.get(sensor) ?? { points: 0, sum: 0 };
        e.points += 1;
        e.sum += msg.detectors[0]!.count;
        expected.set(sensor, e);
        inflight.push(
          c.publishAsync(topic, JSON.stringify(msg), { qos: 1 }).then(() => acknowledged++),
        );
      }
      const due = t0 + (sent / sc.ratePerS) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
    }
    await Promise.all(inflight);
    // A clean stop: the last status carries the last seq of the boot (tail-loss detection).
    await Promise.all(
      sensors.map((c, s) =>
        c
          .publishAsync(
            statusTopic(s),
            JSON.stringify({
              v: 1,
              online: false,
              device: `s${s}`,
              role: 'sensor',
              boot: 'b1',
              lastSeq: sc.rounds - 1,
            }),
            { qos: 1, retain: true },
          )
          .then(() => acknowledged++),
      ),
    );
    await outage;
    log(`all ${acknowledged} publishes acknowledged by the broker`);
    const expectedPoints = [...expected.values()].reduce((n, e) => n + e.points, 0);
    // Every acknowledged message reaches the collector, or the wait times out (the loss).
    let last = -1;
    let quietSince = Date.now();
    await waitFor(
      'the collector to receive everything',
      () => {
        const s = collector.stats();
        if (s.received !== last) {
          last = s.received;
          quietSince = Date.now();
        }
        return s.received >= acknowledged + ics + sc.sensors || Date.now() - quietSince > 20_000;
      },
      300_000,
    );
    await collector.drained();
    const stats = collector.stats();
    log(
      `received ${stats.received} written ${stats.written} spooled ${stats.spooled} replayed ${stats.replayed} gaps ${stats.gapRecords} expected points ${expectedPoints}`,
    );
    const stored = await totalsBySensor(influx.query, database);
    return {
      expected,
      stored,
      acknowledged,
      gapRecords: stats.gapRecords,
      tailGaps: (stats as { tailGaps?: number }).tailGaps ?? 0,
      received: stats.received,
    };
  } finally {
    await Promise.all(sensors.map((c) => c.endAsync().catch(() => {})));
    await collector.close();
    await broker.close();
    rmSync(spoolDir, { recursive: true, force: true });
  }
}
