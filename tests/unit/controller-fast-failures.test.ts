/**
 * The fast controllers' failure check (controller/fast/failures.ts) flags the same detectors
 * as the view's `failedAt` at every second: a detector is summed for stuck-off only past its
 * deadline (5 min after the bucket it last counted or was occupied in), and it is declared
 * failed at the first decision past that deadline, not a second later or earlier; no-data and
 * stuck-on failures, checked past their own deadline, come at the same second as the view's
 * (dropouts, a shorter interval after a longer one, a detector standing occupied).
 */
import { describe, expect, it } from 'vitest';
import { addCounts, createAggregation } from '../../controller/aggregation.ts';
import { failedAt, SILENT_BUCKETS } from '../../controller/aggregation-view.ts';
import { createFailureCheck } from '../../controller/fast/failures.ts';
import { BUCKET_MS } from '../../controller/window-block.ts';
import { busyWithin } from '../../controller/window-running.ts';
import { type Counts, detectorsOf } from '../../protocol/index.ts';
import { mulberry32 } from '../contracts/controller-loop.ts';
import { nema8, twoPhase } from '../fixtures/intersections.ts';

const T0 = Date.UTC(2026, 0, 1);

function message(seq: number, fromMs: number, toMs: number, readings: Counts['detectors']) {
  const c: Counts = {
    v: 1,
    sensor: 's',
    boot: 'b',
    seq,
    from: fromMs,
    to: toMs,
    detectors: readings,
  };
  return c;
}

describe('fast failure check', () => {
  it('declares a silent detector stuck-off at the first decision past its deadline', () => {
    // N-through's stop bar counts one vehicle at 0–1 s, then nothing; its advance keeps counting
    const s = createAggregation(twoPhase);
    const failedNow = createFailureCheck(s);
    const ids = detectorsOf(twoPhase).map((d) => d.id);
    const stop = ids.findIndex((id) => id.startsWith('N') && id.endsWith('-stop'));
    expect(stop).toBeGreaterThanOrEqual(0);
    const flagged: number[] = [];
    for (let t = 1; t <= 400; t++) {
      const atMs = T0 + t * 1000;
      const readings = ids.map((id, i) => ({
        id,
        count: i === stop ? (t === 1 ? 1 : 0) : 1,
        occupancy: 0,
      }));
      addCounts(s, message(t, atMs - 1000, atMs, readings));
      failedNow(atMs, s.startMs!);
      if (s.viewScratch.failed[stop]) flagged.push(t);
    }
    // the count sits in bucket 0 (0–10 s); the 5 min window [cur − 29, cur] leaves it once
    // cur = floor((atMs − 1) / 10 s) reaches 30: at t = 301 s
    expect(flagged[0]).toBe(301);
    expect(flagged.length).toBe(100);
    // the deadline itself: busy (no sum needed) up to bucket 29, summed from bucket 30
    const b0 = T0 / BUCKET_MS;
    expect(busyWithin(s.windowBlock, stop, b0 + 29, SILENT_BUCKETS)).toBe(true);
    expect(busyWithin(s.windowBlock, stop, b0 + 30, SILENT_BUCKETS)).toBe(false);
  });

  for (const config of [twoPhase, nema8]) {
    it(`flags what failedAt flags, every second (${config.id}, random streams)`, () => {
      const rand = mulberry32(11);
      const fast = createAggregation(config);
      const ref = createAggregation(config);
      const failedNow = createFailureCheck(fast);
      const ids = detectorsOf(config).map((d) => d.id);
      // per detector: how likely it counts; every other one almost never (silent for minutes
      // beside a sibling that counts: stuck-off)
      const rate = ids.map((_, i) => (i % 2 === 0 ? 0.002 : 0.1 + rand() * 0.4));
      let seq = 0;
      let silentSeen = 0;
      for (let t = 1; t <= 2400; t++) {
        const atMs = T0 + t * 1000;
        if (rand() < 0.95) {
          // late (an older bucket), early (a later bucket), or on time; now and then a longer
          // interval, then a short one (an earlier no-data deadline)
          const shift = rand() < 0.02 ? -20_000 : rand() < 0.01 ? 15_000 : 0;
          const durationMs = t % 300 >= 290 && t % 300 < 297 ? 4000 : 1000;
          const readings = ids
            .map((id, i) => ({ id, i }))
            // one detector drops out for a while every few minutes (no data: failed)
            .filter(
              ({ i }) => rand() < 0.97 && !(i === Math.floor(t / 300) % ids.length && t % 300 < 40),
            )
            .map(({ id, i }) => {
              // the last detector stands occupied with no count for 11 min (stuck on)
              if (i === ids.length - 1 && t > 1000 && t < 1700)
                return { id, count: 0, occupancy: 1 };
              const count = rand() < rate[i]! ? 1 + Math.floor(rand() * 3) : 0;
              const occupancy = count > 0 ? Math.round(rand() * 500) / 1000 : 0;
              return { id, count, occupancy };
            });
          const c = message(seq++, atMs - durationMs + shift, atMs + shift, readings);
          addCounts(fast, c);
          addCounts(ref, c);
        } else seq++;
        const n = failedNow(atMs, fast.startMs ?? atMs);
        const want = failedAt(ref, atMs, ref.startMs ?? atMs, ref.viewScratch);
        expect([...fast.viewScratch.failed], `t=${t}`).toEqual([...want]);
        expect(n).toBe(want.reduce((a, b) => a + b, 0));
        silentSeen += n;
      }
      // the stream does make detectors fail (else the comparison says little)
      expect(silentSeen).toBeGreaterThan(0);
    });
  }
});
