/**
 * What the measures are computed from (what the collector stores) and what they are.
 * Times are epoch ms UTC; bins are cut in the intersection's time zone.
 */
import type { Interval } from '../protocol/index.ts';

/** One stored `signal` point: the phase and interval that started at `atMs` (its `sinceMs`). */
export interface SignalChange {
  atMs: number;
  phase: string;
  interval: Interval;
  /** latest end the controller allowed for this interval (the phase's max green during green) */
  maxEndMs?: number;
  minEndMs?: number;
}

/** One stored `actuations` point: a detector on from `onMs` to `offMs`. */
export interface DetectorActuation {
  detector: string;
  onMs: number;
  offMs: number;
}

/** One stored `counts` point: vehicles a detector counted in the interval starting at `atMs`. */
export interface DetectorCount {
  detector: string;
  atMs: number;
  count: number;
}

/** The stored history of one intersection over a time range (plus a look-back for signals). */
export interface MeasuresData {
  signals: SignalChange[];
  actuations: DetectorActuation[];
  counts: DetectorCount[];
}

export interface MeasuresOptions {
  fromMs: number;
  /** exclusive */
  toMs: number;
  /** IANA zone of the bins (default: the config's `timeZone`, else UTC) */
  timeZone?: string;
  /** bin length, ms (default 15 min) */
  binMs?: number;
  /** speed from an advance detector to the stop bar, km/h (default 50) */
  approachSpeedKmh?: number;
  /** split failure thresholds (ATSPM default 0.79 both) */
  gorThreshold?: number;
  rorThreshold?: number;
  /** red seconds the red occupancy ratio looks at (ATSPM: the first 5 s) */
  rorWindowS?: number;
  /** a red actuation this far into red is counted as severe, s (default 5) */
  severeRedS?: number;
  /** most arrivals kept per lane group in the coordination diagram data (default 20,000) */
  maxDiagramArrivals?: number;
}

/** Arrivals at the stop bar (from advance detectors, projected by distance / speed). */
export interface ArrivalMeasures {
  /** arrivals seen (advance detector on-events) */
  arrivals: number;
  arrivalsOnGreen: number;
  /** arrivals on green, % (null: no arrivals) */
  aogPct: number | null;
  /** share of the time the lane group showed green, % (g/C) */
  greenPct: number | null;
  /** platoon ratio Rp = (arrivals on green %) / (g/C %) (HCM); null when undefined */
  platoonRatio: number | null;
  /** delay of arrivals on red until the next green start, vehicle-seconds (ATSPM approach delay) */
  delayVehS: number;
  /** delayVehS / arrivals, s per vehicle (null: no arrivals) */
  delayPerVehS: number | null;
}

export interface SplitFailureMeasures {
  /** green services of the lane group that ended inside the range */
  cycles: number;
  /** services with GOR > threshold and ROR5 > threshold */
  failures: number;
  /** failures / cycles, % (null: no cycles) */
  pct: number | null;
}

export interface YellowRedMeasures {
  /** stop-bar actuations that began during yellow */
  yellow: number;
  /** stop-bar actuations that began during red (after yellow) */
  red: number;
  /** of those, the ones later than `severeRedS` into red */
  severeRed: number;
}

export interface BinMeasures {
  fromMs: number;
  toMs: number;
  /** local wall time of the start, `YYYY-MM-DD HH:MM` */
  label: string;
  /** UTC offset at the start */
  offset: string;
  volume: number;
  flowVph: number;
  arrivals: ArrivalMeasures;
  splitFailures: SplitFailureMeasures;
  yellowRed: YellowRedMeasures;
}

/** One cycle of a lane group in the Purdue coordination diagram: red start to next red start. */
export interface DiagramCycle {
  /** start of red (end of yellow), epoch ms */
  startMs: number;
  /** green start, s after startMs */
  greenS: number;
  /** yellow start, s after startMs */
  yellowS: number;
  /** cycle end (next red start), s after startMs */
  endS: number;
}

/** The data of a Purdue coordination diagram: cycles and each arrival's time in its cycle. */
export interface CoordinationDiagram {
  cycles: DiagramCycle[];
  /** [arrival at the stop bar, epoch ms; seconds since its cycle's red start] */
  arrivals: [number, number][];
  /** arrivals left out beyond maxDiagramArrivals */
  truncated: number;
}

export interface LaneGroupMeasures {
  laneGroup: string;
  approach: string;
  movements: string[];
  /** phases that serve the lane group */
  phases: string[];
  /** detectors whose counts make the volume (advance if any, else stop-bar) */
  volumeDetectors: string[];
  arrivalDetectors: string[];
  stopBarDetectors: string[];
  volume: number;
  flowVph: number;
  arrivals: ArrivalMeasures;
  splitFailures: SplitFailureMeasures;
  yellowRed: YellowRedMeasures;
  bins: BinMeasures[];
  diagram: CoordinationDiagram;
}

export interface ApproachVolume {
  approach: string;
  detectors: string[];
  volume: number;
  flowVph: number;
  bins: { fromMs: number; label: string; offset: string; volume: number; flowVph: number }[];
}

/**
 * How each green of a phase ended. Gap-out and force-off cannot be told apart from what the
 * protocol stores (the phase and interval, not the controller's reason): both are an end before
 * the maximum green.
 */
export interface PhaseTermination {
  phase: string;
  /** greens that started and ended inside the range */
  greens: number;
  /** ended at (or within 0.5 s of) the maximum green the controller allowed */
  maxOut: number;
  /** ended earlier: a gap-out (actuated) or a force-off (coordinated / fixed time) */
  gapOutOrForceOff: number;
  /** mean green, s */
  meanGreenS: number | null;
}

export interface Measures {
  intersection: string;
  fromMs: number;
  toMs: number;
  timeZone: string;
  binMs: number;
  approaches: ApproachVolume[];
  laneGroups: LaneGroupMeasures[];
  phases: PhaseTermination[];
  /** what the data lacked, in plain words */
  notes: string[];
}
