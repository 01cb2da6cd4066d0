/**
 * collector/: MQTT in, validate, enrich, batch, write — InfluxDB 1.x, 2.x/3.x or the embedded
 * store — with a spool, retry, dead letters and durable acknowledgement. Schema and operations:
 * docs/influxdb.md.
 */
export { type Collector, type CollectorOptions, createCollector } from './collector.ts';
export {
  encodePoint,
  encodePoints,
  escapeKey,
  escapeMeasurement,
  escapeString,
  nanos,
  type ParsedLine,
  parseLine,
  pointOf,
} from './line-protocol.ts';
export {
  createLossTracker,
  DEFAULT_LOSS_OPTIONS,
  type Gap,
  type LossOptions,
  type LossTracker,
  type Observation,
  type SeqMessage,
} from './loss.ts';
export type { CollectorStats } from './metrics.ts';
export { redactUrl } from './mqtt-in.ts';
export {
  createPipeline,
  type Pipeline,
  type PipelineEvents,
  type PipelineOptions,
} from './pipeline.ts';
export { type FieldValue, type IntValue, int, type Point } from './point.ts';
export {
  type CountsKey,
  gapPoint,
  MAX_UNKNOWN_DETECTORS,
  type MapContext,
  type MapResult,
  OTHER_DETECTOR,
  reasonOf,
  rejectedPoint,
  toPoints,
} from './points.ts';
export {
  type DetectorInfo,
  type IntersectionIndex,
  indexConfig,
  MEASUREMENTS,
  REJECT_LIMITS,
  REJECT_REASONS,
  type RejectReason,
} from './schema.ts';
export type { GivenOptions } from './sinks/choose.ts';
export {
  createEmbeddedSink,
  type EmbeddedOptions,
  type EmbeddedSink,
} from './sinks/embedded/index.ts';
export {
  createInfluxV1Reader,
  createInfluxV1Sink,
  type InfluxV1Options,
} from './sinks/influx-v1/index.ts';
export { createInfluxV2Sink, type InfluxV2Options } from './sinks/influx-v2/index.ts';
export type { SinkOptionSpec, SinkPlugin } from './sinks/plugin.ts';
export {
  chooseSink,
  createSink,
  readerFor,
  SINKS,
  type SinkKind,
  type SinkOptions,
  sinkDescription,
  sinkPlugin,
  sinkWhere,
} from './sinks/registry.ts';
export {
  isPermanent,
  kindOfStatus,
  SINK_ERROR_CODES,
  type Sink,
  SinkError,
  type SinkErrorKind,
} from './sinks/types.ts';
export { createSpool, type Spool, type SpoolOptions } from './spool.ts';
export {
  bucketCounts,
  type CountsQuery,
  type CountsReader,
  type CountsRow,
  createRecentWindow,
  type RecentWindow,
} from './window.ts';
