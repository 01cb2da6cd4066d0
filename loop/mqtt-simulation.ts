/**
 * The simulator over MQTT (shell): publishes retained `config`, births and Last Wills, the
 * `counts` of every sensor each interval and the `signal` of every intersection each tick, and
 * takes decisions from MQTT (`controller: 'mqtt'`) or from built-in controllers in-process —
 * on the one loop (loop.ts) with its lockstep or real-time clock (clock.ts).
 *
 * Lockstep counts each intersection that did not answer a tick before the deadline in
 * `missedDeadlines` and steps with what it has (a missing request: the monitor holds, and its
 * watchdog runs the fallback plan after watchdogS).
 */

import { DEFAULT_ROOT, parseTopic, type Scenario, topics } from '../protocol/index.ts';
import { createSimulation, type StepOutput } from '../simulator/index.ts';
import {
  births,
  type Connection,
  clientLink,
  connect,
  goodbye,
  type MqttCredentials,
  type SessionLike,
  sessionLink,
} from '../simulator/mqtt-clients.ts';
import { lockstep, realtime } from './clock.ts';
import { createDecisionInbox } from './decision-inbox.ts';
import { createInProcessTransport } from './in-process.ts';
import { createLoop, type LoopEngine } from './loop.ts';
import type { RunResult } from './run.ts';
import type { ControllerTransport } from './transport.ts';

export type { MqttCredentials } from '../simulator/mqtt-clients.ts';

export interface MqttSimulationOptions {
  scenario: Scenario;
  seed?: number;
  durationS?: number;
  mqttUrl: string;
  /**
   * the broker runs in this process (the bench's own): a session of it per credential instead
   * of an MQTT connection — no packets, the same credential and ACL checks
   * (broker/in-process-session.ts)
   */
  openSession?: (
    clientId: string,
    credentials: MqttCredentials | undefined,
  ) => Promise<SessionLike>;
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
  onStep?: (out: StepOutput, sim: LoopEngine) => void;
  /** send raw detector actuations in the counts messages (what ATSPM measures need); OpenPhase's engine */
  actuations?: boolean;
  /**
   * A run of another engine (engines/all.ts), created by the caller for this scenario, seed and
   * duration, and closed by the caller; default OpenPhase's engine, created here.
   */
  run?: LoopEngine;
}

export interface MqttSimulation {
  readonly simulation: LoopEngine;
  start(): Promise<void>;
  /** stops the run, publishes offline status, disconnects; safe twice */
  close(): Promise<void>;
  /** resolves with the metrics when the scenario has run to its end */
  readonly done: Promise<RunResult>;
  /** decision messages received so far (0 at the end: no controller answered at all) */
  decisionsReceived(): number;
}

/** Decision latency samples kept (a ring): enough for p99 over hours of a city. */
const MAX_LATENCY_SAMPLES = 200_000;

export function createMqttSimulation(o: MqttSimulationOptions): MqttSimulation {
  const sim: LoopEngine =
    o.run ??
    createSimulation(o.scenario, {
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      ...(o.durationS !== undefined ? { durationS: o.durationS } : {}),
      ...(o.actuations ? { actuations: true } : {}),
    });
  const t = topics(o.root ?? DEFAULT_ROOT);
  const ids = sim.configs().map((c) => c.id);
  const builtin =
    o.controller === 'mqtt' ? undefined : createInProcessTransport(sim, o.scenario, o.controller);
  const inbox = builtin ? undefined : createDecisionInbox(ids, MAX_LATENCY_SAMPLES);
  let conns: Connection[] = [];
  const countsConn = new Map<string, Connection>();
  const signalConn = new Map<string, Connection>();
  let closed = false;
  let resolveDone!: (r: RunResult) => void;
  let rejectDone!: (e: Error) => void;
  const done = new Promise<RunResult>((res, rej) => {
    resolveDone = res;
    rejectDone = rej;
  });
  done.catch(() => {}); // the caller may never await it

  let decisionsReceived = 0;
  function onDecision(topic: string, payload: Buffer): void {
    const parsed = parseTopic(topic, t.root);
    if (parsed?.kind !== 'decision' || !inbox) return;
    decisionsReceived++;
    inbox.receive(parsed.intersection, payload);
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
        const link = o.openSession
          ? sessionLink(await o.openSession(g.clientId, g.creds))
          : clientLink(await connect(o.mqttUrl, g.clientId, g.creds, will));
        const conn = { link, devices: g.devices };
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
      c.link.onMessage(onDecision);
      await births(c, t, sim.nowMs());
      // After a reconnect: births and the retained config again (mqtt.js resubscribes itself).
      c.link.onReconnect(() => {
        if (closed) return;
        void births(c, t, sim.nowMs());
        for (const [id, owner] of signalConn) if (owner === c) void publishConfig(id);
      });
    }
    if (!builtin) {
      // The controller publishes its decisions at QoS 1 and has the broker's PUBACK; a session
      // of a broker in this process hears them straight from the broker's routing.
      await Promise.all(ids.map((id) => signalConn.get(id)!.link.subscribe(t.decision(id), 1)));
    }
    await Promise.all(ids.map(publishConfig));
  }

  const configs = new Map(sim.configs().map((c) => [c.id, c]));
  function publishConfig(id: string): Promise<void> {
    const config = JSON.stringify({ v: 1, ...configs.get(id)! });
    return signalConn.get(id)!.link.publish(t.config(id), config, true);
  }

  /** Publishes tick `atMs`: every sensor's counts first, then every signal. */
  async function publishTick(out: StepOutput | undefined, atMs: number): Promise<void> {
    if (out)
      await Promise.all(
        out.counts.map((c) =>
          countsConn
            .get(c.sensor)!
            .link.publish(t.counts(c.intersection, c.sensor), JSON.stringify(c.message), false),
        ),
      );
    inbox?.sending(atMs);
    await Promise.all(
      ids.map((id) =>
        signalConn.get(id)!.link.publish(t.signal(id), JSON.stringify(sim.signal(id)), true),
      ),
    );
  }

  // Decisions over MQTT, or built-ins in-process while every tick is published all the same.
  const transport: ControllerTransport = builtin
    ? {
        readsCounts: true,
        async offer(atMs, out) {
          await publishTick(out, atMs);
          builtin.offer(atMs, out);
        },
        answers: () => undefined,
        take: (atMs, strict, into) => builtin.take(atMs, strict, into),
        latency: () => undefined,
        close: () => builtin.close(),
      }
    : {
        readsCounts: true,
        offer: (atMs, out) => publishTick(out, atMs),
        answers: (atMs, waitMs, liveSinceMs) => inbox!.answers(atMs, waitMs, liveSinceMs),
        take: (atMs, strict, into) => inbox!.take(atMs, strict, into),
        latency: () => inbox!.latency.summary(),
        close: () => inbox!.close(),
      };
  const loop = createLoop({
    sim,
    transport,
    clock:
      o.mode === 'lockstep'
        ? lockstep({
            deadlineMs: o.deadlineMs ?? 1000,
            firstTickWaitMs: o.firstTickWaitMs ?? 10_000,
          })
        : realtime({ speed: o.speed ?? 1 }),
    ...(o.onStep ? { onStep: o.onStep } : {}),
  });

  function finish(): void {
    const report = sim.report();
    const missed = loop.missed;
    const total = missed.reduce((s, x) => s + x, 0);
    const decisionLatencyMs = transport.latency() ?? { p50: 0, p99: 0 };
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

  return {
    simulation: sim,
    decisionsReceived: () => decisionsReceived,
    async start() {
      await open();
      loop.run().then(
        () => {
          if (!closed) finish();
        },
        (e) => rejectDone(e as Error),
      );
    },
    async close() {
      if (closed) return;
      closed = true;
      loop.stop();
      await transport.close();
      await Promise.all(conns.map((c) => goodbye(c, t)));
      rejectDone(new Error('closed before the end of the scenario'));
    },
    done,
  };
}
