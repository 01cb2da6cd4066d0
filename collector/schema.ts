/**
 * The InfluxDB schema of the collector (documented in docs/influxdb.md): measurement names,
 * the bounded set of reject reasons, and the detector index used to enrich counts from an
 * intersection config. Pure.
 */
import { detectorsOf, type IntersectionConfig, parseMovement } from '../protocol/index.ts';

export const MEASUREMENTS = {
  counts: 'counts',
  actuations: 'actuations',
  signal: 'signal',
  overrides: 'overrides',
  decisions: 'decisions',
  status: 'sensor_status',
  gaps: 'ingest_gaps',
  rejected: 'rejected',
} as const;

/**
 * Why a message was rejected. A closed set, so the `reason` tag of `rejected` and the
 * `rejected_total{reason}` metric stay bounded.
 */
export const REJECT_REASONS = [
  'bad-topic',
  'too-large',
  'empty',
  'not-utf8',
  'too-deep',
  'not-json',
  'not-object',
  'schema',
  'implausible-time',
  'sensor-mismatch',
  'device-mismatch',
  'bad-config',
  'sink-refused',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Lengths kept of a rejected message, so a hostile payload cannot bloat the database. */
export const REJECT_LIMITS = { topic: 256, detail: 512, payload: 512 } as const;

export interface DetectorInfo {
  approach: string;
  /** the detector's movements joined with `+`, e.g. `N-left+N-through` */
  movement: string;
}

/** What the collector knows about one intersection: its detectors by id. */
export interface IntersectionIndex {
  id: string;
  detectors: ReadonlyMap<string, DetectorInfo>;
}

/**
 * Builds the enrichment index of a (validated) config; default detectors included.
 * @example indexConfig(twoPhase).detectors.get('N-through-stop') // { approach: 'N', movement: 'N-through' }
 */
export function indexConfig(config: IntersectionConfig): IntersectionIndex {
  const detectors = new Map<string, DetectorInfo>();
  for (const d of detectorsOf(config)) {
    const approach = parseMovement(d.movements[0] ?? '')?.approach ?? '';
    detectors.set(d.id, { approach, movement: d.movements.join('+') });
  }
  return { id: config.id, detectors };
}
