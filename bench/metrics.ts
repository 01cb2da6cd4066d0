/**
 * The metrics a scorecard carries (pure): the run metrics of the simulator under the same names,
 * plus the bench's own safety audit (`conflictingGreens`). One list, read by the aggregation,
 * the schema, the report and the docs test.
 */
import { OVERRIDE_KINDS, type OverrideKind } from '../protocol/index.ts';
import type { RunMetrics } from '../simulator/index.ts';

/** One run's numbers: the simulator's metrics and the bench's independent safety audit. */
export interface BenchRunMetrics extends RunMetrics {
  /** steps (× intersections) where two conflicting movements were green together; must be 0 */
  conflictingGreens: number;
}

export interface MetricInfo {
  /** path in BenchRunMetrics: `meanDelayS`, `overrides.minGreen`, `decisionLatencyMs.p50` */
  path: string;
  unit: string;
  /** plain words for the report */
  label: string;
  /** which way is better; undefined: neither (a count of vehicles) */
  better?: 'lower' | 'higher';
  /** depends on wall-clock timing (not reproducible to the digit) */
  timing?: boolean;
}

export const METRICS: readonly MetricInfo[] = [
  { path: 'arrived', unit: 'veh', label: 'vehicles that arrived' },
  { path: 'served', unit: 'veh', label: 'vehicles that got through' },
  {
    path: 'queuedAtEnd',
    unit: 'veh',
    label: 'vehicles still waiting at the end',
    better: 'lower',
  },
  {
    path: 'meanDelayS',
    unit: 's',
    label: 'average delay per vehicle',
    better: 'lower',
  },
  { path: 'p95DelayS', unit: 's', label: 'delay of the worst-off 5 %', better: 'lower' },
  { path: 'maxWaitS', unit: 's', label: 'longest wait of any vehicle', better: 'lower' },
  { path: 'meanQueueVeh', unit: 'veh', label: 'average queue per approach', better: 'lower' },
  { path: 'maxQueueVeh', unit: 'veh', label: 'longest queue on any approach', better: 'lower' },
  { path: 'stopsPerVehicle', unit: '', label: 'stops per vehicle', better: 'lower' },
  { path: 'throughputVph', unit: 'veh/h', label: 'vehicles served per hour', better: 'higher' },
  { path: 'phaseChangesPerHour', unit: '/h', label: 'phase changes per hour' },
  ...OVERRIDE_KINDS.map(
    (k): MetricInfo => ({
      path: `overrides.${k}`,
      unit: '',
      label: `safety interventions: ${k}`,
      better: 'lower',
    }),
  ),
  { path: 'missedDeadlines', unit: '', label: 'ticks with no decision in time', better: 'lower' },
  {
    path: 'decisionLatencyMs.p50',
    unit: 'ms',
    label: 'decision time, median',
    better: 'lower',
    timing: true,
  },
  {
    path: 'decisionLatencyMs.p99',
    unit: 'ms',
    label: 'decision time, 99th percentile',
    better: 'lower',
    timing: true,
  },
  {
    path: 'conflictingGreens',
    unit: '',
    label: 'conflicting greens shown (must be 0)',
    better: 'lower',
  },
];

/** The metrics compared with the baseline, seed by seed. */
export const COMPARED: readonly string[] = [
  'meanDelayS',
  'p95DelayS',
  'maxWaitS',
  'meanQueueVeh',
  'stopsPerVehicle',
  'queuedAtEnd',
];

export const TIMING_PATHS: readonly string[] = METRICS.filter((m) => m.timing).map((m) => m.path);

export function metricInfo(path: string): MetricInfo {
  const m = METRICS.find((x) => x.path === path);
  if (!m) throw new Error(`unknown metric '${path}'`);
  return m;
}

/** The value at `path` of a run's metrics. */
export function valueAt(m: BenchRunMetrics, path: string): number {
  const [a, b] = path.split('.') as [string, string | undefined];
  const v = (m as unknown as Record<string, unknown>)[a];
  const x = b === undefined ? v : (v as Record<string, unknown> | undefined)?.[b];
  return typeof x === 'number' ? x : Number.NaN;
}

/** Total safety-monitor interventions of a run. */
export const overridesTotal = (m: { overrides: Record<OverrideKind, number> }): number =>
  OVERRIDE_KINDS.reduce((s, k) => s + (m.overrides[k] ?? 0), 0);

/** Builds the nested object of `METRICS` from a function of each path (same key order always). */
export function nestMetrics<T>(f: (path: string) => T): Record<string, T | Record<string, T>> {
  const out: Record<string, T | Record<string, T>> = {};
  for (const { path } of METRICS) {
    const [a, b] = path.split('.') as [string, string | undefined];
    if (b === undefined) out[a] = f(path);
    else {
      const inner = (out[a] ?? {}) as Record<string, T>;
      inner[b] = f(path);
      out[a] = inner;
    }
  }
  return out;
}
