/**
 * Protocol messages → points (pure), mapped once here for every sink. Every message goes through the protocol
 * validator; anything that fails becomes one `rejected` point with a reason from a closed set.
 * Timestamps come from the message (`from`, `sinceMs`, `t`, `atMs`, `onMs`), so a redelivered
 * or replayed message overwrites itself instead of counting twice.
 */
import {
  type Counts,
  DEFAULT_LIMITS,
  type Decision,
  decodeMessage,
  formatProblems,
  type IntersectionConfig,
  PAYLOAD_CODES,
  type ParsedTopic,
  type PayloadCode,
  type Problem,
  parseTopic,
  type Signal,
  type Status,
  type TimeWindow,
  type TopicKind,
} from '../protocol/index.ts';
import type { Gap } from './loss.ts';
import { int, type Point } from './point.ts';
import {
  type IntersectionIndex,
  MEASUREMENTS as M,
  REJECT_LIMITS,
  type RejectReason,
} from './schema.ts';

export interface MapContext {
  /** topic root, default `traffic` */
  root: string;
  /** known intersection configs, by id */
  intersections: ReadonlyMap<string, IntersectionIndex>;
  /** when the collector received the message (injected clock) */
  receivedMs: number;
  /** timestamps must lie within this window of `receivedMs`; none when absent */
  timeWindow?: TimeWindow;
  /** a counter that keeps apart dead letters received in the same millisecond */
  rejectSeq: number;
  /**
   * May this detector id, unknown to the intersection's config, get its own series? The shell
   * answers from a bounded set ({@link MAX_UNKNOWN_DETECTORS} per intersection); a refused id is
   * written under the detector tag `_other` with the id in the `detectorId` field, so a device
   * inventing ids cannot grow the series count without bound. Absent: always yes.
   */
  admitUnknown?: (intersection: string, detector: string) => boolean;
  /**
   * Where the tags of counts series are kept between messages ({@link createSeriesCache}), so
   * the points of one series share one tags object (`Point.series`): fewer objects, and a sink
   * encodes the series once. Absent: every point gets its own.
   */
  series?: SeriesCache;
  /**
   * Topics already parsed (valid ones only), so the topic of every message from the same
   * device is split and checked once. Bound: {@link MAX_CACHED_TOPICS}, all forgotten when
   * crossed. Absent: every topic is parsed.
   */
  topics?: Map<string, ParsedTopic>;
}

/** Most parsed topics the cache keeps. */
export const MAX_CACHED_TOPICS = 100_000;

/** The parsed topic, from the cache when there is one. */
export function topicOf(topic: string, ctx: MapContext): ParsedTopic | undefined {
  const cache = ctx.topics;
  if (!cache) return parseTopic(topic, ctx.root);
  let parsed = cache.get(topic);
  if (parsed === undefined) {
    parsed = parseTopic(topic, ctx.root);
    if (parsed === undefined) return undefined;
    if (cache.size >= MAX_CACHED_TOPICS) cache.clear();
    cache.set(topic, parsed);
  }
  return parsed;
}

type CountsTags = Readonly<Record<string, string | undefined>>;

/**
 * Counts series tags by intersection index (a new config makes a new index, so new tags), then
 * sensor, then detector id; only detectors of the config (enriched). Bound: `max` tags objects,
 * all forgotten when crossed.
 */
export interface SeriesCache {
  byIndex: WeakMap<IntersectionIndex, Map<string, Map<string, CountsTags>>>;
  size: number;
  max: number;
}

/** Most counts series whose tags the cache keeps. */
export const MAX_CACHED_SERIES = 100_000;

export function createSeriesCache(max = MAX_CACHED_SERIES): SeriesCache {
  return { byIndex: new WeakMap(), size: 0, max };
}

/** The tags of one sensor's series at one intersection (created empty). */
function sensorSeries(cache: SeriesCache, index: IntersectionIndex, sensor: string) {
  let bySensor = cache.byIndex.get(index);
  if (!bySensor) {
    bySensor = new Map();
    cache.byIndex.set(index, bySensor);
  }
  let byDetector = bySensor.get(sensor);
  if (!byDetector) {
    byDetector = new Map();
    bySensor.set(sensor, byDetector);
  }
  return byDetector;
}

/** Distinct detector ids without config that get their own series, per intersection. */
export const MAX_UNKNOWN_DETECTORS = 256;
/** The detector tag of readings past that bound. */
export const OTHER_DETECTOR = '_other';

/** The identity of a counts message, for loss accounting. */
export interface CountsKey {
  intersection: string;
  sensor: string;
  boot: string;
  seq: number;
  fromMs: number;
}

export interface MapResult {
  kind: TopicKind | 'unknown';
  points: Point[];
  /** set when the message was rejected; `points` then holds its one `rejected` point */
  rejected?: { reason: RejectReason; detail: string };
  counts?: CountsKey;
  /** a sensor's status with `boot` and `lastSeq`: every seq up to it should arrive */
  lastSeq?: CountsKey;
  /** a valid intersection config to learn from */
  config?: IntersectionConfig;
  /** points written without their config tags (no config, or unknown detector) */
  unenriched: number;
}

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

const PAYLOAD = new Set<string>(PAYLOAD_CODES satisfies readonly RejectReason[]);

/**
 * The stored reason of a refused message, from the first problem's stable code (never its
 * words): a payload code is its own reason, anything the schema or a rule refused is `schema`.
 */
export function reasonOf(problems: Problem[]): RejectReason {
  const code = problems[0]?.code;
  if (code === 'implausible-time') return code; // its own reason: usually a unit mistake
  return code !== undefined && PAYLOAD.has(code) ? (code as PayloadCode) : 'schema';
}

/** The `rejected` point for a message (or a refused point) and why. */
export function rejectedPoint(
  topic: string,
  payload: Uint8Array | string,
  reason: RejectReason,
  detail: string,
  ctx: Pick<MapContext, 'receivedMs' | 'rejectSeq'>,
  kind: string,
  intersection?: string,
): Point {
  const bytes = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  const head =
    typeof payload === 'string'
      ? payload.slice(0, REJECT_LIMITS.payload)
      : Buffer.from(payload.buffer, payload.byteOffset, Math.min(bytes, REJECT_LIMITS.payload * 4))
          .toString('utf8')
          .slice(0, REJECT_LIMITS.payload);
  return {
    measurement: M.rejected,
    tags: { reason, kind, intersection },
    fields: {
      topic: truncate(topic, REJECT_LIMITS.topic),
      detail: truncate(detail, REJECT_LIMITS.detail),
      payload: head,
      bytes: int(bytes),
    },
    timeMs: ctx.receivedMs,
    subMsNs: ctx.rejectSeq % 1_000_000,
  };
}

/**
 * The `counts` and `actuations` points of a counts message, one per reading. Hot path (every
 * counts message): no closures (a bundler's name helper would run per call), one object shape.
 */
function countsPoints(
  intersection: string,
  c: Counts,
  index: IntersectionIndex | undefined,
  admit: MapContext['admitUnknown'],
  cache: SeriesCache | undefined,
) {
  const points: Point[] = [];
  let unenriched = 0;
  const sensor = c.sensor;
  const seq = int(c.seq);
  // The interval's length is kept: a reader can tell 9 minutes of data from 15 (coverage).
  const intervalMs = int(c.to - c.from);
  const known = cache && index ? sensorSeries(cache, index, sensor) : undefined;
  for (const d of c.detectors) {
    const cached = known?.get(d.id);
    if (cached) {
      points.push({
        measurement: M.counts,
        tags: cached,
        fields: {
          count: int(d.count),
          occupancy: d.occupancy,
          speedKmh: d.speedKmh,
          seq,
          intervalMs,
          detectorId: undefined,
        },
        timeMs: c.from,
        series: cached,
      });
      continue;
    }
    const info = index?.detectors.get(d.id);
    let detector = d.id;
    let detectorId: string | undefined;
    if (!info) {
      unenriched++;
      if (admit && !admit(intersection, d.id)) {
        detector = OTHER_DETECTOR; // the id goes into a field: bounded series
        detectorId = d.id;
      }
    }
    const tags = {
      intersection,
      detector,
      approach: info?.approach,
      movement: info?.movement,
      sensor,
    };
    const fields = {
      count: int(d.count),
      occupancy: d.occupancy,
      speedKmh: d.speedKmh,
      seq,
      intervalMs,
      detectorId,
    };
    let series: CountsTags | undefined;
    if (info && known && cache) {
      if (cache.size >= cache.max) {
        cache.byIndex = new WeakMap(); // the bound: start again (from the next message)
        cache.size = 0;
      } else {
        // a detector of the config: its series' tags are kept for the next message
        series = Object.freeze(tags);
        known.set(d.id, series);
        cache.size++;
      }
    }
    points.push({ measurement: M.counts, tags, fields, timeMs: c.from, series });
  }
  const actuations = c.actuations;
  if (actuations) {
    for (const a of actuations) {
      const info = index?.detectors.get(a.id);
      let detector = a.id;
      let detectorId: string | undefined;
      if (!info) {
        unenriched++;
        if (admit && !admit(intersection, a.id)) {
          detector = OTHER_DETECTOR;
          detectorId = a.id;
        }
      }
      points.push({
        measurement: M.actuations,
        tags: {
          intersection,
          detector,
          approach: info?.approach,
          movement: info?.movement,
          sensor,
        },
        fields: { offMs: int(a.offMs), durationMs: int(a.offMs - a.onMs), detectorId },
        timeMs: a.onMs,
      });
    }
  }
  return { points, unenriched };
}

function signalPoints(intersection: string, s: Signal): Point[] {
  const points: Point[] = [
    {
      measurement: M.signal,
      tags: { intersection, phase: s.phase, interval: s.interval },
      fields: {
        controller: s.controller,
        t: int(s.t),
        minEndMs: int(s.minEndMs),
        maxEndMs: int(s.maxEndMs),
      },
      // [protocol v1: signal] one point per interval change: repeats of the same interval overwrite.
      timeMs: s.sinceMs,
    },
  ];
  for (const o of s.overrides) {
    points.push({
      measurement: M.overrides,
      tags: { intersection, kind: o.kind },
      fields: {
        requested: o.requested,
        detail: o.detail,
        phase: s.phase,
        controller: s.controller,
      },
      timeMs: o.atMs,
    });
  }
  return points;
}

type Decoded = { ok: true; parsed: ParsedTopic; value: unknown } | { ok: false; result: MapResult };

/** A message's rejection (a top-level function: the hot path creates no closures). */
function rejection(
  topic: string,
  payload: Uint8Array | string,
  ctx: MapContext,
  kind: MapResult['kind'],
  reason: RejectReason,
  detail: string,
  ic?: string,
): Decoded {
  const point = rejectedPoint(topic, payload, reason, detail, ctx, kind, ic);
  return {
    ok: false,
    result: { kind, points: [point], rejected: { reason, detail }, unenriched: 0 },
  };
}

/** Topic, validation and the topic-versus-body checks: the value, or the message's rejection. */
function decode(topic: string, payload: Uint8Array | string, ctx: MapContext): Decoded {
  const parsed = topicOf(topic, ctx);
  if (!parsed)
    return rejection(
      topic,
      payload,
      ctx,
      'unknown',
      'bad-topic',
      `not a protocol v1 topic under '${ctx.root}'`,
    );
  const { intersection } = parsed;
  const decoded = decodeMessage(parsed.kind, payload, DEFAULT_LIMITS, ctx.timeWindow);
  if (!decoded.ok) {
    const reason = parsed.kind === 'config' ? 'bad-config' : reasonOf(decoded.problems);
    return rejection(
      topic,
      payload,
      ctx,
      parsed.kind,
      reason,
      formatProblems(decoded.problems.slice(0, 5)),
      intersection,
    );
  }
  const value = decoded.value;
  switch (parsed.kind) {
    case 'counts': {
      const c = value as Counts;
      if (c.sensor !== parsed.sensor) {
        const detail = `'sensor' is '${c.sensor}' but the topic names '${parsed.sensor}'`;
        return rejection(topic, payload, ctx, 'counts', 'sensor-mismatch', detail, intersection);
      }
      break;
    }
    case 'status': {
      const s = value as Status;
      if (s.device !== undefined && s.device !== parsed.device) {
        const detail = `'device' is '${s.device}' but the topic names '${parsed.device}'`;
        return rejection(topic, payload, ctx, 'status', 'device-mismatch', detail, intersection);
      }
      break;
    }
    case 'config': {
      const config = value as IntersectionConfig;
      if (config.id !== intersection) {
        const detail = `config 'id' is '${config.id}' but the topic names '${intersection}'`;
        return rejection(topic, payload, ctx, 'config', 'bad-config', detail, intersection);
      }
      break;
    }
  }
  return { ok: true, parsed, value };
}

const countsKey = (intersection: string, c: Counts): CountsKey => ({
  intersection,
  sensor: c.sensor,
  boot: c.boot,
  seq: c.seq,
  fromMs: c.from,
});

/** A valid message → points (pure). */
function mapValid(parsed: ParsedTopic, value: unknown, ctx: MapContext): MapResult {
  const { intersection } = parsed;
  switch (parsed.kind) {
    case 'counts': {
      const c = value as Counts;
      const { points, unenriched } = countsPoints(
        intersection,
        c,
        ctx.intersections.get(intersection),
        ctx.admitUnknown,
        ctx.series,
      );
      return { kind: 'counts', points, counts: countsKey(intersection, c), unenriched };
    }
    case 'status': {
      const s = value as Status;
      const point: Point = {
        measurement: M.status,
        tags: { intersection, device: parsed.device },
        fields: {
          online: s.online,
          role: s.role,
          boot: s.boot,
          software: s.software,
          ...(s.lastSeq !== undefined ? { lastSeq: int(s.lastSeq) } : {}),
        },
        timeMs: s.atMs ?? ctx.receivedMs,
      };
      const tail =
        s.boot !== undefined && s.lastSeq !== undefined
          ? {
              lastSeq: {
                intersection,
                sensor: parsed.device,
                boot: s.boot,
                seq: s.lastSeq,
                fromMs: s.atMs ?? ctx.receivedMs,
              },
            }
          : {};
      return { kind: 'status', points: [point], unenriched: 0, ...tail };
    }
    case 'decision': {
      const d = value as Decision;
      const point: Point = {
        measurement: M.decisions,
        tags: { intersection, controller: d.controller },
        fields: { phase: d.phase, seq: int(d.seq) },
        timeMs: d.t,
      };
      return { kind: 'decision', points: [point], unenriched: 0 };
    }
    case 'signal':
      return { kind: 'signal', points: signalPoints(intersection, value as Signal), unenriched: 0 };
    case 'config':
      return { kind: 'config', points: [], config: value as IntersectionConfig, unenriched: 0 };
  }
}

/**
 * One MQTT message → points (pure).
 * @example toPoints('traffic/v1/a/counts/s1', payload, { root: 'traffic', intersections: new Map(), receivedMs: 0, rejectSeq: 0 })
 */
export function toPoints(topic: string, payload: Uint8Array | string, ctx: MapContext): MapResult {
  const d = decode(topic, payload, ctx);
  return d.ok ? mapValid(d.parsed, d.value, ctx) : d.result;
}

/** The `ingest_gaps` point of a declared hole. */
export function gapPoint(gap: Gap): Point {
  return {
    measurement: M.gaps,
    tags: { intersection: gap.intersection, sensor: gap.sensor },
    fields: {
      boot: gap.boot,
      fromSeq: int(gap.fromSeq),
      toSeq: int(gap.toSeq),
      missing: int(gap.missing),
      ...(gap.tail ? { tail: true } : {}),
    },
    timeMs: gap.atMs,
  };
}
