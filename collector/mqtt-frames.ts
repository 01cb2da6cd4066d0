/**
 * MQTT 3.1.1 framing for the collector's inbound fast path (pure: bytes in, packets out).
 *
 * The collector receives one PUBLISH per sensor reading interval and almost nothing else, and
 * mqtt.js spends more per message than the collector's own work on it (a packet object, a buffer
 * list, a `debug` check per parser step, a queue hop and two events). This framer cuts the byte
 * stream into packets and reads a PUBLISH at QoS 0 or 1 in place: topic, message id and the
 * payload as a view of the received bytes. Any other packet, and any PUBLISH it does not read
 * (QoS 2, an empty topic), comes out as its exact bytes, for mqtt.js to handle as before; bytes
 * that are not MQTT (a remaining length over four bytes, QoS 3) stop the framer, and the rest goes
 * to mqtt.js, which closes the connection as it always did.
 *
 * A property test holds it to mqtt-packet's parser (tests/unit/collector-mqtt-frames.test.ts).
 */

/** What `next()` found. */
export const FRAME = { none: 0, publish: 1, other: 2, malformed: 3 } as const;
export type FrameKind = (typeof FRAME)[keyof typeof FRAME];

/** Filled by `next()` (one object for every packet: nothing allocated per message for it). */
export interface FrameOut {
  /** publish: the topic (UTF-8, as mqtt-packet reads it) */
  topic: string;
  /** publish: the payload, a view of the received bytes */
  payload: Buffer;
  qos: 0 | 1;
  /** publish at QoS 1: its packet id */
  messageId: number;
  /** other: the packet's bytes; malformed: every byte not yet framed */
  bytes: Buffer;
}

export interface MqttFramer {
  /** Adds received bytes (kept by reference until framed, or until `keep()`). */
  push(chunk: Buffer): void;
  /**
   * The pushed chunks are about to be written over (a socket reading into one buffer): the bytes
   * not yet framed — a packet that continues in the next read, or packets left for later — are
   * copied. Views `next()` gave out before stay views of the old bytes: take what is needed of
   * them before the chunk is written over.
   */
  keep(): void;
  /** The next packet into `out`, or `none` until more bytes come. */
  next(out: FrameOut): FrameKind;
}

const EMPTY = Buffer.alloc(0);

/** Topics kept by the framer (a sensor's topic is the same every time); cleared at the bound. */
const MAX_TOPICS = 4096;

interface KnownTopic {
  bytes: Buffer;
  topic: string;
}

export const frameOut = (): FrameOut => ({
  topic: '',
  payload: EMPTY,
  qos: 0,
  messageId: 0,
  bytes: EMPTY,
});

/** @example const f = createMqttFramer(); f.push(bytes); const out = frameOut(); f.next(out) */
export function createMqttFramer(): MqttFramer {
  /** the chunk being framed, from `at` */
  let buf: Buffer = EMPTY;
  let at = 0;
  /** chunks received after `buf` */
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  /**
   * Copies of ours (made by `keep()`), not the reader's bytes: `buf`, and the first `ownedPending`
   * chunks of `pending`. So a packet that spans many reads is copied once, not at every read.
   */
  let bufOwned = true;
  let ownedPending = 0;
  /** The next pending chunk becomes `buf`. */
  function shiftPending(): Buffer {
    const c = pending.shift()!;
    pendingBytes -= c.length;
    bufOwned = ownedPending > 0;
    if (bufOwned) ownedPending--;
    return c;
  }
  let broken = false;
  /**
   * Topics read before, by a hash of their bytes: the same bytes give the same string, not a new
   * one to decode, allocate and hash again in every map the collector looks it up in.
   */
  const topics = new Map<number, KnownTopic>();

  function topicAt(src: Buffer, t: number, n: number): string {
    let h = n;
    for (let k = t; k < t + n; k++) h = (Math.imul(h, 31) + src[k]!) | 0;
    const known = topics.get(h);
    if (known !== undefined && known.bytes.length === n) {
      const b = known.bytes;
      let k = 0;
      while (k < n && b[k] === src[t + k]) k++;
      if (k === n) return known.topic;
    }
    const topic = src.toString('utf8', t, t + n);
    if (topics.size >= MAX_TOPICS) topics.clear();
    topics.set(h, { bytes: Buffer.from(src.subarray(t, t + n)), topic });
    return topic;
  }

  /** The byte `i` places after `at`, across chunks; -1 when it has not come yet. */
  function peek(i: number): number {
    if (at + i < buf.length) return buf[at + i]!;
    let k = at + i - buf.length;
    for (const c of pending) {
      if (k < c.length) return c[k]!;
      k -= c.length;
    }
    return -1;
  }

  /**
   * A packet that runs past the end of `buf`: its `total` bytes copied into one buffer (only
   * those: the chunk it ends in is framed in place from there on).
   */
  function assemble(total: number): Buffer {
    const whole = Buffer.allocUnsafe(total);
    let w = buf.copy(whole, 0, at);
    buf = EMPTY;
    at = 0;
    while (w < total) {
      const c = shiftPending();
      const n = Math.min(c.length, total - w);
      c.copy(whole, w, 0, n);
      w += n;
      if (n < c.length) {
        buf = c;
        at = n;
      }
    }
    return whole;
  }

  return {
    push(chunk) {
      if (chunk.length === 0) return;
      if (at >= buf.length && pending.length === 0) {
        buf = chunk;
        bufOwned = false;
        at = 0;
      } else {
        pending.push(chunk);
        pendingBytes += chunk.length;
      }
    },
    keep() {
      if (!bufOwned) {
        buf = at < buf.length ? Buffer.from(buf.subarray(at)) : EMPTY; // Buffer.from copies
        at = 0;
        bufOwned = true;
      }
      for (let k = ownedPending; k < pending.length; k++) pending[k] = Buffer.from(pending[k]!);
      ownedPending = pending.length;
    },
    next(out) {
      for (;;) {
        if (broken) {
          if (at >= buf.length && pending.length === 0) return FRAME.none;
          out.bytes = Buffer.concat([buf.subarray(at), ...pending]);
          buf = EMPTY;
          bufOwned = true;
          at = 0;
          pending = [];
          pendingBytes = 0;
          ownedPending = 0;
          return FRAME.malformed;
        }
        if (at >= buf.length) {
          if (pending.length === 0) return FRAME.none;
          buf = shiftPending();
          at = 0;
          continue;
        }
        const first = buf[at]!;
        if (first >> 4 === 3 && ((first >> 1) & 3) === 3) {
          broken = true; // a PUBLISH with both QoS bits: not MQTT
          continue;
        }
        // The remaining length: 1–4 bytes, 7 bits each.
        let len = 0;
        let mul = 1;
        let i = 1;
        let complete = false;
        for (; i <= 4; i++) {
          const b = peek(i);
          if (b < 0) return FRAME.none; // more bytes to come
          len += (b & 0x7f) * mul;
          mul *= 128;
          if (b < 0x80) {
            complete = true;
            break;
          }
        }
        if (!complete) {
          broken = true; // a fifth length byte: not MQTT
          continue;
        }
        const total = i + 1 + len;
        let src = buf;
        let start = at;
        if (at + total <= buf.length) at += total;
        else if (buf.length - at + pendingBytes < total) return FRAME.none;
        else {
          src = assemble(total);
          start = 0;
        }
        const p = start + i + 1;
        const end = start + total;
        if (first >> 4 === 3) {
          const qos = (first >> 1) & 3;
          const topicLen = len >= 2 ? (src[p]! << 8) | src[p + 1]! : 0;
          const idLen = qos > 0 ? 2 : 0;
          if (qos < 2 && topicLen > 0 && 2 + topicLen + idLen <= len) {
            const t = p + 2;
            out.topic = topicAt(src, t, topicLen);
            out.qos = qos as 0 | 1;
            out.messageId = qos > 0 ? (src[t + topicLen]! << 8) | src[t + topicLen + 1]! : 0;
            out.payload = src.subarray(t + topicLen + idLen, end);
            return FRAME.publish;
          }
        }
        out.bytes = src.subarray(start, end);
        return FRAME.other;
      }
    },
  };
}
