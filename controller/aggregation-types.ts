/**
 * The state of an aggregation (aggregation.ts) and of its parts: sequence tracking
 * (aggregation-sequence.ts), detector health (aggregation-health.ts), queue estimates
 * (aggregation-queue.ts). Types only.
 */
import type { Detector, IntersectionConfig } from '../protocol/index.ts';
import type { SignalView } from './types.ts';
import type { WindowBlock, WindowSum, Windows } from './windows.ts';

export interface AggregationOptions {
  /** intervals without data before a detector is failed (default 5) */
  failAfterIntervals?: number;
  /** seconds of green with the detector occupied and counting nothing → stuck-on (default 20) */
  stuckOnS?: number;
  /** seconds continuously occupied with no count, whatever the signal → stuck-on (default 600) */
  maxPresenceS?: number;
  /** stop-bar gap during green after which the queue counts as discharged (default 3) */
  clearGapS?: number;
  /** least arrival rate assumed for a failed movement, veh/h/lane (default 300) */
  defaultFlowVphpl?: number;
}

export interface DetectorState {
  det: Detector;
  /** position in `AggregationState.detectorList` */
  index: number;
  windows: Windows;
  lastCount: number;
  /** NaN (rather than undefined, so the field stays an unboxed number): not sent */
  lastOccupancy: number;
  /** NaN: nothing received yet */
  lastToMs: number;
  intervalMs: number;
  /** NaN: never active */
  lastActiveMs: number;
  stuckGreenMs: number;
  stuckMs: number;
  /** the served movements of `det.movements`, in its order (filled once) */
  movements: MovementStateX[];
  /** the queue group of the detector's first movement (its counts move that queue) */
  queueGroup: QueueGroup | undefined;
  /**
   * copies of `det` read per reading (`det.sensor`, `det.kind === 'advance'`), and the distinct
   * groups of `movements`: a reading then touches this object, not the config's
   */
  sensor: string | undefined;
  advance: boolean;
  groups: QueueGroup[];
}

export interface QueueGroup {
  key: string;
  movements: string[];
  /** the states of `movements` */
  movementStates: MovementStateX[];
  advance: DetectorState[];
  stop: DetectorState[];
  lanes: number;
  storageVeh: number;
  queue: number;
  /** one of `movementStates` is green (kept by addSignal) */
  green: boolean;
  /** position in `AggregationState.groups` (and in `goodFlowVph`) */
  index: number;
}

/**
 * The detector ↔ lane group relations of an intersection as positions (in `detectorList` and
 * `groups`) in one array, built once: a reading then touches one array instead of a small
 * array per detector and group, or one per relation (at city scale, the memory first touched
 * is the cost). A list is `topo[topo[at + i] … topo[at + i + 1])` for the `at` offsets below.
 */
export interface GroupLinks {
  topo: Int32Array;
  /** the distinct groups of detector d's movements: list d at `groupsAt` */
  groupsAt: number;
  /** the queue group of detector d, its `queueGroup` (-1: none): `topo[queueGroup + d]` */
  queueGroup: number;
  /** group g's stop-bar detectors (list g at `stopAt`), in `stop` order */
  stopAt: number;
  /** group g's advance detectors (list g at `advanceAt`), in `advance` order */
  advanceAt: number;
  /**
   * scratch of addCounts, per group g: the queue change of the message (`work[g]`) and
   * whether touched (`work[groups + g]`, 1 or 0)
   */
  work: Float64Array;
}

export interface MovementStateX {
  movement: string;
  detectors: DetectorState[];
  group: QueueGroup | undefined;
  lanes: number;
  green: boolean;
  lockedCall: boolean;
  lastGreenEndMs: number | undefined;
  greenSinceMs: number | undefined;
}

export interface SensorState {
  boot: string;
  maxSeq: number;
  /** seq → slot seq % SEEN_SEQS (aggregation-sequence.ts): the seqs seen in (maxSeq − SEEN_SEQS, maxSeq] */
  seen: Float64Array;
  /** the detectors of this sensor's last message, by reading position (a lookup cache) */
  byPosition: (DetectorState | undefined)[];
  /**
   * the reading id each `byPosition` entry was looked up with: a sender that sends the same
   * string object every time (the in-process engine) is then matched by a pointer compare,
   * without reading the detector's own id string (a cache miss per reading at city scale)
   */
  idByPosition: (string | undefined)[];
}

export interface AggregationStats {
  accepted: number;
  duplicates: number;
  lost: number;
  ignoredReadings: number;
  badMessages: number;
}

export interface AggregationState {
  readonly config: IntersectionConfig;
  readonly opts: Required<AggregationOptions>;
  readonly detectors: Map<string, DetectorState>;
  /** `detectors` in order, for loops */
  readonly detectorList: DetectorState[];
  readonly movements: Map<string, MovementStateX>;
  /** `movements` in order, for loops */
  readonly movementList: MovementStateX[];
  readonly groups: QueueGroup[];
  /**
   * per group (its `index`): the m15 arrival flow when last seen healthy, for the
   * failed-movement queue guess (NaN: none). The group's: its movements share their detectors,
   * so they were always remembered together. One array per intersection, written at every
   * decision: one cache line, not a number boxed on each group.
   */
  readonly goodFlowVph: Float64Array;
  /** the detectors' windows (`detectors[i].windows` is position i of it) */
  readonly windowBlock: WindowBlock;
  readonly sensors: Map<string, SensorState>;
  /** the sensor of the last accepted message and its state (a lookup cache of `sensors`) */
  lastSensorId: string | undefined;
  lastSensor: SensorState | undefined;
  startMs: number | undefined;
  /**
   * set when a reading may have brought a detector's no-data or stuck-on failure earlier (a
   * first reading, a shorter interval, a stuck-on detector, the start set): the fast failure
   * check then checks every detector instead of trusting its deadline
   */
  healthDirty: boolean;
  signal: (SignalView & { t: number }) | undefined;
  stats: AggregationStats;
  readonly links: GroupLinks;
  /** scratch of aggregation-view.ts */
  readonly viewScratch: ViewScratch;
}

/** Per-detector scratch of the view computations (no allocation per decision). */
export interface ViewScratch {
  /** failed, by position in detectorList */
  failed: Uint8Array;
  /** m15 flow, veh/h, by position in detectorList */
  m15: Float64Array;
  sum: WindowSum;
}
