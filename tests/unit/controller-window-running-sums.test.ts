/**
 * The running sums of windows.ts (`sumCountsInto`, what the fast controllers read) equal fresh
 * sums: the same count, covered ms and span as a plain ring, and `occupied` exactly when its
 * occupied ms are > 0 — with late, early, out-of-ring and long-absent readings, in detectors
 * sharing one buffer, and when a reading is not an integer (then summed afresh).
 */
import { describe, expect, it } from 'vitest';
import {
  addToWindows,
  type CountSum,
  createWindowBlock,
  createWindows,
  sumCountsInto,
  sumWindow,
} from '../../controller/windows.ts';
import { mulberry32 } from '../contracts/controller-loop.ts';
import { readingFromMs, referenceWindows } from '../fixtures/reference-windows.ts';

const T0 = Date.UTC(2026, 0, 1);

/** A random reading stream into `detectors` windows of one buffer, checked at every step. */
function check(
  seed: number,
  detectors: number,
  odd: (step: number) => 'count' | 'duration' | undefined,
) {
  const rand = mulberry32(seed);
  const block = createWindowBlock(detectors);
  const ws = Array.from({ length: detectors }, (_, i) => createWindows(block, i));
  const refs = ws.map(() => referenceWindows());
  const out: CountSum = { count: 0, coveredMs: 0, occupied: false, spanMs: 0 };
  let now = T0;
  let checked = 0;
  for (let step = 0; step < 3000; step++) {
    // mostly 1 s on; sometimes a long silence (past the 15 min ring)
    now += rand() < 0.002 ? Math.floor(rand() * 2000) * 1000 : 1000;
    for (let i = 0; i < detectors; i++) {
      const u = rand();
      const fromMs = readingFromMs(u, rand, now);
      if (Number.isNaN(fromMs)) continue;
      const durationMs =
        odd(step) === 'duration' ? 1000.1 : rand() < 0.9 ? 1000 : 1 + Math.floor(rand() * 5000);
      const count = odd(step) === 'count' ? 0.1 : rand() < 0.6 ? 0 : Math.floor(rand() * 4);
      // often no occupancy at all, so `occupied` is false for whole windows
      const occ = rand() < 0.7 ? 0 : Math.round(rand() * 1000) / 1000;
      addToWindows(ws[i]!, fromMs, durationMs, count, occ);
      refs[i]!.add(fromMs, durationMs, count, occ);
    }
    for (let i = 0; i < detectors; i++) {
      for (const buckets of [30, 90] as const) {
        const at = now - (rand() < 0.1 ? Math.floor(rand() * 20_000) : 0);
        const got = sumCountsInto(ws[i]!, at, buckets, out);
        const want = refs[i]!.sum(at, buckets);
        const fresh = sumWindow(ws[i]!, at, buckets);
        expect([got.count, got.coveredMs, got.occupied, got.spanMs]).toEqual([
          want.count,
          want.coveredMs,
          want.occMs > 0,
          fresh.spanMs,
        ]);
        checked++;
      }
    }
  }
  return checked;
}

describe('running window sums', () => {
  it('equal fresh sums for integer readings, one detector or several in a buffer', () => {
    for (let seed = 1; seed <= 4; seed++) expect(check(seed, 1, () => undefined)).toBe(6000);
    for (let seed = 5; seed <= 7; seed++) expect(check(seed, 4, () => undefined)).toBe(24_000);
  });

  it('equal fresh sums with counts or durations that are not integers', () => {
    expect(check(11, 2, (step) => (step % 7 === 0 ? 'count' : undefined))).toBe(12_000);
    expect(check(12, 2, (step) => (step % 7 === 0 ? 'duration' : undefined))).toBe(12_000);
  });

  it('are zero for windows that never had a reading', () => {
    const block = createWindowBlock(2);
    const [a, b] = [createWindows(block, 0), createWindows(block, 1)];
    addToWindows(a, T0, 1000, 3, 0.5);
    const out: CountSum = { count: 1, coveredMs: 1, occupied: true, spanMs: 0 };
    expect(sumCountsInto(b, T0 + 1000, 90, out)).toMatchObject({
      count: 0,
      coveredMs: 0,
      occupied: false,
    });
    expect(sumCountsInto(a, T0 + 1000, 30, out)).toMatchObject({
      count: 3,
      coveredMs: 1000,
      occupied: true,
    });
  });
});
