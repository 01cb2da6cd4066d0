/**
 * The one control loop: engine, controllers, clock. Every way OpenPhase runs a scenario —
 * `simulate` in-process or over MQTT, `bench` with built-ins or vendors, `conformance`, the
 * controller contract suite — goes through `createLoop`, so the step order exists once:
 *
 *   tick t goes out (clock.due): the counts of the step that ended at t, then every signal at t
 *   its answers are awaited (clock.settle: lockstep until all or the deadline)
 *   the requests answering t are taken, and the engine steps t → t + stepS with them
 *
 * and, after the last step, the final tick goes out too (a controller answers it as well).
 * With in-process controllers and the lockstep clock nothing ever waits, and `runSync` runs
 * the same loop without a single promise. An engine in another process (SUMO over TraCI,
 * engines/sumo/) returns a promise from its step: the loop then waits for it, as it waits for
 * a clock or a transport, and goes on with the same steps in the same order (`run()`).
 */
import type { Request } from '../signal/index.ts';
import type { Simulation, StepOptions, StepOutput } from '../simulator/index.ts';
import type { Clock } from './clock.ts';
import type { ControllerTransport } from './transport.ts';

/**
 * What the loop drives: OpenPhase's `Simulation`, or any engine run (engines/engine.ts) whose
 * step may return a promise.
 */
export interface LoopEngine extends Omit<Simulation, 'step'> {
  step(
    requests: ReadonlyMap<string, Request>,
    options?: StepOptions,
  ): StepOutput | Promise<StepOutput>;
}

export interface LoopOptions<S extends LoopEngine = Simulation> {
  sim: S;
  transport: ControllerTransport;
  clock: Clock;
  /** called after every step (progress, charts, audits); must not throw */
  onStep?: (out: StepOutput, sim: S) => void;
}

export interface Loop {
  /** runs to the end; resolves at once (no promise) when nothing has to wait */
  run(): Promise<void>;
  /** runs to the end without waiting; throws if the clock or the transport would wait */
  runSync(): void;
  /** per intersection (in `sim.configs()` order), lockstep ticks without an answer in time */
  readonly missed: Float64Array;
  /** stops after the tick under way */
  stop(): void;
}

export function createLoop<S extends LoopEngine = Simulation>(o: LoopOptions<S>): Loop {
  const { sim, transport, clock } = o;
  const ids = sim.configs().map((c) => c.id);
  const missed = new Float64Array(ids.length);
  const requests = new Map<string, Request>();
  // No counts message is read when no controller reads them and nobody watches the steps:
  // the engine then does not build them (the traffic and the detectors stay the same).
  const counts = transport.readsCounts || o.onStep !== undefined;
  let out: StepOutput | undefined;
  let n = 0;
  let stopped = false;
  // Each phase of a tick returns a promise only when it must wait; `phase` says where to go on.
  let phase: 'due' | 'offer' | 'settle' | 'step' | 'stepped' | 'end' | 'done' = 'due';
  const stepped = (r: StepOutput) => {
    out = r;
  };

  /** Advances through the phases until one must wait (its promise) or the run ends. */
  function advance(): Promise<void> | undefined {
    for (;;) {
      if (stopped) return undefined;
      switch (phase) {
        case 'due': {
          phase = 'offer';
          const w = clock.due(n, sim.stepMs);
          if (w) return w;
          break;
        }
        case 'offer': {
          phase = sim.done() ? 'end' : 'settle';
          const w = transport.offer(sim.nowMs(), out);
          if (w) return w;
          break;
        }
        case 'settle': {
          phase = 'step';
          const w = clock.settle(transport, sim.nowMs(), n);
          if (w) return w;
          break;
        }
        case 'step': {
          const atMs = sim.nowMs();
          transport.take(atMs, clock.strict, requests);
          if (clock.strict && requests.size < ids.length)
            for (let i = 0; i < ids.length; i++) if (!requests.has(ids[i]!)) missed[i]!++;
          phase = 'stepped';
          const r = sim.step(requests, { counts });
          // an engine in another process answers later: wait for its step like for a clock
          if (r instanceof Promise) return r.then(stepped);
          out = r;
          break;
        }
        case 'stepped':
          o.onStep?.(out!, sim);
          n++;
          phase = 'due';
          break;
        case 'end':
          phase = 'done';
          return undefined;
        case 'done':
          return undefined;
      }
    }
  }

  return {
    missed,
    async run() {
      for (let w = advance(); w; w = advance()) await w;
    },
    runSync() {
      if (advance())
        throw new Error('runSync: the clock, the transport or the engine had to wait (use run())');
    },
    stop() {
      stopped = true;
      clock.stop();
    },
  };
}
