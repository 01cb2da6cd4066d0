/**
 * The counts fast lane: a second implementation of the mapper `toPoints` (points.ts), for the
 * bulk of the traffic — valid counts messages whose every detector is in the intersection's
 * config. Such a message goes from its bytes straight to line protocol: counts-scan.ts checks
 * it and finds its numbers, whose JSON text is their line-protocol text, and each reading's
 * line is its series key (kept per intersection config, sensor and detector) and those texts.
 * Its points are `LinePoint`s over those bytes. Anything else — another kind, a message the
 * scanner leaves alone, an unknown intersection or detector, a time outside the window — goes
 * to `toPoints`, which says why it refuses what it refuses. A property test holds the two
 * equal: the same result, the same lines (tests/unit/collector-counts-lines.test.ts).
 *
 * Why: parsing the JSON into objects, checking them, building a point and its fields object
 * per reading and encoding each again cost about half the collector's CPU per message.
 *
 * Memory: lines are written one after another into chunks of `chunkBytes`; a chunk lives as long
 * as a point in it (the pipeline's bounds). Series keys: at most `maxKeys`, all forgotten when
 * crossed.
 *
 * Chunks are used again: `release(points)` says nothing reads those points any more (the pipeline
 * calls it once their batch is written or spooled), and a chunk whose every line is released is
 * written over by later messages instead of a new one being allocated: a fresh chunk cost page
 * faults as it was first written, and its garbage the collections that external memory forces
 * (docs/influxdb.md, "Throughput"). A chunk with lines never released (a batch abandoned at
 * close) is let go after `MAX_HELD` newer ones, and left to the garbage collector: never written
 * over.
 */
import { DEFAULT_LIMITS, DEFAULT_TIME_WINDOW_MS } from '../protocol/index.ts';
import { countsScan, scanCounts } from './counts-scan.ts';
import { LinePoint } from './line-point.ts';
import { seriesKey } from './line-protocol.ts';
import type { Point } from './point.ts';
import { MAX_CACHED_SERIES, type MapContext, type MapResult, toPoints, topicOf } from './points.ts';
import { type IntersectionIndex, MEASUREMENTS } from './schema.ts';

/** One MQTT message → points (pure but for caches): `toPoints` and this lane. */
export type Mapper = (topic: string, payload: Uint8Array | string, ctx: MapContext) => MapResult;

/** The lane: a `Mapper` whose points' bytes are used again once they are released. */
export interface LineMapper extends Mapper {
  /**
   * Nothing reads these points any more (their batch is written or spooled): the chunks their
   * lines lie in may be written over once every line in them is released. Call it once per
   * point, only when no one holds the point; other points are ignored.
   */
  release(points: readonly Point[]): void;
}

export interface LineMapperOptions {
  /** series keys kept (default 100,000) */
  maxKeys?: number;
  /** bytes per chunk of lines (default 256 KiB) */
  chunkBytes?: number;
}

/**
 * The line starts (series key and ` count=`) of one sensor's series at one intersection config,
 * and its last message's detectors in order (a sensor sends the same ones each time).
 */
interface SensorKeys {
  byId: Map<string, Buffer>;
  /** detector ids of the last message, in its order, and their keys */
  lastIds: Buffer[];
  lastKeys: Buffer[];
  boot: string;
}

/**
 * A chunk of lines and how many of its lines are not yet released. Bounds: chunks with lines
 * out (the pipeline holds a few batches: ≈ 20 chunks at 5,000 points a batch) are tracked up to
 * `MAX_HELD`, free ones kept up to `MAX_SPARE`.
 */
interface Chunk {
  bytes: Buffer;
  live: number;
}
const MAX_HELD = 64;
const MAX_SPARE = 16;

const ascii = (s: string) => Buffer.from(s, 'latin1');
const OCCUPANCY = ascii(',occupancy=');
const SPEED = ascii(',speedKmh=');
const SEQ = ascii(',seq=');
const INTERVAL = ascii('i,intervalMs=');
const NS = ascii('000000');
/** no detector id: its length (0) is no id's */
const NONE = Buffer.alloc(0);

/** `b[s..e)` holds the text `t` (ASCII ids). */
function same(b: Uint8Array, s: number, e: number, t: string): boolean {
  if (e - s !== t.length) return false;
  for (let k = 0; k < t.length; k++) if (b[s + k] !== t.charCodeAt(k)) return false;
  return true;
}

/** `b[s..e)` holds the bytes `t`. */
function sameBytes(b: Uint8Array, s: number, e: number, t: Uint8Array): boolean {
  if (e - s !== t.length) return false;
  for (let k = 0; k < t.length; k++) if (b[s + k] !== t[k]) return false;
  return true;
}

/** Copies `src[s..e)` to `out` at `o`; returns the end. */
function put(out: Buffer, o: number, src: Uint8Array, s: number, e: number): number {
  for (let k = s; k < e; k++) out[o++] = src[k]!;
  return o;
}

/**
 * @example const map = createLineMapper(); map('traffic/v1/a/counts/s1', payload, ctx).points
 */
export function createLineMapper(opts: LineMapperOptions = {}): LineMapper {
  const maxKeys = opts.maxKeys ?? MAX_CACHED_SERIES;
  const chunkBytes = opts.chunkBytes ?? 256 * 1024;
  const scan = countsScan();
  let keys = new WeakMap<IntersectionIndex, Map<string, SensorKeys>>();
  let size = 0;
  // none yet: the first message takes the way every later chunk is taken (an optimized `lines`
  // that had never seen it would be thrown away and compiled again when the first chunk fills)
  let chunk: Chunk = { bytes: Buffer.alloc(0), live: 0 };
  let at = 0;
  /** chunks with lines not yet released, oldest first; the current one last */
  const held: Chunk[] = [chunk];
  /** chunks of `chunkBytes` whose lines are all released: written over next */
  const spare: Buffer[] = [];

  /** The next chunk, with room for `bytes`; the current one stays held if a line in it is out. */
  function nextChunk(bytes: number): Chunk {
    if (chunk.live <= 0) {
      held.pop(); // the current one is the last
      free(chunk.bytes);
    } else if (held.length > MAX_HELD) held.shift(); // never released: the garbage collector's
    const reused = bytes <= chunkBytes ? spare.pop() : undefined;
    const next = { bytes: reused ?? Buffer.allocUnsafe(Math.max(chunkBytes, bytes)), live: 0 };
    held.push(next);
    return next;
  }

  function free(bytes: Buffer) {
    if (bytes.length === chunkBytes && spare.length < MAX_SPARE) spare.push(bytes);
  }

  /** `n` lines of `bytes` released (the same way for the current chunk as for older ones). */
  function releaseLines(bytes: Buffer, n: number) {
    for (let i = held.length - 1; i >= 0; i--) {
      const c = held[i]!;
      if (c.bytes !== bytes) continue;
      c.live -= n;
      if (c.live <= 0 && c !== chunk) {
        held.splice(i, 1);
        free(bytes);
      }
      return;
    }
  }

  const found: Buffer[] = [];
  /** the part of every line of a message after its count and readings */
  const tail = Buffer.allocUnsafe(128);

  function sensorKeys(index: IntersectionIndex, sensor: string): SensorKeys {
    let bySensor = keys.get(index);
    if (!bySensor) {
      bySensor = new Map();
      keys.set(index, bySensor);
    }
    let sk = bySensor.get(sensor);
    if (!sk) {
      sk = { byId: new Map(), lastIds: [], lastKeys: [], boot: '' };
      bySensor.set(sensor, sk);
    }
    return sk;
  }

  /** The line start of reading `r`, or undefined when its detector is not in the config. */
  function keyOf(
    sk: SensorKeys,
    b: Buffer,
    s: number,
    e: number,
    r: number,
    index: IntersectionIndex,
    intersection: string,
    sensor: string,
  ): Buffer | undefined {
    // compared from a sensor's first message on (with nothing: never the same), so an
    // optimized `lines` has seen every call it makes and is not thrown away at the second message
    if (sameBytes(b, s, e, sk.lastIds[r] ?? NONE)) {
      const known = sk.lastKeys[r];
      if (known !== undefined) return known;
    }
    const detector = b.toString('latin1', s, e);
    let key = sk.byId.get(detector);
    if (key === undefined) {
      const info = index.detectors.get(detector);
      if (!info) return undefined;
      const text = seriesKey(MEASUREMENTS.counts, {
        intersection,
        detector,
        approach: info.approach,
        movement: info.movement,
        sensor,
      });
      if (text === undefined) return undefined;
      key = Buffer.from(`${text} count=`, 'utf8'); // what every line of the series starts with
      if (size >= maxKeys) {
        keys = new WeakMap(); // the bound: start again (this sensor's entry is let go)
        size = 0;
      }
      size++;
      sk.byId.set(detector, key);
    }
    sk.lastIds[r] = Buffer.from(detector, 'latin1');
    sk.lastKeys[r] = key;
    return key;
  }

  /** The message's points as lines, or undefined to take the careful way. */
  function lines(topic: string, payload: Uint8Array, ctx: MapContext): MapResult | undefined {
    const bytes = payload.byteLength;
    if (bytes === 0 || bytes > DEFAULT_LIMITS.maxPayloadBytes) return undefined;
    const parsed = topicOf(topic, ctx);
    if (parsed === undefined || parsed.kind !== 'counts') return undefined;
    const b = Buffer.isBuffer(payload)
      ? payload
      : Buffer.from(payload.buffer, payload.byteOffset, bytes);
    const s = scan;
    if (!scanCounts(b, s) || s.n > DEFAULT_LIMITS.maxDetectors) return undefined;
    const { intersection, sensor } = parsed;
    if (!same(b, s.sensorStart, s.sensorEnd, sensor)) return undefined; // the careful way says why
    const w = ctx.timeWindow;
    if (w) {
      const within = w.windowMs ?? DEFAULT_TIME_WINDOW_MS;
      if (Math.abs(s.from - w.nowMs) > within || Math.abs(s.to - w.nowMs) > within)
        return undefined;
    }
    const index = ctx.intersections.get(intersection);
    if (!index) return undefined;
    const sk = sensorKeys(index, sensor);
    const n = s.n;
    const ats = s.at;
    let bound = 0;
    for (let r = 0; r < n; r++) {
      const key = keyOf(sk, b, ats[r * 8]!, ats[r * 8 + 1]!, r, index, intersection, sensor);
      if (key === undefined) return undefined; // an unknown detector: the careful way enriches
      found[r] = key;
      bound += key.length + 64 + (ats[r * 8 + 3]! - ats[r * 8 + 2]!);
      if (ats[r * 8 + 4]! >= 0) bound += ats[r * 8 + 5]! - ats[r * 8 + 4]!;
      if (ats[r * 8 + 6]! >= 0) bound += ats[r * 8 + 7]! - ats[r * 8 + 6]!;
    }
    if (sk.lastIds.length > n) {
      sk.lastIds.length = n;
      sk.lastKeys.length = n;
    }
    if (!same(b, s.bootStart, s.bootEnd, sk.boot))
      sk.boot = b.toString('latin1', s.bootStart, s.bootEnd);

    // The tail every line of the message shares: ,seq=…i,intervalMs=…i time
    let t = put(tail, 0, SEQ, 0, SEQ.length);
    t = put(tail, t, b, s.seqStart, s.seqEnd);
    t = put(tail, t, INTERVAL, 0, INTERVAL.length);
    const digits = String(s.to - s.from);
    for (let k = 0; k < digits.length; k++) tail[t++] = digits.charCodeAt(k);
    tail[t++] = 105; // 'i'
    tail[t++] = 32; // ' '
    if (s.from === 0)
      tail[t++] = 48; // nanos(0) is '0'
    else {
      t = put(tail, t, b, s.fromStart, s.fromEnd);
      t = put(tail, t, NS, 0, NS.length);
    }
    bound += n * t;

    if (at + bound > chunk.bytes.length) {
      chunk = nextChunk(bound);
      at = 0;
    }
    chunk.live += n;
    const out = chunk.bytes;
    let o = at;
    const points: Point[] = new Array(n);
    let tailAt = -1;
    for (let r = 0; r < n; r++) {
      const start = o;
      const key = found[r]!;
      out.set(key, o); // native copies for the long parts, byte loops for the short ones
      o += key.length;
      const a = r * 8;
      o = put(out, o, b, ats[a + 2]!, ats[a + 3]!);
      out[o++] = 105; // 'i'
      if (ats[a + 4]! >= 0) {
        o = put(out, o, OCCUPANCY, 0, OCCUPANCY.length);
        o = put(out, o, b, ats[a + 4]!, ats[a + 5]!);
      }
      if (ats[a + 6]! >= 0) {
        o = put(out, o, SPEED, 0, SPEED.length);
        o = put(out, o, b, ats[a + 6]!, ats[a + 7]!);
      }
      if (tailAt < 0) {
        tailAt = o;
        o = put(out, o, tail, 0, t);
      } else {
        out.copyWithin(o, tailAt, tailAt + t);
        o += t;
      }
      points[r] = new LinePoint(out, start, o);
      out[o++] = 10; // '\n': the next line follows (one copy per run in the sink's body)
    }
    at = o;
    return {
      kind: 'counts',
      points,
      counts: { intersection, sensor, boot: sk.boot, seq: s.seq, fromMs: s.from },
      unenriched: 0,
    };
  }

  const map: Mapper = (topic, payload, ctx) =>
    (typeof payload !== 'string' && lines(topic, payload, ctx)) || toPoints(topic, payload, ctx);
  return Object.assign(map, {
    release(points: readonly Point[]) {
      // a batch's lines lie in runs, chunk by chunk: one count per run
      let bytes: Buffer | undefined;
      let n = 0;
      for (let i = 0; i < points.length; i++) {
        const p = points[i];
        if (!(p instanceof LinePoint)) continue;
        const b = p.bytes;
        if (b !== bytes) {
          if (bytes !== undefined) releaseLines(bytes, n);
          bytes = b;
          n = 0;
        }
        n++;
      }
      if (bytes !== undefined) releaseLines(bytes, n);
    },
  });
}
