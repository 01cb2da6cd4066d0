/**
 * The two clocks of the loop (docs/protocol.md "Timing"). Time in the core only ever comes
 * from the engine's tick; a clock decides when a tick goes out and how long to wait for its
 * answers.
 * - `lockstep`: a tick goes out as soon as the last one is done; the loop waits for an answer
 *   from every intersection or the deadline, and only answers to that tick count (a missing
 *   one is a missed deadline: the monitor holds, its watchdog takes over after watchdogS).
 *   In-process controllers answer at once, so lockstep is also "as fast as the CPU allows".
 * - `realtime`: a tick goes out every stepS / speed wall seconds; the newest answer received
 *   counts. A live controller (one that answered the previous tick) is waited for within the
 *   tick — until the next tick is due, or at least 1 s (lockstep's default deadline) — so its answer to tick t
 *   applies at t, as in lockstep and in-process. Applied a tick late, a change asked for just
 *   before max green (the algorithms ask one second ahead) lands past it and the monitor has to
 *   end the green: the demo showed three maxGreen overrides at 00:01:00. A dead controller is
 *   not waited for: the clock never slows for it.
 */
import type { ControllerTransport } from './transport.ts';

export interface Clock {
  /** lockstep: only answers to the tick count, and a missing one is a missed deadline */
  readonly strict: boolean;
  /** before tick `atMs` goes out (tick number `n` from 0): undefined to go on at once */
  due(n: number, stepMs: number): Promise<void> | undefined;
  /** after tick `atMs` went out, before its answers are taken */
  settle(transport: ControllerTransport, atMs: number, n: number): Promise<void> | undefined;
  /** ends a wait under way at once (the loop is stopping) */
  stop(): void;
}

export interface LockstepOptions {
  /** wait for answers at most this long per tick (default 1000) */
  deadlineMs?: number;
  /** the first tick waits this long, for controllers to come up (default the deadline) */
  firstTickWaitMs?: number;
}

/** @example lockstep({ deadlineMs: 1000, firstTickWaitMs: 10_000 }) */
export function lockstep(o: LockstepOptions = {}): Clock {
  const deadlineMs = o.deadlineMs ?? 1000;
  const firstMs = o.firstTickWaitMs ?? deadlineMs;
  return {
    strict: true,
    due: () => undefined,
    settle: (transport, atMs, n) => transport.answers(atMs, n === 0 ? firstMs : deadlineMs),
    stop: () => {}, // the transport ends its own waits
  };
}

export interface RealtimeOptions {
  /** simulated seconds per wall second (default 1) */
  speed?: number;
  /** monotonic wall ms (default performance.now) */
  now?: () => number;
}

/** Ticks run behind the wall clock without sleeping, yielding to I/O every this many. */
const CATCH_UP_BATCH = 100;
/** Longest wait for a live controller's answer when the clock is behind (lockstep's default). */
const BEHIND_WAIT_MS = 1000;

/** @example realtime({ speed: 10 }) */
export function realtime(o: RealtimeOptions = {}): Clock {
  const speed = o.speed ?? 1;
  if (!(speed > 0)) throw new Error('speed must be above 0');
  const now = o.now ?? (() => performance.now());
  let wallStart: number | undefined;
  let periodMs = 0;
  let sinceYield = 0;
  let sleeping: { timer: NodeJS.Timeout; wake: () => void } | undefined;
  return {
    strict: false,
    due(n, stepMs) {
      wallStart ??= now();
      periodMs = stepMs / speed;
      const at = wallStart + n * periodMs;
      const wait = at - now();
      if (wait <= 0) {
        // behind: catch up, but let sockets and timers through now and then
        if (++sinceYield < CATCH_UP_BATCH) return undefined;
        sinceYield = 0;
        return new Promise<void>((r) => setImmediate(r));
      }
      sinceYield = 0;
      return new Promise<void>((wake) => {
        sleeping = { timer: setTimeout(wake, wait), wake };
      }).finally(() => {
        sleeping = undefined;
      });
    },
    settle(transport, atMs, n) {
      if (wallStart === undefined) return undefined;
      // stepMs from the tick number: tick n went out at wallStart + n periods (due())
      const nextDue = wallStart + (n + 1) * periodMs;
      const waitMs = Math.max(nextDue - now(), BEHIND_WAIT_MS);
      return transport.answers(atMs, waitMs, atMs - periodMs * speed);
    },
    stop() {
      if (!sleeping) return;
      clearTimeout(sleeping.timer);
      sleeping.wake();
    },
  };
}
