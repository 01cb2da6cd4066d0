/**
 * `openphase plan --mqtt`: the retained config is read from OpenPhase's own broker (which
 * requires client id = username), and a refused connection is reported in words with exit 1 —
 * not a crash of the error handler on mqtt.js' numeric error code.
 */
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createBroker } from '../../broker/index.ts';
import { readConfigMqtt } from '../../cli/commands/plan.ts';
import { main } from '../../cli/main.ts';
import { topics } from '../../protocol/index.ts';
import { twoPhase } from '../fixtures/intersections.ts';
import { connectAs, fixtureRegistry, passwordOf } from './broker-fixtures.ts';

let broker: ReturnType<typeof createBroker>;
let url: string;

beforeAll(async () => {
  broker = createBroker({ port: 0, devices: fixtureRegistry(), log: () => {} });
  ({ url } = await broker.start());
  const signal = await connectAs(url, 'sig-a');
  await signal.publishAsync(topics().config('a'), JSON.stringify({ ...twoPhase, id: 'a' }), {
    qos: 1,
    retain: true,
  });
  await signal.endAsync();
});

afterAll(async () => {
  await broker?.close();
});

it('reads the retained config from the embedded broker as a device (client id = username)', async () => {
  const config = await readConfigMqtt(url, 'a', { username: 'obs', password: passwordOf('obs') });
  expect(config.id).toBe('a');
  expect(config.phases.map((p) => p.id)).toEqual(twoPhase.phases.map((p) => p.id));
});

it('a refused connection exits 1 with the named refusal, the error handler does not crash', async () => {
  const errors: string[] = [];
  const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => {
    errors.push(a.join(' '));
  });
  // the password from the environment: never a command-line value
  process.env.OPENPHASE_MQTT_PASSWORD = 'wrong';
  try {
    const code = await main([
      'plan',
      '--intersection',
      'a',
      '--influx-db',
      'op',
      '--from',
      '0',
      '--to',
      '1',
      '--mqtt',
      url,
      '--username',
      'obs',
    ]);
    expect(code).toBe(1);
  } finally {
    spy.mockRestore();
    delete process.env.OPENPHASE_MQTT_PASSWORD;
  }
  expect(errors.join('\n')).toMatch(/openphase plan: .*MQTT_BAD_CREDENTIALS/);
  expect(errors.join('\n')).not.toMatch(/is not a function/);
});
