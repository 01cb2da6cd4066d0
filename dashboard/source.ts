/**
 * What the dashboard shows, and where it comes from. `DashboardSource` is the one interface the
 * HTTP API and the live feed read: the latest state per intersection (kept from MQTT by
 * `createMqttSource`, or fed by hand in tests), the live events, the counters, and a
 * `CountsReader` for history (the collector's: InfluxDB or the embedded store).
 */
import type { CountsReader } from '../collector/index.ts';
import type {
  Counts,
  IntersectionConfig,
  Interval,
  Signal,
  SignalOverrideKind,
} from '../protocol/index.ts';

/** One phase interval that started at `t`: the phase timeline of an intersection. */
export interface TimelineEntry {
  t: number;
  phase: string;
  interval: Interval;
}

export interface DeviceState {
  online: boolean;
  role?: string;
  /** epoch ms of the status message (its `atMs`, or when it was received) */
  atMs: number;
}

/** Everything the dashboard knows about one intersection. */
export interface IntersectionState {
  id: string;
  config?: IntersectionConfig;
  signal?: Signal;
  /** latest counts message per sensor */
  counts: Record<string, Counts>;
  /** vehicles counted in the last interval, per approach (all detectors summed) */
  lastCounts: Record<string, number>;
  /** estimated vehicles queued per approach: advance arrivals minus stop-bar departures */
  queues: Record<string, number>;
  /** phase intervals, oldest first, at most MAX_TIMELINE */
  timeline: TimelineEntry[];
  devices: Record<string, DeviceState>;
  /** safety overrides seen on this intersection's signal */
  overrides: number;
  /** epoch ms (data time) of the newest signal and counts */
  lastSignalMs?: number;
  lastCountsMs?: number;
}

/** J2735 movement states in one letter for the live feed: the page maps them back. */
export const STATE_CODES = {
  dark: 'd',
  'stop-And-Remain': 'r',
  'protected-Movement-Allowed': 'G',
  'permissive-Movement-Allowed': 'g',
  'protected-clearance': 'Y',
  'permissive-clearance': 'y',
} as const;
export type StateCode = (typeof STATE_CODES)[keyof typeof STATE_CODES];

/** The live feed's events: compact JSON, one array of them per WebSocket frame. */
export type LiveEvent =
  /** an intersection appeared or its config changed: fetch /api/intersections/:id */
  | { k: 'cfg'; i: string }
  /** an intersection's config was removed */
  | { k: 'del'; i: string }
  /** signal change: time, phase, interval, movement state codes, controller */
  | {
      k: 'sig';
      i: string;
      t: number;
      p: string;
      iv: Interval;
      m: Record<string, StateCode>;
      c: string;
    }
  /** one counts interval: end time, vehicles per approach, queue estimate per approach */
  | { k: 'cnt'; i: string; t: number; a: Record<string, number>; q: Record<string, number> }
  /** safety overrides on one signal message */
  | { k: 'ovr'; i: string; o: { kind: SignalOverrideKind; atMs: number; requested?: string }[] }
  /** a device went online or offline */
  | { k: 'st'; i: string; d: string; on: boolean }
  /** the counters, sent every second */
  | { k: 'ctr'; c: DashboardCounters };

export interface DashboardCounters {
  /** safety overrides seen, total and by kind */
  overrides: number;
  overridesByKind: Partial<Record<SignalOverrideKind, number>>;
  /** messages refused: by the dashboard's own validation plus the collector's */
  rejected: number;
  /** counts messages lost (seq gaps), from the collector */
  gaps: number;
  /** protocol messages received by the dashboard */
  messages: number;
}

/** Where the dashboard's data comes from. */
export interface DashboardSource {
  start(): Promise<void>;
  close(): Promise<void>;
  /** ids of every known intersection, sorted */
  ids(): string[];
  get(id: string): IntersectionState | undefined;
  counters(): DashboardCounters;
  /** the newest data time seen (epoch ms), or undefined before any message */
  latestMs(): number | undefined;
  /** true while the source is connected to its broker */
  connected(): boolean;
  /** calls `listener` for every live event; returns the unsubscribe function */
  subscribe(listener: (event: LiveEvent) => void): () => void;
  /** historical counts per approach (InfluxDB or the embedded store) */
  reader: CountsReader;
}
