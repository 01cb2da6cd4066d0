/**
 * A sensor for the conformance tests, run as its own process like a field device: the
 * simulator's sensing of the two-phase scenario in real time (simulated time = the wall clock),
 * publishing ONE sensor's counts over MQTT — retained birth on connect, Last Will registered.
 *
 * `--bad`: no birth, no Last Will, and every message has one defect, in turn: a negative count
 * (out of schema), a detector the config does not list, a skipped seq, an interval an hour in
 * the past.
 *
 *   OPENPHASE_MQTT_URL=… OPENPHASE_MQTT_USERNAME=a-det OPENPHASE_MQTT_PASSWORD=… \
 *     node --import tsx tests/integration/conformance-sensor-fixture.ts [--bad]
 */
import mqtt from 'mqtt';
import type { Counts } from '../../protocol/index.ts';
import { topics } from '../../protocol/index.ts';
import { createSimulation, loadScenario } from '../../simulator/index.ts';

const bad = process.argv.includes('--bad');
const env = process.env;
const sensor = env.OPENPHASE_MQTT_USERNAME ?? 'a-det';
const t = topics(env.OPENPHASE_ROOT || 'traffic');
const scenario = await loadScenario('two-phase');
const sim = createSimulation({ ...scenario, startAtMs: Date.now() }, { durationS: 86_400 });
const mine = sim.sensors().find((s) => s.sensor === sensor);
if (!mine) {
  console.error(`no sensor ${sensor} in two-phase`);
  process.exit(2);
}
const status = t.status(mine.intersection, sensor);

const client = mqtt.connect(env.OPENPHASE_MQTT_URL ?? 'mqtt://127.0.0.1:1883', {
  clientId: sensor,
  username: sensor,
  password: env.OPENPHASE_MQTT_PASSWORD ?? '',
  reconnectPeriod: 500,
  ...(bad
    ? {}
    : {
        will: {
          topic: status,
          payload: Buffer.from(JSON.stringify({ v: 1, online: false })),
          qos: 1 as const,
          retain: true,
        },
      }),
});
client.on('error', (e) => console.error(`sensor: ${e.message}`));
client.on('connect', () => {
  console.log(JSON.stringify({ connected: sensor }));
  if (!bad)
    client.publish(
      status,
      JSON.stringify({ v: 1, online: true, device: sensor, role: 'sensor', atMs: Date.now() }),
      { qos: 1, retain: true },
    );
});

let k = 0;
/** One defect per message, in turn (--bad). */
function spoil(m: Counts): unknown {
  switch (k++ % 4) {
    case 0:
      return { ...m, detectors: m.detectors.map((d, i) => (i === 0 ? { ...d, count: -1 } : d)) };
    case 1:
      return { ...m, detectors: [...m.detectors, { id: 'X-ghost', count: 0 }] };
    case 2:
      return { ...m, seq: m.seq + 1000 };
    default:
      return { ...m, from: m.from - 3_600_000, to: m.to - 3_600_000 };
  }
}

// simulated time follows the wall clock: a step whenever a step's worth of it has passed
const timer = setInterval(() => {
  while (sim.nowMs() + sim.stepMs <= Date.now()) {
    for (const c of sim.step(new Map()).counts) {
      if (c.sensor !== sensor) continue;
      const payload = bad ? spoil(c.message) : c.message;
      client.publish(t.counts(c.intersection, sensor), JSON.stringify(payload), { qos: 1 });
    }
  }
}, 100);

const stop = () => {
  clearInterval(timer);
  client.end(false, {}, () => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
