/**
 * The controller's runner refuses a signal (or counts) outside the plausibility window of its
 * clock (issues 17.9, 18.6): one far-future signal must not become the last answered `t`, after
 * which every real signal would look stale and go unanswered.
 */
import { describe, expect, it } from 'vitest';
import { createRunner } from '../../controller/runner.ts';
import { topics } from '../../protocol/index.ts';
import { createMonitor, toSignal } from '../../signal/index.ts';
import { twoPhase } from '../fixtures/intersections.ts';

const T = topics('traffic');
const NOW = Date.UTC(2026, 5, 1, 12);
const config = { ...twoPhase, id: 'a' };
const signalAt = (t: number) => JSON.stringify(toSignal(createMonitor(config, NOW), t));

describe('controller runner time window', () => {
  it('does not answer a far-future signal, and answers the real one after it', () => {
    const runner = createRunner({
      algorithm: 'fixed-time',
      intersections: 'all',
      controllerId: 'ctl',
      timeWindow: { nowMs: () => NOW, windowMs: 86_400_000 },
    });
    runner.handle(T.config('a'), JSON.stringify(config));
    expect(runner.handle(T.signal('a'), signalAt(8.64e15)).decision).toBeUndefined();
    expect(runner.handle(T.signal('a'), signalAt(NOW / 1000)).decision).toBeUndefined();
    expect(runner.stats().invalid.signal).toBe(2);
    expect(runner.handle(T.signal('a'), signalAt(NOW)).decision?.decision.t).toBe(NOW);
    runner.close();
  });

  it('without a window (a simulation on its own clock) every valid time passes', () => {
    const runner = createRunner({
      algorithm: 'fixed-time',
      intersections: 'all',
      controllerId: 'c',
    });
    runner.handle(T.config('a'), JSON.stringify(config));
    expect(runner.handle(T.signal('a'), signalAt(NOW - 400 * 86_400_000)).decision).toBeDefined();
    runner.close();
  });
});
