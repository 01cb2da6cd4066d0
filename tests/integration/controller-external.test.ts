/**
 * The vendor example as a real process against the embedded broker: it discovers the
 * intersection from the retained config and answers each lockstep tick with one decision,
 * the same as the built-in fixed-time.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBroker } from '../../broker/index.ts';
import { createIntersectionController } from '../../controller/intersection-controller.ts';
import { type Decision, topics } from '../../protocol/index.ts';
import { createMonitor, monitorStep, toSignal } from '../../signal/index.ts';
import { twoPhase } from '../fixtures/intersections.ts';
import { connectAs, fixtureRegistry, passwordOf, record, until } from './broker-fixtures.ts';

const T = topics('traffic');
const T0 = Date.UTC(2026, 0, 1);
const config = { ...twoPhase, id: 'a' };
const script = fileURLToPath(
  new URL('../../examples/external-controller/index.mjs', import.meta.url),
);
let broker: ReturnType<typeof createBroker>;
let url: string;
let child: ChildProcess | undefined;
let sig: MqttClient;
let ops: MqttClient;

beforeAll(async () => {
  broker = createBroker({ port: 0, devices: fixtureRegistry(), log: () => {} });
  ({ url } = await broker.start());
  sig = await connectAs(url, 'sig-a');
  ops = await connectAs(url, 'ops');
}, 20_000);

afterAll(async () => {
  child?.kill('SIGTERM');
  await Promise.all([sig?.endAsync(), ops?.endAsync()]);
  await broker?.close();
});

it('answers lockstep ticks through the protocol alone, as the built-in fixed-time does', async () => {
  const got = record(ops);
  await ops.subscribeAsync(T.decision('a'), { qos: 1 });
  await sig.publishAsync(T.config('a'), JSON.stringify(config), { qos: 1, retain: true });
  child = spawn(
    process.execPath,
    [script, '--mqtt', url, '--username', 'ctl-a', '--intersections', 'a'],
    {
      env: { ...process.env, OPENPHASE_MQTT_PASSWORD: passwordOf('ctl-a') },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout!.on('data', (b) => {
    out += b;
  });
  await until(() => out.includes('"ready":true'), 'the example to connect', 10_000);
  const builtin = createIntersectionController(config, 'fixed-time');
  let s = createMonitor(config, T0);
  const expected: string[] = [];
  for (let t = 1; t <= 40; t++) {
    const atMs = T0 + t * 1000;
    s = monitorStep(
      s,
      atMs,
      expected.length ? { phase: expected.at(-1)!, controller: 'x' } : undefined,
    ).state;
    const signal = toSignal(s, atMs);
    builtin.onSignal(signal);
    expected.push(builtin.decide(atMs));
    await sig.publishAsync(T.signal('a'), JSON.stringify(signal), { qos: 1, retain: true });
    // lockstep: wait for the answer to tick t before the next tick
    await until(() => got.length >= t, `decision ${t}`, 5000);
  }
  const ds = got.map((m) => JSON.parse(m.payload) as Decision);
  expect(ds.map((d) => d.t)).toEqual(expected.map((_, i) => T0 + (i + 1) * 1000));
  expect(ds.map((d) => d.phase)).toEqual(expected);
  expect(ds.map((d) => d.seq)).toEqual(expected.map((_, i) => i));
  expect(new Set(expected).size).toBe(2);
}, 30_000);
