/**
 * The collector's counters, as plain numbers (`stats()`) and as Prometheus metrics
 * (`prom-client`, one Registry per collector: no global state). Served as text on
 * `--metrics-port` by collector.ts.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { REJECT_REASONS, type RejectReason } from './schema.ts';

export interface CollectorStats {
  received: number;
  receivedByKind: Record<string, number>;
  /** points the sink accepted (direct and replayed) */
  written: number;
  rejected: number;
  rejectedByReason: Partial<Record<RejectReason, number>>;
  spooled: number;
  replayed: number;
  deadLettered: number;
  /** messages missing in declared gaps, and the number of gap records */
  gaps: number;
  gapRecords: number;
  /** gap records at the end of a stream (seen from a sensor's status `lastSeq`) */
  tailGaps: number;
  duplicates: number;
  late: number;
  unenriched: number;
  sinkErrors: number;
  spoolBytes: number;
  paused: boolean;
  heldAcks: number;
  /** connected to the broker now */
  connected: boolean;
  /** suspected session takeovers (another client with our client id) */
  takeovers: number;
}

export function createMetrics() {
  const registry = new Registry();
  const p = 'openphase_collector_';
  const c = (name: string, help: string, labelNames: string[] = []) =>
    new Counter({ name: p + name, help, labelNames, registers: [registry] });
  const m = {
    received: c('messages_received_total', 'MQTT messages received, by topic kind', ['kind']),
    written: c('points_written_total', 'points the sink accepted (direct and replayed)'),
    rejected: c('messages_rejected_total', 'messages rejected, by reason', ['reason']),
    rejectedBySource: c(
      'messages_rejected_by_source_total',
      'messages rejected, by sending device (topic below {root}/v1/) and reason',
      ['source', 'reason'],
    ),
    spooled: c('points_spooled_total', 'points appended to the on-disk spool'),
    replayed: c('points_replayed_total', 'points replayed from the spool into the sink'),
    deadLettered: c('points_dead_lettered_total', 'points the sink refused (4xx), dead-lettered'),
    gaps: c('seq_missing_total', 'messages missing in declared seq gaps'),
    gapRecords: c('seq_gaps_total', 'seq gaps declared (ingest_gaps records)'),
    tailGaps: c(
      'seq_tail_gaps_total',
      "seq gaps at the end of a stream, seen from a sensor's status lastSeq (also in seq_gaps_total)",
    ),
    duplicates: c('duplicates_total', 'messages seen twice (harmless)'),
    late: c('late_total', 'messages that arrived after their gap was declared'),
    unenriched: c('points_unenriched_total', 'points written without intersection config tags'),
    sinkErrors: c('sink_errors_total', 'failed sink writes, by kind', ['kind']),
    batchSeconds: new Histogram({
      name: `${p}batch_write_seconds`,
      help: 'time to write one batch to the sink',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    spoolBytes: new Gauge({
      name: `${p}spool_bytes`,
      help: 'bytes in the spool',
      registers: [registry],
    }),
    paused: new Gauge({
      name: `${p}paused`,
      help: '1 while the collector stops reading (spool full or queue full)',
      registers: [registry],
    }),
    connected: new Gauge({
      name: `${p}mqtt_connected`,
      help: '1 while connected to the broker',
      registers: [registry],
    }),
    reconnects: new Gauge({
      name: `${p}mqtt_reconnects`,
      help: 'reconnect attempts since start (counter)',
      registers: [registry],
    }),
    refusals: new Gauge({
      name: `${p}mqtt_refusals`,
      help: 'connections the broker refused since start (counter)',
      registers: [registry],
    }),
    takeovers: new Gauge({
      name: `${p}mqtt_session_takeovers`,
      help: 'suspected takeovers of our session by another client with the same id (counter)',
      registers: [registry],
    }),
    heldAcks: new Gauge({
      name: `${p}held_acks`,
      help: 'PUBACKs waiting for their message to be durable',
      registers: [registry],
    }),
  };
  for (const r of REJECT_REASONS) m.rejected.inc({ reason: r }, 0);
  const stats: CollectorStats = {
    received: 0,
    receivedByKind: {},
    written: 0,
    rejected: 0,
    rejectedByReason: {},
    spooled: 0,
    replayed: 0,
    deadLettered: 0,
    gaps: 0,
    gapRecords: 0,
    tailGaps: 0,
    duplicates: 0,
    late: 0,
    unenriched: 0,
    sinkErrors: 0,
    spoolBytes: 0,
    paused: false,
    heldAcks: 0,
    connected: false,
    takeovers: 0,
  };
  return { registry, m, stats };
}

export type Metrics = ReturnType<typeof createMetrics>;
