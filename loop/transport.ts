/**
 * Where decisions come from: one interface, implemented in-process (built-in algorithms,
 * in-process.ts) and over MQTT (mqtt-transport.ts). The loop (loop.ts) offers each tick — the
 * counts of the step just run, then every signal — and takes the requests that answer it.
 */
import type { LatencySummary } from '../metrics/index.ts';
import type { Request } from '../signal/index.ts';
import type { StepOutput } from '../simulator/index.ts';

export interface ControllerTransport {
  /** whether any controller reads counts (the engine builds counts messages only then) */
  readonly readsCounts: boolean;
  /**
   * Tick `atMs` goes out: the counts of the step that ended at `atMs` (none before the first
   * step), then every intersection's signal at `atMs`.
   */
  offer(atMs: number, out: StepOutput | undefined): void | Promise<void>;
  /**
   * Undefined when every intersection has answered tick `atMs`; else a promise that resolves
   * when they have, or after `waitMs`. With `liveSinceMs`, only intersections whose controller
   * answered a tick at or after it are waited for (a dead controller is not).
   */
  answers(atMs: number, waitMs: number, liveSinceMs?: number): Promise<void> | undefined;
  /**
   * Sets in `into` the request answering tick `atMs` of every intersection that has one, and
   * deletes the others (the map is reused tick after tick: clearing and refilling a large map
   * every tick costs). `strict` (lockstep): only answers to `atMs` count; else the newest
   * answer not applied yet.
   */
  take(atMs: number, strict: boolean, into: Map<string, Request>): void;
  /** decision latency so far, when this transport measures it */
  latency(): LatencySummary | undefined;
  close(): void | Promise<void>;
}
