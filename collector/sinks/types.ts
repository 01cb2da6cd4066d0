/**
 * The sink contract. A sink implements `write` and nothing else: the framework
 * (collector/pipeline.ts) owns batching, spooling, retry, dead letters and acknowledgement.
 *
 * `write(points)` gets structured points (collector/point.ts) and resolves once they are
 * durable in the sink; how it encodes them is its own business. It rejects with a
 * {@link SinkError}: `retryable` (down, timeout, 5xx, 429, auth or missing database — the batch is
 * spooled and replayed) or `permanent` (the sink refuses these points and always will, e.g. a
 * field whose type conflicts with the stored one: the framework bisects the batch and
 * dead-letters only the points refused). Any other error counts as retryable. A point with no
 * usable field is left out, not refused. Writing the same point twice must leave one point
 * (InfluxDB semantics: same measurement, tags and time).
 *
 * Every sink passes one contract suite (tests/contracts/sink.contract.ts).
 */
import type { Point } from '../point.ts';

export interface Sink {
  readonly name: string;
  write(points: readonly Point[]): Promise<void>;
  /**
   * optional: checked once at start; rejects in words on a configuration fault the operator
   * must fix (a missing database), resolves when the sink is merely unreachable (the spool
   * covers outages)
   */
  ready?(): Promise<void>;
  /** optional: release connections and files; safe to call twice */
  close?(): Promise<void>;
}

export type SinkErrorKind = 'retryable' | 'permanent';

/** Stable error codes of the collector's sinks (docs/influxdb.md lists them). */
export const SINK_ERROR_CODES = {
  unavailable: 'OP_SINK_UNAVAILABLE',
  refused: 'OP_SINK_REFUSED',
} as const;

export class SinkError extends Error {
  readonly code: string;
  constructor(
    message: string,
    readonly kind: SinkErrorKind,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SinkError';
    this.code = kind === 'permanent' ? SINK_ERROR_CODES.refused : SINK_ERROR_CODES.unavailable;
  }
}

/**
 * HTTP status → error kind. Only a refused request is permanent: 401/403/404 (bad token,
 * missing database) are configuration faults an operator fixes, so the data waits in the spool.
 * 413 (too large) is permanent so the framework splits the batch.
 */
export function kindOfStatus(status: number): SinkErrorKind {
  return status === 400 || status === 413 || status === 422 ? 'permanent' : 'retryable';
}

export function isPermanent(e: unknown): boolean {
  return e instanceof SinkError && e.kind === 'permanent';
}
