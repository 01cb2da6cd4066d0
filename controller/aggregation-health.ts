/**
 * Detector health, per reading (pure): when the detector was last active (raw actuations date
 * the last vehicle when sent) and how long it has stayed occupied with no vehicle counted —
 * overall and during green — for the stuck-on rule read by aggregation-view.ts.
 */
import type { Counts } from '../protocol/index.ts';
import type { DetectorState } from './aggregation-types.ts';

/** One of the detector's movements is green: one of their groups is (they make them up). */
function isGreen(d: DetectorState): boolean {
  for (const g of d.groups) if (g.green) return true;
  return false;
}

/** Records the newest reading of detector `d` from counts message `c`. */
export function noteReading(
  d: DetectorState,
  c: Counts,
  count: number,
  occupancy: number | undefined,
  duration: number,
): void {
  const occ = occupancy ?? 0;
  d.lastCount = count;
  d.lastOccupancy = occupancy ?? Number.NaN;
  d.lastToMs = c.to;
  d.intervalMs = duration;
  if (occ >= 0.95)
    d.lastActiveMs = c.to; // presence up to the end of the interval
  else if (count > 0 || occ > 0) {
    // Raw actuations, when sent, date the last vehicle precisely.
    let off = -1;
    if (c.actuations)
      for (const a of c.actuations) if (a.id === d.det.id && a.offMs > off) off = a.offMs;
    d.lastActiveMs = off >= c.from ? Math.min(off, c.to) : c.to;
  }
  // Stuck-on: occupied with no vehicle counted, for long, especially while green.
  if (occ >= 0.95 && count === 0) {
    d.stuckMs += duration;
    if (isGreen(d)) d.stuckGreenMs += duration;
  } else {
    d.stuckMs = 0;
    d.stuckGreenMs = 0;
  }
}
