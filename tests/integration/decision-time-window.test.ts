/**
 * One schema-valid decision with a far-future `t` (8.64e15) must not lock the real controller
 * out (issue 18.6): the signal refuses a decision outside the plausibility window of its clock,
 * and never lets one become the high-water mark. Real embedded broker, the real controller
 * service (`createControllerService`), the simulator over MQTT in lockstep.
 */
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Broker, createBroker } from '../../broker/index.ts';
import { type ControllerService, createControllerService } from '../../controller/service.ts';
import { createMqttSimulation } from '../../loop/mqtt-simulation.ts';
import { topics } from '../../protocol/index.ts';
import { loadScenario } from '../../simulator/index.ts';
import { connectAs, fixtureRegistry, passwordOf } from './broker-fixtures.ts';

const T = topics('traffic');
let broker: Broker;
let url: string;
let controller: ControllerService;
let attacker: MqttClient;

beforeAll(async () => {
  broker = createBroker({ port: 0, devices: fixtureRegistry(), rateLimit: false, log: () => {} });
  url = (await broker.start()).url;
  controller = createControllerService({
    mqttUrl: url,
    username: 'ctl-a',
    password: passwordOf('ctl-a'),
    algorithm: 'fixed-time',
    intersections: ['a'],
    log: () => {},
  });
  await controller.start();
  attacker = await connectAs(url, 'adm'); // any credential that may publish a decision for a
});

afterAll(async () => {
  await attacker?.endAsync();
  await controller?.close();
  await broker?.close();
});

describe('a decision from the far future', () => {
  it('does not lock the real controller out', async () => {
    const scenario = await loadScenario('two-phase');
    const forged = (t: number) =>
      JSON.stringify({ v: 1, controller: 'evil', seq: 0, t, phase: 'ew' });
    let step = 0;
    const sim = createMqttSimulation({
      scenario,
      durationS: 40,
      mqttUrl: url,
      username: 'sig-a',
      password: passwordOf('sig-a'),
      sensorCredentials: () => ({ username: 'ops', password: passwordOf('ops') }),
      mode: 'lockstep',
      controller: 'mqtt',
      deadlineMs: 5000,
      onStep: () => {
        // early in the run: the largest t the schema allows, and seconds sent as milliseconds
        if (++step === 3) void attacker.publish(T.decision('a'), forged(8.64e15), { qos: 1 });
        if (step === 5) void attacker.publish(T.decision('a'), forged(1.9e12), { qos: 1 });
      },
    });
    await sim.start();
    const result = await sim.done;
    await sim.close();
    // every tick was answered by the real controller, none ran on the fallback plan
    expect(result.metrics.missedDeadlines).toBe(0);
    expect(result.metrics.overrides.watchdog).toBe(0);
  }, 300_000);
});
