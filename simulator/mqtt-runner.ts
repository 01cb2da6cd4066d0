/**
 * The simulator over MQTT (shell): publishes retained `config`, births and Last Wills, the
 * `counts` of every sensor each interval and the `signal` of every intersection each tick, and
 * takes decisions from MQTT (`controller: 'mqtt'`) or from built-in controllers in-process.
 *
 * Clocks (TIMING.md): `realtime` steps every stepS / speed wall seconds and applies the newest
 * decision received; `lockstep` publishes tick t (counts, then signal), waits for a decision
 * with t from every intersection or the deadline, counts each missing one in
 * `missedDeadlines`, and steps with what it has (a missing request: the monitor holds, and its
 * watchdog runs the fallback plan after watchdogS).
 */

import {
  DEFAULT_LIMITS,
  DEFAULT_ROOT,
  DEFAULT_TIME_WINDOW_MS,
  type Decision,
  decodeMessage,
  parseTopic,
  type Scenario,
  topics,
} from '../protocol/index.ts';
import type { Request } from '../signal/index.ts';
import { createSimulation, type Simulation, type StepOutput } from './engine.ts';
import {
  births,
  type Connection,
  connect,
  goodbye,
  type MqttCredentials,
  publish,
} from './mqtt-clients.ts';
import { createBuiltinControllers, type RunResult } from './run.ts';

export type { MqttCredentials } from './mqtt-clients.ts';

export interface MqttSimulationOptions {
  scenario: Scenario;
  seed?: number;
  durationS?: number;
  mqttUrl: string;
  /** the main connection: a signal-role device (or admin); none on an insecure broker */
  username?: string;
  password?: string;
  /** default: the username, else `openphase-sim-{pid}` */
  clientId?: string;
  mode: 'realtime' | 'lockstep';
  /** realtime: simulated seconds per wall second (default 1) */
  speed?: number;
  /** lockstep: wait for decisions at most this long per tick (default 1000) */
  deadlineMs?: number;
  /** lockstep: the first tick waits this long for controllers to come up (default 10 000) */
  firstTickWaitMs?: number;
  /** 'mqtt' (decisions from the broker) or 'builtin:NAME' (in-process) */
  controller: string;
  root?: string;
  /** a sensor's own credentials (its username must be its sensor id); default: main connection */
  sensorCredentials?: (sensorId: string) => MqttCredentials | undefined;
  /** an intersection's signal credentials; default: main connection */
  signalCredentials?: (intersection: string) => MqttCredentials | undefined;
  onStep?: (out: StepOutput, sim: Simulation) => void;
  /** decisions further than this from the simulated clock are refused; default ±1 day */
  timeWindowMs?: number;
}

export interface MqttSimulation {
  readonly simulation: Simulation;
  start(): Promise<void>;
  /** stops the run, publishes offline status, disconnects; safe twice */
  close(): Promise<void>;
  /** resolves with the metrics when the scenario has run to its end */
  readonly done: Promise<RunResult>;
}

/** Decision latency samples kept (a ring): enough for p99 over hours of a city. */
const MAX_LATENCY_SAMPLES = 200_000;

const percentile = (xs: Float64Array, n: number, q: number) => {
  if (n === 0) return 0;
  const sorted = Float64Array.from(xs.subarray(0, n)).sort();
  return Math.round(sorted[Math.min(n - 1, Math.ceil(q * n) - 1)]! * 100) / 100;
};

export function createMqttSimulation(o: MqttSimulationOptions): MqttSimulation {
  const sim = createSimulation(o.scenario, {
    ...(o.seed !== undefined ? { seed: o.seed } : {}),
    ...(o.durationS !== undefined ? { durationS: o.durationS } : {}),
  });
  const t = topics(o.root ?? DEFAULT_ROOT);
  const ids = sim.configs().map((c) => c.id);
  const index = new Map(ids.map((id, i) => [id, i]));
  const builtin =
    o.controller === 'mqtt' ? undefined : createBuiltinControllers(sim, o.scenario, o.controller);
  const speed = o.speed ?? 1;
  if (!(speed > 0)) throw new Error('speed must be above 0');
  const deadlineMs = o.deadlineMs ?? 1000;
  const missed = new Float64Array(ids.length);
  const latency = new Float64Array(MAX_LATENCY_SAMPLES);
  let latencyN = 0;
  const latest: (Decision | undefined)[] = ids.map(() => undefined);
  const sentAt = new Map<number, number>(); // tick → performance.now() of its signal
  let waiter: { t: number; remaining: Set<number>; resolve: () => void } | undefined;
  let conns: Connection[] = [];
  const countsConn = new Map<string, Connection>();
  const signalConn = new Map<string, Connection>();
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let resolveDone!: (r: RunResult) => void;
  let rejectDone!: (e: Error) => void;
  const done = new Promise<RunResult>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  done.catch(() => {}); // the caller may never await it

  function onDecision(topic: string, payload: Buffer): void {
    const parsed = parseTopic(topic, t.root);
    if (parsed?.kind !== 'decision') return;
    const i = index.get(parsed.intersection);
    // the signal's clock is the simulation's: a decision far from it is refused (implausible-time)
    const now = sim.nowMs();
    const r = decodeMessage('decision', payload, DEFAULT_LIMITS, {
      nowMs: now,
      windowMs: o.timeWindowMs ?? DEFAULT_TIME_WINDOW_MS,
    });
    if (i === undefined || !r.ok) return; // bad input is dropped, never fatal
    const d = r.value as Decision;
    // [protocol v1: decision t] a decision answers a signal already sent: one from the future
    // must not become the high-water mark that every real decision then falls below
    if (d.t > now) return;
    const prev = latest[i];
    if (prev && prev.t > d.t) return;
    latest[i] = d;
    const sent = sentAt.get(d.t);
    if (sent !== undefined) latency[latencyN++ % MAX_LATENCY_SAMPLES] = performance.now() - sent;
    if (waiter && d.t === waiter.t && waiter.remaining.delete(i) && waiter.remaining.size === 0)
      waiter.resolve();
  }

  async function open(): Promise<void> {
    const main = o.username ? { username: o.username, password: o.password ?? '' } : undefined;
    const mainId = o.clientId ?? o.username ?? `openphase-sim-${process.pid}`;
    const groups = new Map<
      string,
      { creds: MqttCredentials | undefined; clientId: string; devices: Connection['devices'] }
    >();
    const groupOf = (creds: MqttCredentials | undefined) => {
      const key = creds?.username ?? '';
      let g = groups.get(key);
      if (!g) {
        g = { creds: creds ?? main, clientId: creds?.username ?? mainId, devices: [] };
        groups.set(key, g);
      }
      return g;
    };
    const signalOwner = new Map<string, string>();
    const countsOwner = new Map<string, string>();
    for (const id of ids) {
      const creds = o.signalCredentials?.(id);
      const g = groupOf(creds);
      const deviceId = g.creds?.username ?? g.clientId;
      let dev = g.devices.find((d) => d.role === 'signal');
      if (!dev) {
        dev = { id: deviceId, role: 'signal', intersections: [] };
        g.devices.push(dev);
      }
      dev.intersections.push(id);
      signalOwner.set(id, creds?.username ?? '');
    }
    for (const s of sim.sensors()) {
      const creds = o.sensorCredentials?.(s.sensor);
      groupOf(creds).devices.push({
        id: creds?.username ?? s.sensor,
        role: 'sensor',
        intersections: [s.intersection],
      });
      countsOwner.set(s.sensor, creds?.username ?? '');
    }
    const byKey = new Map<string, Connection>();
    await Promise.all(
      [...groups].map(async ([key, g]) => {
        const first = g.devices[0]!;
        const will = {
          topic: t.status(first.intersections[0]!, first.id),
          payload: JSON.stringify({ v: 1, online: false, device: first.id }),
        };
        const client = await connect(o.mqttUrl, g.clientId, g.creds, will);
        const conn = { client, devices: g.devices };
        byKey.set(key, conn);
        conns.push(conn);
      }),
    ).catch(async (e) => {
      await Promise.all(conns.map((c) => goodbye(c, t)));
      conns = [];
      throw e;
    });
    for (const [id, key] of signalOwner) signalConn.set(id, byKey.get(key)!);
    for (const [sensor, key] of countsOwner) countsConn.set(sensor, byKey.get(key)!);
    for (const c of conns) {
      c.client.on('message', onDecision);
      await births(c, t, sim.nowMs());
      // After a reconnect: births and the retained config again (mqtt.js resubscribes itself).
      c.client.on('connect', () => {
        if (closed) return;
        void births(c, t, sim.nowMs());
        for (const [id, owner] of signalConn) if (owner === c) void publishConfig(id);
      });
    }
    if (!builtin) {
      await Promise.all(
        ids.map(
          (id) =>
            new Promise<void>((resolve, reject) =>
              signalConn
                .get(id)!
                .client.subscribe(t.decision(id), { qos: 1 }, (err, granted) =>
                  err || granted?.[0]?.qos === 128
                    ? reject(new Error(`cannot subscribe to ${t.decision(id)}`))
                    : resolve(),
                ),
            ),
        ),
      );
    }
    await Promise.all(ids.map(publishConfig));
  }

  const configs = new Map(sim.configs().map((c) => [c.id, c]));
  function publishConfig(id: string): Promise<void> {
    const config = JSON.stringify({ v: 1, ...configs.get(id)! });
    return publish(signalConn.get(id)!.client, t.config(id), config, true);
  }

  /** Publishes tick `atMs`: every sensor's counts first, then every signal. */
  async function publishTick(out: StepOutput | undefined, atMs: number): Promise<void> {
    if (out)
      await Promise.all(
        out.counts.map((c) =>
          publish(
            countsConn.get(c.sensor)!.client,
            t.counts(c.intersection, c.sensor),
            JSON.stringify(c.message),
            false,
          ),
        ),
      );
    sentAt.set(atMs, performance.now());
    if (sentAt.size > 64) sentAt.delete(sentAt.keys().next().value!);
    await Promise.all(
      ids.map((id) =>
        publish(signalConn.get(id)!.client, t.signal(id), JSON.stringify(sim.signal(id)), true),
      ),
    );
  }

  const requests = new Map<string, Request>();
  const applied: (number | undefined)[] = ids.map(() => undefined);
  function collect(atMs: number, lockstep: boolean): void {
    requests.clear();
    if (builtin) {
      builtin.decide(atMs, requests);
      return;
    }
    ids.forEach((id, i) => {
      const d = latest[i];
      if (d && (lockstep ? d.t === atMs : d.t > (applied[i] ?? -1))) {
        requests.set(id, { phase: d.phase, controller: d.controller });
        applied[i] = d.t;
      } else if (lockstep) missed[i]!++;
    });
  }

  function waitForDecisions(atMs: number, ms: number): Promise<void> {
    const remaining = new Set(ids.map((_, i) => i).filter((i) => latest[i]?.t !== atMs));
    if (builtin || remaining.size === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timeout = setTimeout(() => finish(), ms);
      const finish = () => {
        clearTimeout(timeout);
        waiter = undefined;
        resolve();
      };
      waiter = { t: atMs, remaining, resolve: finish };
    });
  }

  function advance(): StepOutput {
    const out = sim.step(requests);
    builtin?.observe(out);
    o.onStep?.(out, sim);
    return out;
  }

  function finish(): void {
    const report = sim.report();
    const total = missed.reduce((s, x) => s + x, 0);
    const n = Math.min(latencyN, MAX_LATENCY_SAMPLES);
    const decisionLatencyMs = {
      p50: percentile(latency, n, 0.5),
      p99: percentile(latency, n, 0.99),
    };
    resolveDone({
      scenario: o.scenario.name,
      seed: sim.seed,
      controller: o.controller,
      metrics: { ...report.metrics, missedDeadlines: total, decisionLatencyMs },
      perIntersection: report.perIntersection.map((p, i) => ({
        ...p,
        missedDeadlines: missed[i]!,
      })),
    });
  }

  async function lockstep(): Promise<void> {
    let out: StepOutput | undefined;
    let first = true;
    while (!closed && !sim.done()) {
      const atMs = sim.nowMs();
      await publishTick(out, atMs);
      await waitForDecisions(atMs, first ? (o.firstTickWaitMs ?? 10_000) : deadlineMs);
      first = false;
      if (closed) return;
      collect(atMs, true);
      out = advance();
    }
    if (!closed) {
      await publishTick(out, sim.nowMs());
      finish();
    }
  }

  function realtime(): void {
    const periodMs = sim.stepMs / speed;
    const wallStart = performance.now();
    let ticks = 0;
    let out: StepOutput | undefined;
    const tick = async () => {
      if (closed) return;
      try {
        // Catch up without sleeping when behind (bounded: the loop yields every 100 ticks).
        for (
          let k = 0;
          k < 100 && !sim.done() && performance.now() >= wallStart + ticks * periodMs;
          k++
        ) {
          const atMs = sim.nowMs();
          await publishTick(out, atMs);
          collect(atMs, false);
          out = advance();
          ticks++;
        }
        if (sim.done()) {
          await publishTick(out, sim.nowMs());
          finish();
          return;
        }
        timer = setTimeout(tick, Math.max(0, wallStart + ticks * periodMs - performance.now()));
      } catch (e) {
        rejectDone(e as Error);
      }
    };
    void tick();
  }

  return {
    simulation: sim,
    async start() {
      await open();
      if (o.mode === 'lockstep') lockstep().catch((e) => rejectDone(e as Error));
      else realtime();
    },
    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      waiter?.resolve();
      builtin?.close();
      await Promise.all(conns.map((c) => goodbye(c, t)));
      rejectDone(new Error('closed before the end of the scenario'));
    },
    done,
  };
}
