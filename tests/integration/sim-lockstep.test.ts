/**
 * The simulator over a real broker (Mosquitto 2 with the device registry's passwd and ACL, as
 * `devices export` writes them, and TCP_NODELAY: without it Nagle + delayed ACK cost ~40 ms per
 * round trip): lockstep with the example external controller (examples/external-controller, a
 * separate process) for 600 ticks without a miss; pausing that process gives counted misses and
 * watchdog overrides, never a crash; real time with a built-in controller publishes config,
 * births, counts, signal and Last Will status under the sensor and signal roles.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDevice, createRegistry, mosquittoAcl, mosquittoPasswd } from '../../broker/index.ts';
import { engineByName } from '../../engines/index.ts';
import { runScenario } from '../../loop/index.ts';
import { createMqttSimulation } from '../../loop/mqtt-simulation.ts';
import { requireBinary } from '../../rigs/binaries.ts';
import { type MosquittoServer, startMosquitto } from '../../rigs/mosquitto.ts';
import { loadScenario, type Scenario } from '../../simulator/index.ts';

const pw = (id: string) => `pw-${id}-sim-test`;
const DEVICES = [
  { id: 'sig', role: 'signal', intersections: ['a'] },
  { id: 'a-det', role: 'sensor', intersections: ['a'] },
  { id: 'ctl', role: 'controller', intersections: ['a'] },
  { id: 'ops', role: 'admin', intersections: '*' },
] as const;
const script = fileURLToPath(
  new URL('../../examples/external-controller/index.mjs', import.meta.url),
);

let broker: MosquittoServer;
let dir: string;
let url: string;
let child: ChildProcess | undefined;
let scenario: Scenario;

const credentials = {
  username: 'sig',
  password: pw('sig'),
  sensorCredentials: (id: string) =>
    id === 'a-det' ? { username: 'a-det', password: pw('a-det') } : undefined,
};

beforeAll(async () => {
  let reg = createRegistry();
  for (const d of DEVICES) {
    reg = addDevice(
      reg,
      {
        ...d,
        intersections: d.intersections === '*' ? '*' : [...d.intersections],
        password: pw(d.id),
      },
      { iterations: 1000 },
    );
  }
  dir = mkdtempSync(join(tmpdir(), 'op-sim-'));
  writeFileSync(join(dir, 'passwd'), mosquittoPasswd(reg), { mode: 0o600 });
  writeFileSync(join(dir, 'acl'), mosquittoAcl(reg), { mode: 0o600 });
  broker = await startMosquitto({
    passwordFile: join(dir, 'passwd'),
    aclFile: join(dir, 'acl'),
    extraConfig: ['set_tcp_nodelay true'],
  });
  url = broker.url;
  scenario = await loadScenario('two-phase');
  child = spawn(
    process.execPath,
    [script, '--mqtt', url, '--username', 'ctl', '--intersections', 'a'],
    {
      env: { ...process.env, OPENPHASE_MQTT_PASSWORD: pw('ctl') },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  child.stdout!.on('data', (b) => {
    out += b;
  });
  const deadline = Date.now() + 10_000;
  while (!out.includes('"ready":true')) {
    if (Date.now() > deadline) throw new Error('the example controller did not connect');
    await new Promise((r) => setTimeout(r, 50));
  }
}, 30_000);

afterAll(async () => {
  if (child?.pid) process.kill(child.pid, 'SIGCONT');
  child?.kill('SIGKILL');
  await broker?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('lockstep with the example external controller', () => {
  it('completes 600 ticks with zero missed deadlines', async () => {
    const sim = createMqttSimulation({
      scenario,
      durationS: 600,
      mqttUrl: url,
      ...credentials,
      mode: 'lockstep',
      deadlineMs: 2000,
      controller: 'mqtt',
    });
    await sim.start();
    const r = await sim.done;
    await sim.close();
    expect(sim.simulation.nowMs() - sim.simulation.startAtMs).toBe(600_000);
    expect(r.metrics.missedDeadlines).toBe(0);
    expect(r.metrics.overrides.watchdog).toBe(0);
    expect(r.metrics.phaseChangesPerHour).toBeGreaterThan(100); // the controller really switched
    expect(r.metrics.decisionLatencyMs.p50).toBeGreaterThan(0);
    expect(r.metrics.decisionLatencyMs.p99).toBeLessThan(2000);
    expect(r.metrics.arrived).toBe(r.metrics.served + r.metrics.queuedAtEnd);
  }, 60_000);

  it('counts misses and runs the watchdog while the controller is paused, then recovers', async () => {
    let paused = false;
    const pid = child!.pid!;
    const sim = createMqttSimulation({
      // a later start: the controller answers only signals newer than the last it answered
      scenario: { ...scenario, startAtMs: Date.UTC(2026, 0, 2) },
      durationS: 120,
      mqttUrl: url,
      ...credentials,
      mode: 'lockstep',
      deadlineMs: 100,
      controller: 'mqtt',
      onStep: (out) => {
        if (!paused && out.atMs >= sim.simulation.startAtMs + 30_000) {
          paused = true;
          process.kill(pid, 'SIGSTOP');
          setTimeout(() => process.kill(pid, 'SIGCONT'), 2500);
        }
      },
    });
    await sim.start();
    const r = await sim.done;
    await sim.close();
    expect(paused).toBe(true);
    expect(r.metrics.missedDeadlines).toBeGreaterThanOrEqual(12);
    expect(r.metrics.missedDeadlines).toBeLessThan(60);
    expect(r.perIntersection[0]!.missedDeadlines).toBe(r.metrics.missedDeadlines);
    expect(r.metrics.overrides.watchdog).toBeGreaterThanOrEqual(1);
    // after the pause the controller is back in charge
    expect(sim.simulation.signal('a').controller).toBe('ctl');
  }, 60_000);

  it('drives SUMO the same way: the sumo engine on the same loop, transport and clock', async () => {
    requireBinary('sumo'); // missing SUMO fails here with the apt-get hint
    requireBinary('netconvert');
    // a later start again: the controller answers only signals newer than the last it answered
    const later = { ...scenario, startAtMs: Date.UTC(2026, 0, 3) };
    const run = await engineByName('sumo').create(later, { durationS: 120 });
    try {
      const sim = createMqttSimulation({
        scenario: later,
        mqttUrl: url,
        ...credentials,
        mode: 'lockstep',
        deadlineMs: 2000,
        controller: 'mqtt',
        run,
      });
      await sim.start();
      const r = await sim.done;
      await sim.close();
      expect(sim.simulation.nowMs() - sim.simulation.startAtMs).toBe(120_000);
      expect(r.metrics.missedDeadlines).toBe(0);
      expect(r.metrics.overrides.watchdog).toBe(0);
      expect(sim.simulation.signal('a').controller).toBe('ctl');
      expect(r.metrics.phaseChangesPerHour).toBeGreaterThan(0);
      // the same vehicles as OpenPhase's engine
      const op = runScenario(later, { controller: 'builtin:fixed-time', durationS: 120 });
      expect(r.metrics.arrived).toBe(op.metrics.arrived);
    } finally {
      await run.close();
    }
  }, 60_000);
});

describe('real time with a built-in controller', () => {
  it('publishes config, births, counts and signal under the sensor and signal roles', async () => {
    const ops: MqttClient = await mqtt.connectAsync(url, {
      clientId: 'ops',
      username: 'ops',
      password: pw('ops'),
      reconnectPeriod: 0,
    });
    const got: { topic: string; msg: Record<string, unknown>; retain: boolean }[] = [];
    ops.on('message', (topic, payload, packet) =>
      got.push({ topic, msg: JSON.parse(payload.toString()), retain: packet.retain }),
    );
    await ops.subscribeAsync('traffic/v1/a/#', { qos: 1 });
    const sim = createMqttSimulation({
      scenario,
      durationS: 20,
      mqttUrl: url,
      ...credentials,
      mode: 'realtime',
      speed: 20,
      controller: 'builtin:actuated',
    });
    await sim.start();
    const r = await sim.done;
    await sim.close();
    await new Promise((res) => setTimeout(res, 200));
    await ops.endAsync();
    expect(r.controller).toBe('builtin:actuated');
    const of = (suffix: string) => got.filter((g) => g.topic === `traffic/v1/a/${suffix}`);
    expect(of('config')[0]!.msg.id).toBe('a');
    const counts = of('counts/a-det').map((g) => g.msg);
    expect(counts.length).toBe(20);
    expect(counts.map((c) => c.seq)).toEqual([...Array(20).keys()]);
    const signals = of('signal')
      .filter((g) => !g.retain)
      .map((g) => g.msg.t as number);
    expect(signals.length).toBe(21); // ticks 0..20, one each
    expect(signals.every((t, i) => i === 0 || t > signals[i - 1]!)).toBe(true);
    for (const device of ['sig', 'a-det']) {
      // (the retained status from the lockstep runs comes first: skip it)
      const st = of(`status/${device}`)
        .filter((g) => !g.retain)
        .map((g) => g.msg.online);
      expect(st[0]).toBe(true);
      expect(st.at(-1)).toBe(false);
    }
  }, 30_000);
});
