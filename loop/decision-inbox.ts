/**
 * The controller side of an MQTT transport: decisions received per intersection (the newest
 * kept, older `t` dropped, bad payloads ignored), waiting for a tick's answers, and the time
 * from a tick's signals going out to each answer. Shared by the MQTT simulation and the
 * conformance kit; only how ticks are published differs.
 */
import { createLatencySamples, type LatencySamples } from '../metrics/index.ts';
import {
  DEFAULT_LIMITS,
  DEFAULT_TIME_WINDOW_MS,
  type Decision,
  decodeMessage,
} from '../protocol/index.ts';
import type { Request } from '../signal/index.ts';

export interface DecisionInbox {
  /** a decision message for `intersection` (any payload: invalid ones are ignored) */
  receive(intersection: string, payload: Buffer | string): void;
  /** tick `atMs`'s signals are about to go out (latency is measured from here) */
  sending(atMs: number): void;
  /** see ControllerTransport.answers */
  answers(atMs: number, waitMs: number, liveSinceMs?: number): Promise<void> | undefined;
  /** see ControllerTransport.take */
  take(atMs: number, strict: boolean, into: Map<string, Request>): void;
  readonly latency: LatencySamples;
  /** forgets every decision (a new run) */
  reset(): void;
  /** ends a wait under way */
  close(): void;
}

/** Ticks whose send time is kept for latency (a decision to an older tick is not timed). */
const SENT_KEPT = 64;

export function createDecisionInbox(
  ids: readonly string[],
  latencyCapacity = 200_000,
  now: () => number = () => performance.now(),
  timeWindowMs = DEFAULT_TIME_WINDOW_MS,
): DecisionInbox {
  const index = new Map(ids.map((id, i) => [id, i]));
  let latest: (Decision | undefined)[] = ids.map(() => undefined);
  let applied: (number | undefined)[] = ids.map(() => undefined);
  const sentAt = new Map<number, number>();
  // the signal's clock: the newest tick sent (a decision answers a tick already sent)
  let clockMs: number | undefined;
  const latency = createLatencySamples(latencyCapacity);
  let waiter: { t: number; remaining: Set<number>; resolve: () => void } | undefined;

  return {
    latency,
    receive(intersection, payload) {
      const i = index.get(intersection);
      if (i === undefined || clockMs === undefined) return; // no tick sent: nothing to answer
      // outside the plausibility window of the signal's clock: refused (implausible-time)
      const r = decodeMessage('decision', payload, DEFAULT_LIMITS, {
        nowMs: clockMs,
        windowMs: timeWindowMs,
      });
      if (!r.ok) return; // bad input is dropped, never fatal
      const d = r.value as Decision;
      // [protocol v1: decision t] one from the signal's future must never become the high-water
      // mark every real decision then falls below (one forged t = 8.64e15 locked a signal out)
      if (d.t > clockMs) return;
      const prev = latest[i];
      if (prev && prev.t > d.t) return;
      latest[i] = d;
      const sent = sentAt.get(d.t);
      if (sent !== undefined) latency.add(now() - sent);
      if (waiter && d.t === waiter.t && waiter.remaining.delete(i) && waiter.remaining.size === 0)
        waiter.resolve();
    },
    sending(atMs) {
      clockMs = Math.max(clockMs ?? atMs, atMs);
      sentAt.set(atMs, now());
      if (sentAt.size > SENT_KEPT) sentAt.delete(sentAt.keys().next().value!);
    },
    answers(atMs, waitMs, liveSinceMs) {
      const remaining = new Set(
        ids
          .map((_, i) => i)
          .filter(
            (i) =>
              latest[i]?.t !== atMs &&
              (liveSinceMs === undefined || (latest[i]?.t ?? -Infinity) >= liveSinceMs),
          ),
      );
      if (remaining.size === 0) return undefined;
      return new Promise((resolve) => {
        const timeout = setTimeout(() => finish(), waitMs);
        const finish = () => {
          clearTimeout(timeout);
          waiter = undefined;
          resolve();
        };
        waiter = { t: atMs, remaining, resolve: finish };
      });
    },
    take(atMs, strict, into) {
      for (let i = 0; i < ids.length; i++) {
        const d = latest[i];
        if (d && (strict ? d.t === atMs : d.t > (applied[i] ?? -1))) {
          into.set(ids[i]!, { phase: d.phase, controller: d.controller });
          applied[i] = d.t;
        } else into.delete(ids[i]!);
      }
    },
    reset() {
      latest = ids.map(() => undefined);
      applied = ids.map(() => undefined);
      sentAt.clear();
      clockMs = undefined;
      latency.clear();
    },
    close() {
      waiter?.resolve();
    },
  };
}
