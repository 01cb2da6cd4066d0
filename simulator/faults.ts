/**
 * Detector faults (pure), one entry per kind: adding a kind is one entry here and one name in
 * the scenario schema. A fault only rewrites what a sensor reports (readings, whether and when
 * a message goes out); it never touches the vehicles, so the traffic is the same with or
 * without it and only the controller's view changes.
 */
import type { DetectorReading, FaultKind } from '../protocol/index.ts';
import type { Rng } from './rng.ts';

export interface ActiveFault {
  kind: FaultKind;
  fromMs: number;
  toMs: number;
  /** noise: max relative error (default 0.3); late: delay in seconds (default 5) */
  magnitude: number | undefined;
}

export interface FaultEffect {
  /** the reading as reported, or undefined when the detector reports nothing */
  reading?: (
    r: DetectorReading,
    magnitude: number | undefined,
    rng: Rng,
  ) => DetectorReading | undefined;
  /** extra copies of the whole message (duplicate delivery) */
  copies?: number;
  /** delivery delay of the whole message, ms */
  delayMs?: (magnitude: number | undefined) => number;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, x));

/** The registry of fault kinds. */
export const FAULTS: Record<FaultKind, FaultEffect> = {
  // A loop stuck on: constant presence, no vehicle edges to count.
  'stuck-on': { reading: (r) => ({ id: r.id, count: 0, occupancy: 1 }) },
  'stuck-off': { reading: (r) => ({ id: r.id, count: 0, occupancy: 0 }) },
  dropout: { reading: () => undefined },
  noise: {
    reading: (r, magnitude, rng) => {
      const m = magnitude ?? 0.3;
      const out: DetectorReading = {
        id: r.id,
        count: Math.max(0, Math.round(r.count * (1 + m * (2 * rng() - 1)))),
      };
      if (r.occupancy !== undefined)
        out.occupancy = Math.round(clamp01(r.occupancy * (1 + m * (2 * rng() - 1))) * 1000) / 1000;
      if (r.speedKmh !== undefined && out.count > 0) out.speedKmh = r.speedKmh;
      return out;
    },
  },
  duplicate: { copies: 1 },
  late: { delayMs: (magnitude) => (magnitude ?? 5) * 1000 },
};

/** Faults active for an interval starting `offsetMs` after the scenario start. */
export function activeAt(faults: readonly ActiveFault[], offsetMs: number): ActiveFault[] {
  if (faults.length === 0) return faults as ActiveFault[];
  return faults.filter((f) => offsetMs >= f.fromMs && offsetMs < f.toMs);
}

/** Applies a detector's active faults to its reading; undefined when it reports nothing. */
export function applyReadingFaults(
  reading: DetectorReading,
  active: readonly ActiveFault[],
  rng: Rng,
): DetectorReading | undefined {
  let r: DetectorReading | undefined = reading;
  for (const f of active) {
    const effect = FAULTS[f.kind].reading;
    if (effect && r) r = effect(r, f.magnitude, rng);
  }
  return r;
}

/** Message-level effects of the active faults of any detector of a sensor. */
export function messageEffects(active: readonly ActiveFault[]): {
  copies: number;
  delayMs: number;
} {
  let copies = 0;
  let delayMs = 0;
  for (const f of active) {
    const e = FAULTS[f.kind];
    if (e.copies) copies = Math.max(copies, e.copies);
    if (e.delayMs) delayMs = Math.max(delayMs, e.delayMs(f.magnitude));
  }
  return { copies, delayMs };
}
