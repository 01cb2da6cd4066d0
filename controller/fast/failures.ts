/**
 * Which detectors have failed at a decision, for the fast controllers (pure, no view objects):
 * the flags of aggregation-view.ts `failedAt`, in the same order, with less work per decision.
 *
 * - Stuck-off (silent for 5 min while a sibling counts ≥ 10) is checked only past its
 *   deadline: a detector that counted or was occupied in bucket b cannot be silent before
 *   bucket b + 30, so until then no sum is taken (window-running.ts `busyWithin`). Most
 *   detectors count every few minutes and are never summed.
 * - A silent detector's siblings (the other detectors of its movements) are a flat list of
 *   positions built once, not movement and detector objects walked at every decision.
 * - No-data and stuck-on are checked only past a deadline too: after a check that finds
 *   neither, no detector can fail for want of data before the earliest `last reading +
 *   failAfterIntervals × interval`, and a reading can only move that later — unless it is a
 *   first one, has a shorter interval or leaves a detector stuck on, which the intake flags
 *   (`healthDirty`) for a full check at the next decision.
 */
import type { AggregationState } from '../aggregation.ts';
import { detectorFailed, SILENT_BUCKETS } from '../aggregation-view.ts';
import { BUCKET_MS } from '../window-block.ts';
import { advanceRunning, busyWithin } from '../window-running.ts';
import { type CountSum, completenessOf, sumCountsAt } from '../windows.ts';

/**
 * `failedNow(atMs, start)` fills `s.viewScratch.failed` as `failedAt(s, atMs, start, …)` does
 * and returns how many failed.
 */
export function createFailureCheck(s: AggregationState): (atMs: number, start: number) => number {
  const dets = s.detectorList;
  const block = s.windowBlock;
  // each detector's siblings, once each: siblings[siblingsAt[d] … siblingsAt[d + 1])
  const lists = dets.map((d) => [
    ...new Set(
      d.movements.flatMap((mv) => mv.detectors.filter((o) => o !== d).map((o) => o.index)),
    ),
  ]);
  const siblingsAt = new Int32Array(dets.length + 1);
  lists.forEach((l, i) => {
    siblingsAt[i + 1] = siblingsAt[i]! + l.length;
  });
  const siblings = Int32Array.from(lists.flat());
  const sum: CountSum = { count: 0, coveredMs: 0, occupied: false, spanMs: 0 };

  /** Stuck-off, as aggregation-view.ts `silentWhileSiblingCounts` (same sums, same order). */
  function silent(i: number, atMs: number, failed: Uint8Array): boolean {
    const own = sumCountsAt(block, i, atMs, SILENT_BUCKETS, sum);
    if (own.count > 0 || own.occupied || completenessOf(own) < 0.8) return false;
    for (let j = siblingsAt[i]!; j < siblingsAt[i + 1]!; j++) {
      const o = siblings[j]!;
      if (failed[o]) continue;
      if (sumCountsAt(block, o, atMs, SILENT_BUCKETS, sum).count >= 10) return true;
    }
    return false;
  }

  const failAfter = s.opts.failAfterIntervals;
  /** before this time no detector can fail for want of data (none is stuck on) */
  let quietUntilMs = Number.NEGATIVE_INFINITY;

  return function failedNow(atMs, start) {
    const failed = s.viewScratch.failed;
    let n = 0;
    if (!s.healthDirty && atMs < quietUntilMs) failed.fill(0);
    else {
      // every detector, and the first time one of them could fail for want of data
      let until = Number.POSITIVE_INFINITY;
      for (let i = 0; i < dets.length; i++) {
        const d = dets[i]!;
        const f = detectorFailed(s, d, atMs, start) ? 1 : 0;
        failed[i] = f;
        n += f;
        const since = Number.isNaN(d.lastToMs) ? start : d.lastToMs;
        until = Math.min(until, since + failAfter * d.intervalMs);
      }
      // 1 ms early, against rounding; none while the start is not known (it moves with atMs)
      quietUntilMs = n === 0 && s.startMs !== undefined ? until - 1 : Number.NEGATIVE_INFINITY;
      s.healthDirty = false;
    }
    // no reading yet: nothing covered, so nothing is silent (completeness 0)
    if (block.data.length === 0) return n;
    const cur = Math.floor((atMs - 1) / BUCKET_MS);
    // the running sums end at this decision's bucket (as a sum would move them on)
    const exact = block.runExact && cur >= block.runCur;
    if (exact && cur > block.runCur) advanceRunning(block, cur);
    for (let i = 0; i < dets.length; i++) {
      if (failed[i]) continue;
      // before its deadline: counted or occupied within the 5 min, so not silent
      if (exact && busyWithin(block, i, cur, SILENT_BUCKETS)) continue;
      if (silent(i, atMs, failed)) {
        failed[i] = 1;
        n++;
      }
    }
    return n;
  };
}
