/**
 * Protocol messages → InfluxDB points (pure). Every message goes through the protocol
 * validator; anything that fails becomes one `rejected` point with a reason from a closed set.
 * Timestamps come from the message (`from`, `sinceMs`, `t`, `atMs`, `onMs`), so a redelivered
 * or replayed message overwrites itself instead of counting twice.
 */
import {
  type Counts,
  type Decision,
  decodeMessage,
  formatProblems,
  type IntersectionConfig,
  type Problem,
  parseTopic,
  type Signal,
  type Status,
  type TopicKind,
} from '../protocol/index.ts';
import { int, type Point } from './line-protocol.ts';
import type { Gap } from './loss.ts';
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
  /** a counter that keeps apart dead letters received in the same millisecond */
  rejectSeq: number;
  /**
   * May this detector id, unknown to the intersection's config, get its own series? The shell
   * answers from a bounded set ({@link MAX_UNKNOWN_DETECTORS} per intersection); a refused id is
   * written under the detector tag `_other` with the id in the `detectorId` field, so a device
   * inventing ids cannot grow the series count without bound. Absent: always yes.
   */
  admitUnknown?: (intersection: string, detector: string) => boolean;
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
  /** a valid intersection config to learn from */
  config?: IntersectionConfig;
  /** points written without their config tags (no config, or unknown detector) */
  unenriched: number;
}

const truncate = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** Maps the validator's plain-words problems onto the closed set of reasons. */
export function reasonOf(problems: Problem[]): RejectReason {
  const m = problems[0]?.message ?? '';
  if (/byte limit/.test(m)) return 'too-large';
  if (/payload is empty/.test(m)) return 'empty';
  if (/not valid UTF-8/.test(m)) return 'not-utf8';
  if (/nests deeper/.test(m)) return 'too-deep';
  if (/not JSON/.test(m)) return 'not-json';
  if (/must be a JSON object/.test(m)) return 'not-object';
  return 'schema';
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

function countsPoints(
  intersection: string,
  c: Counts,
  index: IntersectionIndex | undefined,
  admit: MapContext['admitUnknown'],
) {
  const points: Point[] = [];
  let unenriched = 0;
  /** detector tag, and the real id when it had to be folded into `_other` */
  const tagOf = (id: string): [string, string | undefined] =>
    !admit || admit(intersection, id) ? [id, undefined] : [OTHER_DETECTOR, id];
  for (const d of c.detectors) {
    const info = index?.detectors.get(d.id);
    const [detector, detectorId] = info ? [d.id, undefined] : tagOf(d.id);
    if (!info) unenriched++;
    points.push({
      measurement: M.counts,
      tags: {
        intersection,
        detector,
        approach: info?.approach,
        movement: info?.movement,
        sensor: c.sensor,
      },
      fields: {
        count: int(d.count),
        occupancy: d.occupancy,
        speedKmh: d.speedKmh,
        seq: int(c.seq),
        detectorId,
      },
      timeMs: c.from,
    });
  }
  for (const a of c.actuations ?? []) {
    const info = index?.detectors.get(a.id);
    const [detector, detectorId] = info ? [a.id, undefined] : tagOf(a.id);
    if (!info) unenriched++;
    points.push({
      measurement: M.actuations,
      tags: {
        intersection,
        detector,
        approach: info?.approach,
        movement: info?.movement,
        sensor: c.sensor,
      },
      fields: { offMs: int(a.offMs), durationMs: int(a.offMs - a.onMs), detectorId },
      timeMs: a.onMs,
    });
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

/**
 * One MQTT message → points (pure).
 * @example toPoints('traffic/v1/a/counts/s1', payload, { root: 'traffic', intersections: new Map(), receivedMs: 0, rejectSeq: 0 })
 */
export function toPoints(topic: string, payload: Uint8Array | string, ctx: MapContext): MapResult {
  const parsed = parseTopic(topic, ctx.root);
  if (!parsed) {
    const detail = `not a protocol v1 topic under '${ctx.root}'`;
    return reject('unknown', 'bad-topic', detail);
  }
  const { intersection } = parsed;
  const decoded = decodeMessage(parsed.kind, payload);
  if (!decoded.ok) {
    const reason = parsed.kind === 'config' ? 'bad-config' : reasonOf(decoded.problems);
    return reject(parsed.kind, reason, formatProblems(decoded.problems.slice(0, 5)), intersection);
  }
  switch (parsed.kind) {
    case 'counts': {
      const c = decoded.value as Counts;
      if (c.sensor !== parsed.sensor) {
        const detail = `'sensor' is '${c.sensor}' but the topic names '${parsed.sensor}'`;
        return reject('counts', 'sensor-mismatch', detail, intersection);
      }
      const { points, unenriched } = countsPoints(
        intersection,
        c,
        ctx.intersections.get(intersection),
        ctx.admitUnknown,
      );
      const counts = { intersection, sensor: c.sensor, boot: c.boot, seq: c.seq, fromMs: c.from };
      return { kind: 'counts', points, counts, unenriched };
    }
    case 'status': {
      const s = decoded.value as Status;
      if (s.device !== undefined && s.device !== parsed.device) {
        const detail = `'device' is '${s.device}' but the topic names '${parsed.device}'`;
        return reject('status', 'device-mismatch', detail, intersection);
      }
      const point: Point = {
        measurement: M.status,
        tags: { intersection, device: parsed.device },
        fields: { online: s.online, role: s.role, boot: s.boot, software: s.software },
        timeMs: s.atMs ?? ctx.receivedMs,
      };
      return { kind: 'status', points: [point], unenriched: 0 };
    }
    case 'decision': {
      const d = decoded.value as Decision;
      const point: Point = {
        measurement: M.decisions,
        tags: { intersection, controller: d.controller },
        fields: { phase: d.phase, seq: int(d.seq) },
        timeMs: d.t,
      };
      return { kind: 'decision', points: [point], unenriched: 0 };
    }
    case 'signal':
      return {
        kind: 'signal',
        points: signalPoints(intersection, decoded.value as Signal),
        unenriched: 0,
      };
    case 'config': {
      const config = decoded.value as IntersectionConfig;
      if (config.id !== intersection) {
        const detail = `config 'id' is '${config.id}' but the topic names '${intersection}'`;
        return reject('config', 'bad-config', detail, intersection);
      }
      return { kind: 'config', points: [], config, unenriched: 0 };
    }
  }

  function reject(
    kind: MapResult['kind'],
    reason: RejectReason,
    detail: string,
    ic?: string,
  ): MapResult {
    const point = rejectedPoint(topic, payload, reason, detail, ctx, kind, ic);
    return { kind, points: [point], rejected: { reason, detail }, unenriched: 0 };
  }
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
    },
    timeMs: gap.atMs,
  };
}
