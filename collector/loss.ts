/**
 * Loss accounting per `(sensor, boot)` (pure; time is passed in).
 * [protocol v1: seq] `seq` counts up by one per message within a boot, so a hole is a loss.
 * A hole is only declared after a short reorder window (time or messages), because QoS 1
 * redelivery and shared subscriptions can reorder. A new `boot` starts a new stream: a restart
 * is never a gap. A seq seen twice is a duplicate (harmless: the point overwrites itself);
 * one that arrives after its hole was declared is counted as late (the gap record stays).
 *
 * A hole must be a seq missing from what the sensor sent, never an artefact of how we received
 * it: after a session takeover (`resync`) every stream starts over.
 *
 * A missing tail has no later message to show its hole: a sensor's status may carry `lastSeq`
 * (the last seq it published in that boot); every seq up to it that has not arrived within
 * the window is declared a gap with `tail: true` (`expect`).
 *
 * Bounds: `maxStreams` streams (least recently seen evicted), `windowMessages` pending
 * out-of-order seqs per stream, `rememberGaps` declared holes per stream.
 */

export interface LossOptions {
  /** how long a hole may stay open before it is declared, ms (default 2000) */
  windowMs: number;
  /** how many later messages may arrive past a hole before it is declared (default 256) */
  windowMessages: number;
  /** most streams tracked (default 100,000) */
  maxStreams: number;
  /** declared holes remembered per stream, to tell a late message from a duplicate (default 8) */
  rememberGaps: number;
}

export const DEFAULT_LOSS_OPTIONS: LossOptions = {
  windowMs: 2000,
  windowMessages: 256,
  maxStreams: 100_000,
  rememberGaps: 8,
};

export interface SeqMessage {
  intersection: string;
  sensor: string;
  boot: string;
  seq: number;
  fromMs: number;
}

/** A declared hole: seqs `fromSeq..toSeq` of one boot never arrived within the window. */
export interface Gap {
  intersection: string;
  sensor: string;
  boot: string;
  fromSeq: number;
  toSeq: number;
  missing: number;
  /** `from` of the first message after the hole: the gap record's timestamp */
  atMs: number;
  /** the hole is at the end of the stream, known from the sensor's `lastSeq` */
  tail?: boolean;
}

interface Stream {
  /** its key in `streams` */
  key: string;
  /** the streams seen before and after it, least recently seen first (`oldest` … `newest`) */
  older: Stream | undefined;
  newer: Stream | undefined;
  intersection: string;
  sensor: string;
  boot: string;
  /** the next seq expected in order */
  next: number;
  /** seqs received past a hole → their `from` and when they arrived */
  pending: Map<number, { fromMs: number; atMs: number }>;
  declared: Array<[number, number]>;
  /** from a status `lastSeq`: seqs up to `seq` should arrive; `atMs` when we learned it */
  expected?: { seq: number; atMs: number; fromMs: number };
}

export interface Observation {
  readonly gaps: readonly Gap[];
  duplicate: boolean;
  late: boolean;
}

export interface LossTracker {
  observe(msg: SeqMessage, nowMs: number): Observation;
  /**
   * A sensor says its stream `(intersection, sensor, boot)` ends at `msg.seq` (status
   * `lastSeq`): what has not arrived up to it within the window becomes a tail gap. A stream
   * never seen is left alone (nothing says where it began).
   */
  expect(msg: SeqMessage, nowMs: number): void;
  /** Declares holes older than the window; call periodically. */
  tick(nowMs: number): Gap[];
  /** Declares every open hole now (shutdown). */
  drain(): Gap[];
  /**
   * Forgets every stream's position and open holes, declaring nothing: what was seen is no
   * longer the whole stream (another client held our session for a while and took those
   * messages). Each stream starts again at its next message.
   */
  resync(): void;
  streams(): number;
}

/**
 * @example
 * const t = createLossTracker();
 * t.observe({ intersection: 'a', sensor: 's', boot: 'b', seq: 9, fromMs: 0 }, 0);
 * t.observe({ intersection: 'a', sensor: 's', boot: 'b', seq: 20, fromMs: 11_000 }, 10);
 * t.tick(5_000); // [{ fromSeq: 10, toSeq: 19, missing: 10, … }]
 */
/** The common answers, shared: most messages come in order and make no gap. */
const NO_GAPS: readonly Gap[] = Object.freeze([]);
const IN_ORDER: Observation = Object.freeze({ gaps: NO_GAPS, duplicate: false, late: false });
const DUPLICATE: Observation = Object.freeze({ gaps: NO_GAPS, duplicate: true, late: false });
const LATE: Observation = Object.freeze({ gaps: NO_GAPS, duplicate: false, late: true });

export function createLossTracker(options: Partial<LossOptions> = {}): LossTracker {
  const opts = { ...DEFAULT_LOSS_OPTIONS, ...options };
  const streams = new Map<string, Stream>();
  /**
   * The stream last seen of each intersection and sensor, found without building its key: a
   * sensor's messages come one boot after another. Holds only streams in `streams`.
   */
  const recent = new Map<string, Map<string, Stream>>();

  /**
   * Recency as a list through the streams: moving one to the end is a few pointer writes, where
   * re-inserting it into the Map (delete and set) cost about ten times the rest of `observe`.
   */
  let oldest: Stream | undefined;
  let newest: Stream | undefined;

  function unlink(s: Stream) {
    if (s.older) s.older.newer = s.newer;
    else oldest = s.newer;
    if (s.newer) s.newer.older = s.older;
    else newest = s.older;
    s.older = undefined;
    s.newer = undefined;
  }

  function append(s: Stream) {
    s.older = newest;
    s.newer = undefined;
    if (newest) newest.newer = s;
    else oldest = s;
    newest = s;
  }

  function forget(s: Stream) {
    const bySensor = recent.get(s.intersection);
    if (bySensor?.get(s.sensor) !== s) return;
    bySensor.delete(s.sensor);
    if (bySensor.size === 0) recent.delete(s.intersection);
  }

  function remember(s: Stream) {
    let bySensor = recent.get(s.intersection);
    if (bySensor === undefined) {
      bySensor = new Map();
      recent.set(s.intersection, bySensor);
    }
    bySensor.set(s.sensor, s);
  }

  function advance(s: Stream) {
    while (s.pending.has(s.next)) {
      s.pending.delete(s.next);
      s.next++;
    }
  }

  function lowestPending(s: Stream): number | undefined {
    let lowest: number | undefined;
    for (const seq of s.pending.keys()) if (lowest === undefined || seq < lowest) lowest = seq;
    return lowest;
  }

  /** Declares the first hole of a stream and moves past it. */
  function declareFirst(s: Stream, out: Gap[]) {
    const lowest = lowestPending(s);
    if (lowest === undefined) return;
    const gap: Gap = {
      intersection: s.intersection,
      sensor: s.sensor,
      boot: s.boot,
      fromSeq: s.next,
      toSeq: lowest - 1,
      missing: lowest - s.next,
      atMs: s.pending.get(lowest)!.fromMs,
    };
    out.push(gap);
    s.declared.push([gap.fromSeq, gap.toSeq]);
    if (s.declared.length > opts.rememberGaps) s.declared.shift();
    s.next = lowest;
    advance(s);
  }

  /** Declares the rest of the stream up to the announced last seq as one tail gap. */
  function declareTail(s: Stream, out: Gap[]) {
    const e = s.expected!;
    s.expected = undefined;
    if (s.next > e.seq) return;
    const gap: Gap = {
      intersection: s.intersection,
      sensor: s.sensor,
      boot: s.boot,
      fromSeq: s.next,
      toSeq: e.seq,
      missing: e.seq - s.next + 1,
      atMs: e.fromMs,
      tail: true,
    };
    out.push(gap);
    s.declared.push([gap.fromSeq, gap.toSeq]);
    if (s.declared.length > opts.rememberGaps) s.declared.shift();
    s.next = e.seq + 1;
  }

  /** A hole is as old as the first message that arrived past it. */
  function holeAge(s: Stream, nowMs: number): number {
    const lowest = lowestPending(s);
    return lowest === undefined ? -1 : nowMs - s.pending.get(lowest)!.atMs;
  }

  return {
    observe(msg, nowMs) {
      let s = recent.get(msg.intersection)?.get(msg.sensor);
      if (s === undefined || s.boot !== msg.boot) {
        s = streams.get(`${msg.intersection}\u0000${msg.sensor}\u0000${msg.boot}`);
        if (s) remember(s);
      }
      if (s) {
        if (s !== newest) {
          unlink(s);
          append(s);
        }
      } else {
        const key = `${msg.intersection}\u0000${msg.sensor}\u0000${msg.boot}`;
        s = {
          key,
          intersection: msg.intersection,
          sensor: msg.sensor,
          boot: msg.boot,
          next: msg.seq + 1,
          pending: new Map(),
          declared: [],
          older: undefined,
          newer: undefined,
        };
        streams.set(key, s);
        append(s);
        remember(s);
        if (streams.size > opts.maxStreams && oldest) {
          const gone = oldest;
          unlink(gone);
          streams.delete(gone.key);
          forget(gone);
        }
        return IN_ORDER;
      }
      if (msg.seq < s.next) {
        const late = s.declared.some(([a, b]) => msg.seq >= a && msg.seq <= b);
        return late ? LATE : DUPLICATE;
      }
      if (msg.seq === s.next) {
        s.next++;
        if (s.pending.size > 0) advance(s);
        return IN_ORDER;
      }
      if (s.pending.has(msg.seq)) return DUPLICATE;
      s.pending.set(msg.seq, { fromMs: msg.fromMs, atMs: nowMs });
      if (s.pending.size <= opts.windowMessages) return IN_ORDER;
      const gaps: Gap[] = [];
      while (s.pending.size > opts.windowMessages) declareFirst(s, gaps);
      return { gaps, duplicate: false, late: false };
    },
    expect(msg, nowMs) {
      const s = streams.get(`${msg.intersection}\u0000${msg.sensor}\u0000${msg.boot}`);
      if (!s || msg.seq < s.next) return;
      if (s.expected && s.expected.seq >= msg.seq) return;
      s.expected = { seq: msg.seq, atMs: nowMs, fromMs: msg.fromMs };
    },
    tick(nowMs) {
      const gaps: Gap[] = [];
      for (let s = oldest; s; s = s.newer) {
        if (s.pending.size > 0) {
          while (holeAge(s, nowMs) >= opts.windowMs) declareFirst(s, gaps);
        }
        if (s.expected) {
          if (s.next > s.expected.seq) s.expected = undefined;
          else if (nowMs - s.expected.atMs >= opts.windowMs) {
            while (s.pending.size > 0) declareFirst(s, gaps);
            declareTail(s, gaps);
          }
        }
      }
      return gaps;
    },
    drain() {
      const gaps: Gap[] = [];
      for (let s = oldest; s; s = s.newer) {
        while (s.pending.size > 0) declareFirst(s, gaps);
        if (s.expected) declareTail(s, gaps);
      }
      return gaps;
    },
    resync() {
      streams.clear();
      recent.clear();
      oldest = undefined;
      newest = undefined;
    },
    streams: () => streams.size,
  };
}
