/**
 * Built-in controllers in-process: one per intersection, fed exactly what an MQTT controller
 * would receive — the counts messages of each tick, then the signal of the tick — and asked
 * for its decision on that tick (docs/protocol.md "Timing"). A `ControllerTransport`, so the
 * one loop (loop.ts) runs them exactly as it runs controllers over MQTT.
 *
 * What cannot change a decision is left out, so a run is fast without deciding differently:
 * counts go only to controllers whose algorithm reads detector data, a signal only when it
 * differs from the last in what a controller reads, and a tick is answered from the last
 * decision while the algorithm has promised the same answer (`stableUntilMs`). Each
 * intersection's counts, signal and decision run back to back in `offer` (its state stays in
 * the CPU cache); `take` hands the decisions out. The time measured per tick (`now`) is that of
 * taking the tick's messages and deciding.
 */
import { createFastIntersectionController } from '../controller/fast/controller.ts';
import type {
  IntersectionController,
  IntersectionControllerFactory,
} from '../controller/intersection-controller.ts';
import { createLatencySamples } from '../metrics/index.ts';
import { lostTimePerPhaseS, type Scenario, type Signal } from '../protocol/index.ts';
import { MIN_YELLOW_S, type Request } from '../signal/index.ts';
import type { Simulation, StepOutput } from '../simulator/index.ts';

/** What a transport reads of the engine run: its intersections, seed and signals. */
export type SignalSource = Pick<Simulation, 'configs' | 'seed' | 'signal'>;

import type { ControllerTransport } from './transport.ts';

/** Decision latency samples kept (a ring): p99 over a week of 1 s ticks stays representative. */
const MAX_SAMPLES = 100_000;

/** `builtin:NAME` → NAME; throws a plain-words error for anything else. */
export function builtinName(controller: string): string {
  const m = /^builtin:([A-Za-z0-9_-]+)$/.exec(controller);
  if (!m) throw new Error(`controller '${controller}' is not of the form builtin:NAME`);
  return m[1]!;
}

export interface InProcessOptions {
  /** extra options for every controller instance (algorithm parameters) */
  controllerOptions?: Record<string, unknown>;
  /** monotonic wall ms: when given, the time each tick's decisions take is measured */
  now?: () => number;
  /**
   * the controller implementation: the fast one by default, or the reference
   * (`createIntersectionController`) to compare against; both decide alike
   */
  createController?: IntersectionControllerFactory;
}

/** One built-in controller per intersection of a simulation, as a transport. */
export interface InProcessTransport extends ControllerTransport {
  readonly controllers: IntersectionController[];
}

/**
 * @example createLoop({ sim, transport: createInProcessTransport(sim, scenario, 'builtin:actuated'), clock: lockstep() }).runSync()
 */
export function createInProcessTransport(
  sim: SignalSource,
  scenario: Scenario,
  controller: string,
  o: InProcessOptions = {},
): InProcessTransport {
  const name = builtinName(controller);
  const configs = sim.configs();
  const create = o.createController ?? createFastIntersectionController;
  const controllers = configs.map((c) =>
    create(c, name, {
      seed: sim.seed,
      saturationFlowVphpl: scenario.saturationFlowVphpl ?? 1800,
      lostTimePerPhaseS: lostTimePerPhaseS(scenario, Math.max(c.yellowS, MIN_YELLOW_S)),
      controllerId: `builtin-${name}`,
      ...o.controllerOptions,
    }),
  );
  const index = new Map(configs.map((c, i) => [c.id, i]));
  // Counts cannot change the decisions of an algorithm that reads no detector data (fixed-time
  // with a plan): those controllers are not fed them.
  const fed = controllers.map((c) => c.readsCounts);
  const anyFed = fed.some((x) => x);
  // One request object per (intersection, phase), reused: no allocation per decision.
  const requests = controllers.map(
    (ctl, i) =>
      new Map(configs[i]!.phases.map((p) => [p.id, { phase: p.id, controller: ctl.controllerId }])),
  );
  const ids = configs.map((c) => c.id);
  const n = controllers.length;
  const now = o.now;
  const latency = now ? createLatencySamples(MAX_SAMPLES) : undefined;
  // What each controller last took of its signal: the fields a controller reads (a view has
  // no `t`, and the aggregation reads `t` only to drop older signals, which never come here).
  // A signal equal in all of them changes nothing for the controller and is not passed on:
  // the movement states follow from phase, interval and the clearance's start.
  const sigPhase: (string | undefined)[] = new Array(n).fill(undefined);
  const sigInterval: (string | undefined)[] = new Array(n).fill(undefined);
  const sigSince = new Float64Array(n);
  const sigMinEnd = new Float64Array(n);
  const sigMaxEnd = new Float64Array(n);
  // Decisions held: the last request, when it was decided, until when its algorithm promised
  // the same answer for the same signal, and whether a different signal came since.
  const held: (Request | undefined)[] = new Array(n).fill(undefined);
  const heldAt = new Float64Array(n);
  const heldUntil = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
  const newSignal = new Uint8Array(n).fill(1);
  // The last phase decided that has a request object, and that object: a decision repeats
  // its phase most ticks, found without a map lookup.
  const lastPhase: (string | undefined)[] = new Array(n).fill(undefined);
  const lastRequest: (Request | undefined)[] = new Array(n).fill(undefined);

  function give(i: number, sig: Signal): void {
    if (
      sig.phase === sigPhase[i] &&
      sig.interval === sigInterval[i] &&
      sig.sinceMs === sigSince[i] &&
      sig.minEndMs === sigMinEnd[i] &&
      sig.maxEndMs === sigMaxEnd[i]
    )
      return;
    controllers[i]!.onSignal(sig);
    sigPhase[i] = sig.phase;
    sigInterval[i] = sig.interval;
    sigSince[i] = sig.sinceMs;
    sigMinEnd[i] = sig.minEndMs;
    sigMaxEnd[i] = sig.maxEndMs;
    newSignal[i] = 1;
  }

  /** The request of intersection i at `atMs`, asked or held. */
  function decideOne(i: number, atMs: number): void {
    // Ask again unless the algorithm promised this very answer (fixed-time between
    // boundaries): the same decisions as asking every tick, without the calls.
    if (held[i] === undefined || newSignal[i] || !(atMs >= heldAt[i]! && atMs < heldUntil[i]!)) {
      const ctl = controllers[i]!;
      const phase = ctl.decide(atMs);
      let request = phase === lastPhase[i] ? lastRequest[i] : requests[i]!.get(phase);
      if (request) {
        lastPhase[i] = phase;
        lastRequest[i] = request;
      } else request = { phase, controller: ctl.controllerId };
      held[i] = request;
      heldAt[i] = atMs;
      heldUntil[i] = ctl.stableUntilMs();
      newSignal[i] = 0;
    }
  }

  // The tick's counts messages grouped by intersection (positions in out.counts, in order), so
  // each intersection takes its counts, its signal and decides back to back while its state is
  // still in the CPU cache. Controllers share nothing, so this order decides as "every counts
  // message, then every signal, then every decision" does.
  const countsHead = new Int32Array(n);
  const countsTail = new Int32Array(n);
  let countsNext = new Int32Array(1024);
  // per position in a tick's counts, the intersection id last seen there and its index (-1:
  // not one of ours): the engine sends its sensors in the same order every tick
  let countsId: (string | undefined)[] = [];
  let countsIndex = new Int32Array(0);
  /** the tick whose decisions `offer` already made (NaN: none) */
  let decidedAtMs = Number.NaN;
  /** wall ms `offer` spent on the tick's decisions, when measured */
  let offerMs = 0;

  function offerAndDecide(atMs: number, out: StepOutput): void {
    countsHead.fill(-1);
    if (anyFed) {
      const counts = out.counts;
      if (countsNext.length < counts.length) countsNext = new Int32Array(counts.length * 2);
      if (countsIndex.length < counts.length) {
        countsIndex = new Int32Array(counts.length * 2);
        countsId = new Array(counts.length * 2).fill(undefined);
      }
      for (let k = 0; k < counts.length; k++) {
        const id = counts[k]!.intersection;
        if (countsId[k] !== id) {
          countsId[k] = id;
          countsIndex[k] = index.get(id) ?? -1;
        }
        const i = countsIndex[k]!;
        if (i < 0 || !fed[i]) continue;
        countsNext[k] = -1;
        if (countsHead[i] === -1) countsHead[i] = k;
        else countsNext[countsTail[i]!] = k;
        countsTail[i] = k;
      }
    }
    for (let i = 0; i < n; i++) {
      for (let k = countsHead[i]!; k >= 0; k = countsNext[k]!)
        controllers[i]!.onCounts(out.counts[k]!.message);
      give(i, out.signals[i]!.signal);
      decideOne(i, atMs);
    }
    decidedAtMs = atMs;
  }

  let closed = false;
  return {
    controllers,
    readsCounts: anyFed,
    offer(atMs, out) {
      decidedAtMs = Number.NaN;
      if (!out) {
        for (let i = 0; i < n; i++) give(i, sim.signal(ids[i]!));
        return;
      }
      if (out.signals.length !== n) {
        // not one signal per intersection in order: feed as they come, decide in take
        if (anyFed) {
          for (const c of out.counts) {
            const i = index.get(c.intersection)!;
            if (fed[i]) controllers[i]!.onCounts(c.message);
          }
        }
        for (const x of out.signals) give(index.get(x.intersection)!, x.signal);
        return;
      }
      if (!now) return offerAndDecide(atMs, out);
      const t0 = now();
      offerAndDecide(atMs, out);
      offerMs = now() - t0;
    },
    answers: () => undefined,
    take(atMs, _strict, into) {
      const t0 = now?.() ?? 0;
      const early = decidedAtMs === atMs;
      if (!early) for (let i = 0; i < n; i++) decideOne(i, atMs);
      for (let i = 0; i < n; i++) into.set(ids[i]!, held[i]!);
      if (now && latency) latency.add(now() - t0 + (early ? offerMs : 0));
    },
    latency: () => latency?.summary(),
    close() {
      if (closed) return;
      closed = true;
      for (const c of controllers) c.close();
    },
  };
}
