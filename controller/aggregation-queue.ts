/** Queue estimates per lane group from detector counts (pure). */
import type { DetectorState, GroupLinks, QueueGroup } from './aggregation-types.ts';

/** A NaN-for-absent number, as `?? 0` would read it. */
export const orZero = (x: number) => (Number.isNaN(x) ? 0 : x);

/** A NaN-for-absent number as the optional field of a view. */
export const orUndefined = (x: number) => (Number.isNaN(x) ? undefined : x);

/**
 * Input-output queue of lane group `gi` (`g`) after a counts message: advance minus stop-bar
 * counts, bounded to [0, 4 × storage]; reset when the stop bar shows the queue discharged
 * during green; raised to the storage when a standing queue sits on the advance detector.
 */
export function updateQueue(
  g: QueueGroup,
  gi: number,
  links: GroupLinks,
  dets: DetectorState[],
  dq: number,
  atMs: number,
  clearGapS: number,
): void {
  const max = g.storageVeh * 4; // beyond what a detector pair can tell apart: bounded
  g.queue = Math.min(max, Math.max(0, g.queue + dq));
  const topo = links.topo;
  const stopFrom = topo[links.stopAt + gi]!;
  const stopTo = topo[links.stopAt + gi + 1]!;
  if (g.green) {
    // Discharged: no stop-bar vehicle for clearGapS and nothing standing on it.
    let clear = stopTo > stopFrom;
    for (let j = stopFrom; j < stopTo; j++) {
      const d = dets[topo[j]!]!;
      if (
        !(
          orZero(d.lastOccupancy) < 0.05 &&
          !Number.isNaN(d.lastActiveMs) &&
          atMs - d.lastActiveMs >= clearGapS * 1000
        )
      ) {
        clear = false;
        break;
      }
    }
    if (clear) g.queue = 0;
  } else {
    // A standing queue over the advance detector: at least the storage behind the stop bar.
    for (let j = topo[links.advanceAt + gi]!; j < topo[links.advanceAt + gi + 1]!; j++) {
      if (orZero(dets[topo[j]!]!.lastOccupancy) >= 0.9) {
        g.queue = Math.max(g.queue, g.storageVeh);
        break;
      }
    }
    for (let j = stopFrom; j < stopTo; j++) {
      if (orZero(dets[topo[j]!]!.lastOccupancy) > 0) {
        g.queue = Math.max(g.queue, 1);
        break;
      }
    }
  }
}
