/**
 * Rejected messages, made visible where an operator looks first: one log line per sending
 * device at a bounded rate (a misconfigured sensor repeats its mistake every few seconds; the
 * log says it once, then once a minute with how many were held back), and a count per device
 * and reason for `/metrics`. The device is named by the message's topic below `{root}/v1/` —
 * `a/counts/s1` is sensor s1, `a/signal` the signal of intersection a, and a typo shows as
 * typed (`a/count/s1`).
 *
 * Bounds: MAX_SOURCES devices are told apart; past that they share `_other`.
 */
import { type LogGate, newLogGate, passLogGate, type RateLimit } from '../broker/limits.ts';

export const MAX_SOURCES = 1000;
export const OTHER_SOURCE = '_other';
/** Per device: the first line at once, then at most one a minute. */
export const REJECT_LOG_RATE: RateLimit = { perSecond: 1 / 60, burst: 1 };
const MAX_SOURCE_CHARS = 128;

/** The sender as the topic names it, relative to `{root}/v1/` (pure). */
export function sourceOf(topic: string, root: string): string {
  const prefix = `${root}/v1/`;
  const rel = topic.startsWith(prefix) ? topic.slice(prefix.length) : topic;
  const printable = rel.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > MAX_SOURCE_CHARS
    ? `${printable.slice(0, MAX_SOURCE_CHARS)}…`
    : printable || '(empty)';
}

export interface RejectionLog {
  /** Counts one rejection and logs it unless this device's gate holds it back. */
  rejected(topic: string, reason: string, detail: string): void;
}

export function createRejectionLog(o: {
  root: string;
  log(line: string): void;
  count(source: string, reason: string): void;
  now(): number;
}): RejectionLog {
  const gates = new Map<string, LogGate>();
  return {
    rejected(topic, reason, detail) {
      let source = sourceOf(topic, o.root);
      if (!gates.has(source) && gates.size >= MAX_SOURCES) source = OTHER_SOURCE;
      o.count(source, reason);
      const t = o.now();
      const r = passLogGate(
        gates.get(source) ?? newLogGate(t, REJECT_LOG_RATE),
        t,
        REJECT_LOG_RATE,
      );
      gates.set(source, r.gate);
      if (!r.log) return;
      const held = r.suppressed > 0 ? ` (+${r.suppressed} more from ${source} held back)` : '';
      o.log(
        `collector: rejected a message from ${source} (${reason}): ${detail.slice(0, 300)}${held}`,
      );
    },
  };
}
