#!/usr/bin/env node
// @ts-check
/**
 * An external OpenPhase controller: a standalone program that speaks protocol v1 over MQTT and
 * nothing else. Copy this folder, replace `fixed-time.mjs` with your algorithm, keep the rest.
 *
 *   OPENPHASE_MQTT_PASSWORD=… node examples/external-controller/index.mjs \
 *     --mqtt mqtt://127.0.0.1:1883 --username ctl-1 [--intersections a,b | all] [--root traffic]
 *
 * The password comes from the environment only: a command-line value shows in `ps`.
 *
 * What it does (docs/protocol.md, its Timing section):
 *  1. subscribes to {root}/v1/+/config (retained: discovery), +/counts/+ and +/signal;
 *     A config cleared (a zero-length retained message) forgets the intersection;
 *  2. feeds every counts message to the intersection's algorithm;
 *  3. answers every signal newer than the last one answered with exactly one decision
 *     {v:1, controller, seq, t: signal.t, phase} on {root}/v1/{id}/decision, QoS 1 — in lockstep
 *     the simulator waits for it, in real time the signal applies it;
 *  4. publishes its birth {online:true} retained on {root}/v1/{id}/status/{username}, with a
 *     Last Will {online:false} on the first intersection it serves. MQTT allows one Will per
 *     connection, set in CONNECT: with `--intersections all` the first intersection is known
 *     only from the first config, so it then reconnects once, with the Will.
 * Messages that do not match the published JSON Schemas (protocol/schemas/*.schema.json) are
 * dropped; the checks here are the few fields this program uses.
 */
import mqtt from 'mqtt';
import { createFixedTime } from './fixed-time.mjs';

// ---- command line (flags, or environment variables) ----
const args = process.argv.slice(2);
const arg = (/** @type {string} */ name, /** @type {string | undefined} */ env, fallback = '') => {
  const i = args.indexOf(`--${name}`);
  if (i >= 0 && args[i + 1] !== undefined) return args[i + 1];
  return (env && process.env[env]) || fallback;
};
if (args.includes('--help') || args.includes('-h')) {
  console.log(`usage: OPENPHASE_MQTT_PASSWORD=SECRET node index.mjs --mqtt URL --username NAME
       [--intersections a,b|all] [--root traffic] [--id CONTROLLER_ID]
       [--saturation-flow 1800] [--lost-time 3]
env: OPENPHASE_MQTT_URL, OPENPHASE_MQTT_USERNAME, OPENPHASE_MQTT_PASSWORD, OPENPHASE_INTERSECTIONS
The password is read from OPENPHASE_MQTT_PASSWORD only, never from the command line (ps shows it).`);
  process.exit(0);
}
if (args.includes('--password')) {
  console.error(
    'external-controller: --password is not accepted (ps would show it); set OPENPHASE_MQTT_PASSWORD',
  );
  process.exit(2);
}
const url = arg('mqtt', 'OPENPHASE_MQTT_URL', 'mqtt://127.0.0.1:1883');
const username = arg('username', 'OPENPHASE_MQTT_USERNAME');
const password = process.env.OPENPHASE_MQTT_PASSWORD || '';
const root = arg('root', 'OPENPHASE_ROOT', 'traffic');
const list = arg('intersections', 'OPENPHASE_INTERSECTIONS', 'all');
const controllerId = arg('id', undefined, username || 'external-fixed-time');
const algorithmOptions = {
  saturationFlowVphpl: Number(arg('saturation-flow', undefined, '1800')),
  lostTimePerPhaseS: Number(arg('lost-time', undefined, '3')),
};
const ID = /^[A-Za-z0-9_-]{1,64}$/; // [protocol v1: ids]
const served = list === 'all' ? undefined : new Set(list.split(',').map((s) => s.trim()));
if (!ID.test(controllerId) || (served && [...served].some((i) => !ID.test(i)))) {
  console.error('ids must be 1-64 characters of A-Z a-z 0-9 _ -');
  process.exit(2);
}
const base = `${root}/v1`;
const statusTopic = (/** @type {string} */ i) => `${base}/${i}/status/${username || controllerId}`;
const anchor = served ? [...served][0] : undefined;

// ---- per intersection state ----
/** @type {Map<string, { configText: string, algo: ReturnType<typeof createFixedTime>, lastT: number, seq: number }>} */
const intersections = new Map();
/** @type {Map<string, any>} signals that arrived before their config (latest only) */
const pending = new Map();

/** The Last Will on one intersection's status topic [protocol v1: Birth and Last Will]. */
const willAt = (/** @type {string} */ i) => ({
  topic: statusTopic(i),
  payload: Buffer.from(JSON.stringify({ v: 1, online: false })),
  qos: /** @type {const} */ (1),
  retain: true,
});
const client = mqtt.connect(url, {
  clientId: username || controllerId,
  ...(username ? { username, password } : {}),
  clean: true,
  protocolVersion: 4,
  reconnectPeriod: 1000 + Math.floor(Math.random() * 1000), // jitter: a fleet does not reconnect at once
  // keep retrying after a refused CONNACK too (a device removed and added again, a rotated
  // password): mqtt.js 5 otherwise stops for good at the first refusal
  reconnectOnConnackError: true,
  ...(anchor ? { will: willAt(anchor) } : {}),
});
let hasWill = anchor !== undefined;

/** With `all`: the first config names an intersection; reconnect once to register the Will. */
function registerWill(/** @type {string} */ i) {
  if (hasWill) return;
  hasWill = true;
  client.options.will = willAt(i);
  client.end(false, {}, () => client.reconnect()); // DISCONNECT first: no Will yet to publish
}

const birth = (/** @type {string} */ i) =>
  client.publish(
    statusTopic(i),
    JSON.stringify({
      v: 1,
      online: true,
      device: username || controllerId,
      role: 'controller',
      atMs: Date.now(),
      software: 'openphase external-controller example',
    }),
    { qos: 1, retain: true },
  );

client.on('connect', () => {
  // small messages each tick: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms per answer
  /** @type {any} */ (client.stream)?.setNoDelay?.(true);
  client.subscribe([`${base}/+/config`, `${base}/+/counts/+`, `${base}/+/signal`], { qos: 1 });
  for (const i of served ?? intersections.keys()) birth(i);
  console.log(JSON.stringify({ ready: true, url, intersections: list }));
});
client.on('error', (e) => console.error(`external-controller: ${e.message}`));

// mqtt.js writes every packet on its own, and each socket write is a system call that wakes the
// broker. A tick brings a burst of messages (counts, signals); what we write in answer (their
// acknowledgements, the decisions) is held until the burst is handled and leaves in one write.
let gathering = false;
function gatherWrites() {
  const stream = /** @type {any} */ (client.stream);
  if (gathering || !stream?.cork) return;
  gathering = true;
  stream.cork();
  setImmediate(() => {
    gathering = false;
    stream.uncork();
  });
}

/** Answers one signal: one decision with t = signal.t (docs/protocol.md, Timing). */
function answer(/** @type {string} */ id, /** @type {any} */ signal) {
  const s = intersections.get(id);
  if (!s || !(signal.t > s.lastT)) return; // an old or repeated signal (retained) is not answered twice
  // reconnecting for the Will: the signal is retained, it comes again once connected
  if (client.disconnecting || !client.connected) return;
  s.lastT = signal.t;
  const phase = s.algo.decide(signal);
  const decision = { v: 1, controller: controllerId, seq: s.seq++, t: signal.t, phase };
  client.publish(`${base}/${id}/decision`, JSON.stringify(decision), { qos: 1 });
}

client.on('message', (topic, payload) => {
  gatherWrites();
  const parts = topic.slice(base.length + 1).split('/');
  const [id, kind, sensor] = parts;
  if (!topic.startsWith(`${base}/`) || !id || !ID.test(id) || (served && !served.has(id))) return;
  // [protocol v1: config cleared] a zero-length retained config: the intersection is gone;
  // forget it, so a config published later starts it afresh, as at its first
  if (kind === 'config' && parts.length === 2 && payload.length === 0) {
    intersections.delete(id);
    pending.delete(id);
    return;
  }
  /** @type {any} */
  let msg;
  try {
    msg = JSON.parse(payload.toString('utf8'));
  } catch {
    return; // not JSON: dropped
  }
  if (msg === null || typeof msg !== 'object' || (msg.v !== undefined && msg.v !== 1)) return;

  if (kind === 'config' && parts.length === 2) {
    if (msg.id !== id || !Array.isArray(msg.phases) || msg.phases.length === 0) return;
    const text = JSON.stringify(msg);
    const old = intersections.get(id);
    if (old?.configText === text) return; // the retained config again
    intersections.set(id, {
      configText: text,
      algo: createFixedTime(msg, algorithmOptions),
      lastT: old?.lastT ?? Number.NEGATIVE_INFINITY,
      seq: old?.seq ?? 0,
    });
    if (!old && !served) birth(id);
    if (!served) registerWill(id);
    const waiting = pending.get(id);
    if (waiting) {
      pending.delete(id);
      answer(id, waiting);
    }
  } else if (kind === 'counts' && parts.length === 3) {
    if (msg.sensor !== sensor || !Array.isArray(msg.detectors) || !Number.isInteger(msg.seq))
      return;
    intersections.get(id)?.algo.onCounts(msg);
  } else if (kind === 'signal' && parts.length === 2) {
    if (!Number.isInteger(msg.t) || typeof msg.phase !== 'string' || !Number.isInteger(msg.sinceMs))
      return;
    if (intersections.has(id)) answer(id, msg);
    else if (pending.size < 10_000) pending.set(id, msg); // bounded
  }
});

// A clean stop: say offline everywhere, then disconnect — at most 2 s, so a broker that is
// already gone cannot keep the program from exiting.
const stop = async () => {
  const off = JSON.stringify({ v: 1, online: false });
  const goodbye = Promise.all(
    [...(served ?? intersections.keys())].map((i) =>
      client.publishAsync(statusTopic(i), off, { qos: 1, retain: true }).catch(() => {}),
    ),
  ).then(() => client.endAsync());
  await Promise.race([goodbye, new Promise((r) => setTimeout(r, 2000))]);
  process.exit(0);
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
