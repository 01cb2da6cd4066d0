/**
 * The controller service against the real embedded broker (aedes) with device credentials:
 * a scripted sensor's counts produce decisions; births and offline status; a controller
 * credential cannot get decisions through for an intersection outside its list.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBroker } from '../../broker/index.ts';
import { createControllerService } from '../../controller/service.ts';
import { type Counts, type Decision, detectorsOf, topics } from '../../protocol/index.ts';
import { createMonitor, type MonitorState, monitorStep, toSignal } from '../../signal/index.ts';
import { twoPhase } from '../fixtures/intersections.ts';
import {
  connectAs,
  fixtureRegistry,
  passwordOf,
  type Received,
  record,
  sleep,
  until,
} from './broker-fixtures.ts';

const T = topics('traffic');
const T0 = Date.UTC(2026, 0, 1);
const configA = { ...twoPhase, id: 'a' };
const configB = { ...twoPhase, id: 'b' };

let broker: ReturnType<typeof createBroker>;
let url: string;
let ops: MqttClient; // admin: plays the signal cabinet of b and listens to everything
let sensor: MqttClient;
let signal: MqttClient;
let got: Received[];

beforeAll(async () => {
  broker = createBroker({ port: 0, devices: fixtureRegistry(), log: () => {} });
  ({ url } = await broker.start());
  ops = await connectAs(url, 'ops');
  sensor = await connectAs(url, 's1');
  signal = await connectAs(url, 'sig-a');
  got = record(ops);
  await ops.subscribeAsync(['traffic/v1/+/decision', 'traffic/v1/+/status/+'], { qos: 1 });
  await signal.publishAsync(T.config('a'), JSON.stringify(configA), { qos: 1, retain: true });
  await ops.publishAsync(T.config('b'), JSON.stringify(configB), { qos: 1, retain: true });
}, 20_000);

afterAll(async () => {
  await Promise.all([ops?.endAsync(), sensor?.endAsync(), signal?.endAsync()]);
  await broker?.close();
});

const decisions = (id: string): Decision[] =>
  got.filter((m) => m.topic === T.decision(id)).map((m) => JSON.parse(m.payload) as Decision);

/** One lockstep tick for intersection a: counts of t (E-through called or not), then signal t. */
async function tick(s: MonitorState, t: number, eCalls: boolean): Promise<MonitorState> {
  const atMs = T0 + t * 1000;
  const counts: Counts = {
    v: 1,
    sensor: 's1',
    boot: 'boot1',
    seq: t,
    from: atMs - 1000,
    to: atMs,
    // every detector reports (one that stays silent would be failed and put on recall)
    detectors: detectorsOf(configA).map((d) => {
      const on = eCalls && d.movements.includes('E-through');
      return { id: d.id, count: on ? 1 : 0, occupancy: on ? 0.5 : 0 };
    }),
  };
  await sensor.publishAsync(T.counts('a', 's1'), JSON.stringify(counts), { qos: 1 });
  const step = monitorStep(s, atMs);
  await signal.publishAsync(T.signal('a'), JSON.stringify(toSignal(step.state, atMs)), {
    qos: 1,
    retain: true,
  });
  return step.state;
}

describe('controller service with the embedded broker', () => {
  it('answers each signal with one decision, and a scripted sensor changes the decision', async () => {
    const svc = createControllerService({
      mqttUrl: url,
      username: 'ctl-a',
      password: passwordOf('ctl-a'),
      algorithm: 'actuated',
      intersections: 'all',
      log: () => {},
    });
    await svc.start();
    await until(() => svc.stats().intersections === 1, 'discovery of a from its retained config');
    await until(
      () =>
        got.some(
          (m) => m.topic === T.status('a', 'ctl-a') && JSON.parse(m.payload).online === true,
        ),
      'birth on status/ctl-a',
    );
    let s = createMonitor(configA, T0);
    // 10 quiet ticks: ns has nobody to hand over to, it rests in green.
    for (let t = 1; t <= 10; t++) s = await tick(s, t, false);
    await until(() => decisions('a').length >= 10, '10 decisions');
    expect(
      decisions('a')
        .map((d) => d.phase)
        .join(),
    ).toBe(Array(10).fill('ns').join());
    // E-through vehicles: after min green the controller asks for ew.
    for (let t = 11; t <= 14; t++) s = await tick(s, t, true);
    await until(() => decisions('a').length >= 14, '14 decisions');
    const ds = decisions('a');
    expect(ds.at(-1)!.phase).toBe('ew');
    expect(ds.map((d) => d.t)).toEqual(Array.from({ length: 14 }, (_, i) => T0 + (i + 1) * 1000));
    expect(ds.map((d) => d.seq)).toEqual(Array.from({ length: 14 }, (_, i) => i));
    expect(ds.every((d) => d.controller === 'ctl-a')).toBe(true);
    // b is outside ctl-a's list: the broker never shows it b, so it serves only a.
    expect(svc.stats().intersections).toBe(1);
    await svc.close();
    await svc.close(); // twice is fine
    await until(
      () =>
        got.some(
          (m) => m.topic === T.status('a', 'ctl-a') && JSON.parse(m.payload).online === false,
        ),
      'offline status',
    );
  }, 20_000);

  it('a controller credential cannot publish a decision for an intersection outside its list', async () => {
    const ctl = await connectAs(url, 'ctl-a');
    const before = decisions('b').length;
    const d: Decision = { v: 1, controller: 'ctl-a', seq: 0, t: T0, phase: 'ew' };
    await ctl.publishAsync(T.decision('b'), JSON.stringify(d), { qos: 1 });
    await ctl.publishAsync(T.decision('a'), JSON.stringify(d), { qos: 1 }); // allowed: a marker
    await until(
      () => decisions('a').some((x) => x.t === T0 && x.seq === 0 && x.phase === 'ew'),
      'marker',
    );
    await sleep(100);
    expect(decisions('b').length).toBe(before);
    await ctl.endAsync();
  }, 20_000);

  it('refuses to start with a wrong password, and names the broker and the refusal', async () => {
    const svc = createControllerService({
      mqttUrl: url,
      username: 'ctl-a',
      password: 'wrong',
      algorithm: 'actuated',
      intersections: ['a'],
      connectTimeoutMs: 1500,
      log: () => {},
    });
    await expect(svc.start()).rejects.toThrow(
      /no connection to mqtt:\/\/127\.0\.0\.1.*MQTT_BAD_CREDENTIALS/,
    );
    await svc.close();
  });
});
