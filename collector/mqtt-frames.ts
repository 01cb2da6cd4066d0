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
  /** Adds received bytes (kept by reference until framed). */
  push(chunk: Buffer): void;
  /** The next packet into `out`, or `none` until more bytes come. */
  next(out: FrameOut): FrameKind;
}

const EMPTY = Buffer.alloc(0);

export const frameOut = (): FrameOut => ({
  topic: '',
  payload: EMPTY,
  qos: 0,
  messageId: 0,
  bytes: EMPTY,
});

/** @example const f = createMqttFramer(); f.push(bytes); const out = frameOut(); f.next(out) */
export function createMqttFramer(): MqttFramer {
  let buf: Buffer = EMPTY;
  let at = 0;
  /** chunks received past `buf` while a packet is incomplete */
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let broken = false;

  function merge() {
    buf = Buffer.concat([buf.subarray(at), ...pending]);
    at = 0;
    pending = [];
    pendingBytes = 0;
  }

  return {
    push(chunk) {
      if (chunk.length === 0) return;
      if (at >= buf.length && pending.length === 0) {
        buf = chunk;
        at = 0;
      } else {
        pending.push(chunk);
        pendingBytes += chunk.length;
      }
    },
    next(out) {
      for (;;) {
        const avail = buf.length - at;
        if (broken) {
          if (avail === 0 && pending.length === 0) return FRAME.none;
          merge();
          out.bytes = buf;
          buf = EMPTY;
          return FRAME.malformed;
        }
        if (avail === 0) {
          if (pending.length === 0) return FRAME.none;
          merge();
          continue;
        }
        // Fixed header: the type and flags byte, then the remaining length (1–4 bytes, 7 bits each).
        let len = 0;
        let mul = 1;
        let p = at + 1;
        let complete = false;
        for (let k = 0; k < 4 && p < buf.length; k++) {
          const b = buf[p++]!;
          len += (b & 0x7f) * mul;
          mul *= 128;
          if (b < 0x80) {
            complete = true;
            break;
          }
        }
        if (!complete) {
          if (p - at - 1 >= 4) {
            broken = true; // a fifth length byte: not MQTT
            continue;
          }
          if (pending.length === 0) return FRAME.none;
          merge();
          continue;
        }
        const end = p + len;
        if (end > buf.length) {
          if (end - buf.length > pendingBytes) return FRAME.none;
          merge();
          continue;
        }
        const first = buf[at]!;
        const start = at;
        at = end;
        if (first >> 4 === 3) {
          const qos = (first >> 1) & 3;
          if (qos === 3) {
            at = start;
            broken = true;
            continue;
          }
          const topicLen = len >= 2 ? (buf[p]! << 8) | buf[p + 1]! : 0;
          const idLen = qos > 0 ? 2 : 0;
          if (qos < 2 && topicLen > 0 && 2 + topicLen + idLen <= len) {
            const t = p + 2;
            out.topic = buf.toString('utf8', t, t + topicLen);
            out.qos = qos as 0 | 1;
            out.messageId = qos > 0 ? (buf[t + topicLen]! << 8) | buf[t + topicLen + 1]! : 0;
            out.payload = buf.subarray(t + topicLen + idLen, end);
            return FRAME.publish;
          }
        }
        out.bytes = buf.subarray(start, end);
        return FRAME.other;
      }
    },
  };
}
