/**
 * What one lane group's heads showed over time (pure), from the stored signal changes: green
 * while a phase serving one of its movements is green, yellow during that phase's yellow, red
 * otherwise. The store keeps the phase and interval, not each movement's state, so a movement
 * that stays green across a change of phases reads as yellow then red during the change.
 */
import type { SignalChange } from './types.ts';

export type Light = 'G' | 'Y' | 'R';

export interface Segment {
  fromMs: number;
  toMs: number;
  light: Light;
}

/** One green of a lane group and the yellow and red after it. */
export interface Service {
  greenStartMs: number;
  yellowStartMs: number;
  /** end of yellow: red starts */
  redStartMs: number;
  /** next green start, undefined when the data ends first */
  nextGreenMs: number | undefined;
}

/** Sorted, merged light segments of a lane group served by `phases`, up to `endMs`. */
export function laneGroupTimeline(
  changes: readonly SignalChange[],
  phases: ReadonlySet<string>,
  endMs: number,
): Segment[] {
  const sorted = [...changes].sort((a, b) => a.atMs - b.atMs);
  const out: Segment[] = [];
  for (let k = 0; k < sorted.length; k++) {
    const c = sorted[k]!;
    if (c.atMs >= endMs) break;
    const to = Math.min(endMs, sorted[k + 1]?.atMs ?? endMs);
    if (to <= c.atMs) continue;
    const light: Light = !phases.has(c.phase)
      ? 'R'
      : c.interval === 'green'
        ? 'G'
        : c.interval === 'yellow'
          ? 'Y'
          : 'R';
    const last = out.at(-1);
    if (last && last.light === light && last.toMs === c.atMs) last.toMs = to;
    else out.push({ fromMs: c.atMs, toMs: to, light });
  }
  return out;
}

/** Index of the segment holding `t`, or -1 (binary search on starts). */
export function segmentAt(segments: readonly Segment[], t: number): number {
  let lo = 0;
  let hi = segments.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (segments[mid]!.fromMs <= t) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found >= 0 && t < segments[found]!.toMs ? found : -1;
}

/** The greens of a lane group with their yellow and red; only those whose red start is known. */
export function services(segments: readonly Segment[]): Service[] {
  const out: Service[] = [];
  for (let k = 0; k < segments.length; k++) {
    const g = segments[k]!;
    if (g.light !== 'G') continue;
    const next = segments[k + 1];
    if (!next) break; // still green when the data ends
    let redStartMs = g.toMs;
    let j = k + 1;
    if (next.light === 'Y') {
      if (!segments[k + 2]) break; // still yellow when the data ends
      redStartMs = next.toMs;
      j = k + 2;
    }
    let nextGreenMs: number | undefined;
    for (; j < segments.length; j++)
      if (segments[j]!.light === 'G') {
        nextGreenMs = segments[j]!.fromMs;
        break;
      }
    out.push({ greenStartMs: g.fromMs, yellowStartMs: g.toMs, redStartMs, nextGreenMs });
  }
  return out;
}

/** Time in green inside [fromMs, toMs), ms. */
export function greenTimeMs(segments: readonly Segment[], fromMs: number, toMs: number): number {
  let sum = 0;
  for (const s of segments) {
    if (s.light !== 'G' || s.toMs <= fromMs || s.fromMs >= toMs) continue;
    sum += Math.min(s.toMs, toMs) - Math.max(s.fromMs, fromMs);
  }
  return sum;
}

/** The time [fromMs, toMs) the signal data covers: from the first change on. */
export function coveredMs(segments: readonly Segment[], fromMs: number, toMs: number): number {
  let sum = 0;
  for (const s of segments) {
    if (s.toMs <= fromMs || s.fromMs >= toMs) continue;
    sum += Math.min(s.toMs, toMs) - Math.max(s.fromMs, fromMs);
  }
  return sum;
}
