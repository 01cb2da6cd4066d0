/**
 * A short lockstep run for the controller conformance check (shell), over ONE MQTT connection
 * that also records what the controller publishes — so a single admin credential is enough on
 * a broker where the client id must equal the device id. The same protocol as the simulator's
 * lockstep clock (loop/clock.ts, docs/protocol.md "Timing"): retained config, then
 * per tick the counts of the tick and the retained signal with `t`; wait for a decision with
 * that `t` from every intersection or the deadline; the safety monitor applies what came.
 */
import type { MqttClient } from 'mqtt';
import { type Decision, decodeMessage, type Scenario, topics } from '../../protocol/index.ts';
import type { Request } from '../../signal/index.ts';
import { createSimulation, type StepOutput } from '../../simulator/index.ts';
import type { TickRecord } from './checks.ts';

export interface LockstepRun {
  /** feed every decision message received (any payload: invalid ones are ignored here) */
  onDecision(intersection: string, payload: Buffer): void;
  /** runs `ticks` steps from simulated `startAtMs`; the first tick waits `firstWaitMs` */
  run(startAtMs: number, ticks: number, firstWaitMs: number): Promise<TickRecord>;
  /** the simulated times of every tick published so far, per intersection */
  readonly published: ReadonlyMap<string, ReadonlySet<number>>;
  /** stops a run in progress */
  close(): void;
}

const publish = (c: MqttClient, topic: string, payload: string, retain: boolean) =>
  c.publishAsync(topic, payload, { qos: 1, retain }).then(
    () => undefined,
    () => undefined, // a lost publish is a missed tick for the controller, never a crash here
  );

export function createLockstepRun(
  client: MqttClient,
  scenario: Scenario,
  root: string,
  deadlineMs: number,
): LockstepRun {
  const t = topics(root);
  const ids = scenario.intersections.map((i) => i.id);
  const published = new Map<string, Set<number>>(ids.map((id) => [id, new Set()]));
  let latest = new Map<string, Decision>();
  let waiter:
    | { t: number; remaining: Set<string>; sentAt: number; resolve: () => void }
    | undefined;
  const latency: number[] = [];
  let closed = false;

  return {
    published,
    onDecision(intersection, payload) {
      const r = decodeMessage('decision', payload);
      if (!r.ok || !published.has(intersection)) return;
      const d = r.value as Decision;
      const prev = latest.get(intersection);
      if (prev && prev.t > d.t) return;
      latest.set(intersection, d);
      if (waiter && d.t === waiter.t && waiter.remaining.delete(intersection)) {
        latency.push(performance.now() - waiter.sentAt);
        if (waiter.remaining.size === 0) waiter.resolve();
      }
    },
    async run(startAtMs, ticks, firstWaitMs) {
      latest = new Map();
      latency.length = 0;
      const stepS = scenario.stepS ?? 1;
      const sim = createSimulation({ ...scenario, startAtMs }, { durationS: ticks * stepS });
      await Promise.all(
        sim
          .configs()
          .map((c) => publish(client, t.config(c.id), JSON.stringify({ v: 1, ...c }), true)),
      );
      let missed = 0;
      let out: StepOutput | undefined;
      let first = true;
      const requests = new Map<string, Request>();
      while (!closed && !sim.done()) {
        const atMs = sim.nowMs();
        await publishTick(sim, out, atMs, first ? firstWaitMs : deadlineMs);
        first = false;
        requests.clear();
        for (const id of ids) {
          const d = latest.get(id);
          if (d?.t === atMs) requests.set(id, { phase: d.phase, controller: d.controller });
          else missed++;
        }
        out = sim.step(requests);
      }
      // the final tick's signal, which a controller answers too (judged by one-per-tick)
      if (!closed) await publishTick(sim, out, sim.nowMs(), 0);
      return { ticks: ticks * ids.length, missed, latencyMs: [...latency] };
    },
    close() {
      closed = true;
      waiter?.resolve();
    },
  };

  async function publishTick(
    sim: ReturnType<typeof createSimulation>,
    out: StepOutput | undefined,
    atMs: number,
    waitMs: number,
  ): Promise<void> {
    if (out)
      await Promise.all(
        out.counts.map((c) =>
          publish(client, t.counts(c.intersection, c.sensor), JSON.stringify(c.message), false),
        ),
      );
    for (const id of ids) published.get(id)!.add(atMs);
    const answered = new Promise<void>((resolve) => {
      const remaining = new Set(ids.filter((id) => latest.get(id)?.t !== atMs));
      const timer = setTimeout(() => finish(), waitMs);
      const finish = () => {
        clearTimeout(timer);
        waiter = undefined;
        resolve();
      };
      waiter = { t: atMs, remaining, sentAt: performance.now(), resolve: finish };
      if (remaining.size === 0) finish();
    });
    await Promise.all(
      ids.map((id) => publish(client, t.signal(id), JSON.stringify(sim.signal(id)), true)),
    );
    if (waitMs > 0) await answered;
    else waiter?.resolve();
  }
}
