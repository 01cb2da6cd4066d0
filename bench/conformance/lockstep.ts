/**
 * A short lockstep run for the controller conformance check (shell), over ONE MQTT connection
 * that also records what the controller publishes — so a single admin credential is enough on
 * a broker where the client id must equal the device id. The one loop (loop/loop.ts) with the
 * lockstep clock (loop/clock.ts, docs/protocol.md "Timing"): retained config, then per tick
 * the counts of the tick and the retained signal with `t`; wait for a decision with that `t`
 * from every intersection or the deadline; the safety monitor applies what came.
 */
import type { MqttClient } from 'mqtt';
import { createDecisionInbox } from '../../loop/decision-inbox.ts';
import { type ControllerTransport, createLoop, lockstep } from '../../loop/index.ts';
import { type Scenario, topics } from '../../protocol/index.ts';
import { createSimulation, type Simulation, type StepOutput } from '../../simulator/index.ts';
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
  const inbox = createDecisionInbox(ids);
  let stop: (() => void) | undefined;

  async function publishTick(sim: Simulation, atMs: number, out: StepOutput | undefined) {
    if (out)
      await Promise.all(
        out.counts.map((c) =>
          publish(client, t.counts(c.intersection, c.sensor), JSON.stringify(c.message), false),
        ),
      );
    for (const id of ids) published.get(id)!.add(atMs);
    inbox.sending(atMs);
    await Promise.all(
      ids.map((id) => publish(client, t.signal(id), JSON.stringify(sim.signal(id)), true)),
    );
  }

  return {
    published,
    onDecision: (intersection, payload) => inbox.receive(intersection, payload),
    async run(startAtMs, ticks, firstWaitMs) {
      inbox.reset();
      const stepS = scenario.stepS ?? 1;
      const sim = createSimulation({ ...scenario, startAtMs }, { durationS: ticks * stepS });
      await Promise.all(
        sim
          .configs()
          .map((c) => publish(client, t.config(c.id), JSON.stringify({ v: 1, ...c }), true)),
      );
      const transport: ControllerTransport = {
        readsCounts: true,
        offer: (atMs, out) => publishTick(sim, atMs, out),
        answers: (atMs, waitMs) => inbox.answers(atMs, waitMs),
        take: (atMs, strict, into) => inbox.take(atMs, strict, into),
        latency: () => inbox.latency.summary(),
        close: () => inbox.close(),
      };
      const loop = createLoop({
        sim,
        transport,
        clock: lockstep({ deadlineMs, firstTickWaitMs: firstWaitMs }),
      });
      stop = () => {
        loop.stop();
        inbox.close();
      };
      await loop.run();
      const missed = loop.missed.reduce((s, x) => s + x, 0);
      return { ticks: ticks * ids.length, missed, latencyMs: inbox.latency.values() };
    },
    close() {
      stop?.();
    },
  };
}
