#!/usr/bin/env node
// @ts-check
/**
 * A deliberately BAD external controller, for testing the benchmark and the conformance check:
 * it speaks MQTT and the OpenPhase topics, but misbehaves on purpose, on a 60 s cycle of
 * simulated time (counted from the first signal it answers):
 *
 *   0–14 s  asks for a phase that does not exist            → `unknownPhase` interventions
 *  15–24 s  says nothing                                     → missed deadlines, the watchdog
 *  25–59 s  flips to another phase every second              → `minGreen` interventions
 *  at 25 s  also publishes a malformed decision (not JSON)   → dropped by the signal side
 *
 * It publishes no birth and registers no Last Will. The bench must score it — overrides and
 * misses in the report — and never crash; `openphase conformance` must fail it. With
 * `--no-reconnect` it also stays away once its connection is lost.
 *
 *   OPENPHASE_MQTT_URL=… OPENPHASE_MQTT_USERNAME=… OPENPHASE_MQTT_PASSWORD=… node index.mjs [--no-reconnect]
 *   openphase bench --controller mqtt:bad --spawn "node examples/bad-controller/index.mjs"
 */
import mqtt from 'mqtt';

const env = process.env;
const url = env.OPENPHASE_MQTT_URL || 'mqtt://127.0.0.1:1883';
const username = env.OPENPHASE_MQTT_USERNAME || '';
const password = env.OPENPHASE_MQTT_PASSWORD || '';
const base = `${env.OPENPHASE_ROOT || 'traffic'}/v1`;
const controllerId = username || 'bad-controller';

/** @type {Map<string, { phases: string[], lastT: number, t0: number, seq: number, flip: number }>} */
const state = new Map();

const client = mqtt.connect(url, {
  clientId: controllerId,
  ...(username ? { username, password } : {}),
  reconnectPeriod: process.argv.includes('--no-reconnect') ? 0 : 1000,
});
client.on('error', (e) => console.error(`bad-controller: ${e.message}`));
client.on('connect', () => {
  // small messages each tick: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms per answer
  /** @type {any} */ (client.stream)?.setNoDelay?.(true);
  client.subscribe([`${base}/+/config`, `${base}/+/signal`], { qos: 1 });
  console.log(JSON.stringify({ ready: true }));
});

client.on('message', (topic, payload) => {
  const [id, kind] = topic.slice(base.length + 1).split('/');
  if (!id) return;
  /** @type {any} */
  let msg;
  try {
    msg = JSON.parse(payload.toString('utf8'));
  } catch {
    return;
  }
  if (!msg || typeof msg !== 'object') return;
  const s = state.get(id) ?? { phases: [], lastT: -1, t0: -1, seq: 0, flip: 0 };
  state.set(id, s);
  if (kind === 'config' && Array.isArray(msg.phases)) {
    s.phases = msg.phases.map((/** @type {{ id: string }} */ p) => p.id);
    return;
  }
  if (kind !== 'signal' || !Number.isInteger(msg.t) || msg.t <= s.lastT) return;
  s.lastT = msg.t;
  if (s.t0 < 0) s.t0 = msg.t;
  const sec = Math.floor((msg.t - s.t0) / 1000) % 60;
  const out = `${base}/${id}/decision`;
  if (sec >= 15 && sec < 25) return; // silence
  let phase = 'no-such-phase';
  if (sec >= 25 && s.phases.length > 0) {
    const others = s.phases.filter((p) => p !== msg.phase);
    phase = others[s.flip++ % Math.max(1, others.length)] ?? s.phases[0];
  }
  if (sec === 25) client.publish(out, '{"v":1,"phase":', { qos: 1 });
  client.publish(
    out,
    JSON.stringify({ v: 1, controller: controllerId, seq: s.seq++, t: msg.t, phase }),
    { qos: 1 },
  );
});

const stop = () => client.end(true, {}, () => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
