/** The plausibility window of protocol/time-window.ts, as every receiver applies it. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, DEFAULT_TIME_WINDOW_MS, decodeMessage } from '../../protocol/index.ts';

const NOW = Date.UTC(2026, 5, 1, 12);
const counts = (from: number, to = from + 1000) =>
  JSON.stringify({ v: 1, sensor: 's1', boot: 'b', seq: 0, from, to, detectors: [] });
const decision = (t: number) => JSON.stringify({ v: 1, controller: 'c', seq: 0, t, phase: 'ns' });
const window = { nowMs: NOW };

describe('plausibility window', () => {
  it('passes times within a day of the clock, and everything without a clock', () => {
    expect(decodeMessage('counts', counts(NOW - 3_600_000), DEFAULT_LIMITS, window).ok).toBe(true);
    expect(decodeMessage('decision', decision(NOW + 60_000), DEFAULT_LIMITS, window).ok).toBe(true);
    expect(decodeMessage('decision', decision(8.64e15)).ok).toBe(true); // no clock given
    expect(DEFAULT_TIME_WINDOW_MS).toBe(86_400_000);
  });

  it('says "seconds, not milliseconds?" for seconds', () => {
    const r = decodeMessage('counts', counts(NOW / 1000), DEFAULT_LIMITS, window);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => [p.code, p.path])).toEqual([
      ['implausible-time', '/from'],
      ['implausible-time', '/to'],
    ]);
    expect(r.problems[0]!.message).toMatch(
      /before the receiver's clock.*seconds, not milliseconds\?$/,
    );
  });

  it('refuses a far-future decision, and honours a configured window', () => {
    const r = decodeMessage('decision', decision(8.64e15), DEFAULT_LIMITS, window);
    expect(r.ok ? [] : r.problems.map((p) => p.code)).toEqual(['implausible-time']);
    const hour = { nowMs: NOW, windowMs: 3_600_000 };
    expect(decodeMessage('decision', decision(NOW + 7_200_000), DEFAULT_LIMITS, hour).ok).toBe(
      false,
    );
  });
});
