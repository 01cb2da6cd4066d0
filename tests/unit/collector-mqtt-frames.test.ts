/**
 * The collector's MQTT framer (collector/mqtt-frames.ts) is a second reader of the bytes mqtt.js
 * reads: for any sequence of packets, cut into chunks anywhere, it must give every PUBLISH at
 * QoS 0/1 with a topic exactly as mqtt-packet's parser reads it, and every other packet as its
 * own bytes (which mqtt-packet then reads as the same packet), in order.
 */
import fc from 'fast-check';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { describe, expect, it } from 'vitest';
import { createMqttFramer, FRAME, frameOut } from '../../collector/mqtt-frames.ts';

const OPTS = { protocolVersion: 4 } as const;

/** mqtt-packet's reading of some bytes: its packets, or the error it stopped at. */
function parse(bytes: Buffer): { packets: Packet[]; error?: string } {
  const parser = mqttPacket.parser(OPTS);
  const packets: Packet[] = [];
  let error: string | undefined;
  parser.on('packet', (p) => packets.push(p));
  parser.on('error', (e) => {
    error ??= e.message;
  });
  parser.parse(bytes);
  return error === undefined ? { packets } : { packets, error };
}

type Event =
  | { publish: { topic: string; payload: string; qos: number; messageId: number } }
  | { other: Buffer }
  | { malformed: Buffer };

/**
 * The framer's reading of `bytes` delivered in chunks of the given sizes. `reused`: as a socket
 * reading into one buffer delivers them — every chunk in the same bytes, `keep()` after each, and
 * those bytes written over before the next read (a view kept past its read reads garbage).
 */
function frame(bytes: Buffer, cuts: number[], reused = false): Event[] {
  const f = createMqttFramer();
  const out = frameOut();
  const events: Event[] = [];
  let at = 0;
  const chunks: Buffer[] = [];
  for (const c of cuts) {
    if (at >= bytes.length) break;
    chunks.push(bytes.subarray(at, at + c));
    at += c;
  }
  if (at < bytes.length) chunks.push(bytes.subarray(at));
  const readBuffer = Buffer.alloc(Math.max(1, ...chunks.map((c) => c.length)));
  for (const chunk of chunks) {
    if (reused) {
      chunk.copy(readBuffer);
      f.push(readBuffer.subarray(0, chunk.length));
    } else f.push(chunk);
    for (let k = f.next(out); k !== FRAME.none; k = f.next(out)) {
      if (k === FRAME.publish)
        events.push({
          publish: {
            topic: out.topic,
            payload: out.payload.toString('hex'),
            qos: out.qos,
            messageId: out.messageId,
          },
        });
      else if (k === FRAME.other) events.push({ other: Buffer.from(out.bytes) });
      else events.push({ malformed: Buffer.from(out.bytes) });
    }
    if (reused) {
      f.keep();
      readBuffer.fill(0xee);
    }
  }
  return events;
}

const topic = fc.oneof(
  // 'Aa' and 'BB': the same hash in the framer's topic cache (a collision it must tell apart)
  fc.constantFrom(
    'traffic/v1/a/counts/s1',
    'a',
    'traffic/v1/Zürich/counts/ü',
    'x'.repeat(300),
    'Aa',
    'BB',
  ),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
);
const publish = fc
  .record({
    topic,
    payload: fc.uint8Array({ maxLength: 600 }),
    qos: fc.constantFrom(0, 1, 1, 2),
    messageId: fc.integer({ min: 1, max: 65535 }),
    retain: fc.boolean(),
    dup: fc.boolean(),
  })
  .map((p) => ({ cmd: 'publish' as const, ...p, payload: Buffer.from(p.payload) }));
const other = fc.oneof(
  fc.constant({ cmd: 'pingresp' as const }),
  fc.integer({ min: 1, max: 65535 }).map((messageId) => ({ cmd: 'puback' as const, messageId })),
  fc
    .record({
      messageId: fc.integer({ min: 1, max: 65535 }),
      granted: fc.array(fc.constantFrom(0, 1, 128), { minLength: 1, maxLength: 3 }),
    })
    .map((s) => ({ cmd: 'suback' as const, ...s })),
  fc
    .boolean()
    .map((sessionPresent) => ({ cmd: 'connack' as const, returnCode: 0, sessionPresent })),
);
const packets = fc.array(fc.oneof(publish, publish, other), { minLength: 1, maxLength: 12 });
const cuts = fc.array(fc.integer({ min: 1, max: 700 }), { maxLength: 20 });

/** What the framer must give for mqtt-packet's packets (`bytes` of each, in order). */
function expected(ps: Array<{ packet: Packet; bytes: Buffer }>): Event[] {
  return ps.map(({ packet, bytes }) => {
    if (packet.cmd === 'publish' && packet.qos < 2 && packet.topic !== '') {
      return {
        publish: {
          topic: packet.topic,
          payload: Buffer.from(packet.payload as Buffer).toString('hex'),
          qos: packet.qos,
          messageId: packet.qos > 0 ? packet.messageId! : 0,
        },
      };
    }
    return { other: bytes };
  });
}

describe('MQTT framer', () => {
  it('reads each topic as it is, the same topics again and topics of one hash alike', () => {
    const topics = ['Aa', 'BB', 'Aa', 'traffic/v1/a/counts/s1', 'BB', 'traffic/v1/a/counts/s1'];
    const bytes = Buffer.concat(
      topics.map((t, i) =>
        mqttPacket.generate(
          {
            cmd: 'publish',
            topic: t,
            payload: Buffer.from([i]),
            qos: 1,
            messageId: i + 1,
            retain: false,
            dup: false,
          },
          OPTS,
        ),
      ),
    );
    const got = frame(bytes, []).map((e) => ('publish' in e ? e.publish.topic : undefined));
    expect(got).toEqual(topics);
  });

  it('reads what mqtt-packet reads, however the bytes are cut', () => {
    fc.assert(
      fc.property(packets, cuts, (list, sizes) => {
        const encoded = list.map((p) => mqttPacket.generate(p as Packet, OPTS));
        const bytes = Buffer.concat(encoded);
        const parsed = parse(bytes);
        expect(parsed.error).toBeUndefined();
        const got = frame(bytes, sizes);
        expect(got).toEqual(
          expected(parsed.packets.map((packet, i) => ({ packet, bytes: encoded[i]! }))),
        );
        // the same read from one buffer that each read writes over
        expect(frame(bytes, sizes, true)).toEqual(got);
        // every forwarded packet reads back as mqtt-packet read it in the stream
        for (const e of got) {
          if ('other' in e) expect(parse(e.other).packets).toHaveLength(1);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('an empty topic and QoS 2 go to mqtt.js as bytes', () => {
    const a = mqttPacket.generate(
      { cmd: 'publish', topic: '', payload: 'x', qos: 0 } as Packet,
      OPTS,
    );
    const b = mqttPacket.generate(
      { cmd: 'publish', topic: 't', payload: 'y', qos: 2, messageId: 7 } as Packet,
      OPTS,
    );
    expect(frame(Buffer.concat([a, b]), [])).toEqual([{ other: a }, { other: b }]);
  });

  it('bytes that are not MQTT stop the framer: the rest goes to mqtt.js, which refuses it', () => {
    const good = mqttPacket.generate({ cmd: 'pingresp' } as Packet, OPTS);
    for (const bad of [
      Buffer.from([0x36, 0x03, 0x00, 0x01, 0x61]), // PUBLISH with both QoS bits
      Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]), // a fifth remaining-length byte
    ]) {
      const tail = Buffer.from([0xd0, 0x00]);
      const got = frame(Buffer.concat([good, bad, tail]), [3]);
      expect(frame(Buffer.concat([good, bad, tail]), [3], true)).toEqual(got);
      expect(got[0]).toEqual({ other: good });
      const rest = Buffer.concat(
        got.slice(1).map((e) => ('malformed' in e ? e.malformed : Buffer.alloc(0))),
      );
      expect(rest).toEqual(Buffer.concat([bad, tail]));
      expect(parse(rest).error).toBeDefined();
    }
  });

  it('a packet cut into many small chunks waits for its last byte', () => {
    const p = mqttPacket.generate(
      {
        cmd: 'publish',
        topic: 'traffic/v1/a/counts/s1',
        payload: Buffer.alloc(70_000, 1),
        qos: 1,
        messageId: 9,
      } as Packet,
      OPTS,
    );
    const got = frame(
      p,
      Array.from({ length: 200 }, () => 500),
    );
    expect(
      frame(
        p,
        Array.from({ length: 200 }, () => 500),
        true,
      ),
    ).toEqual(got);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({
      publish: { topic: 'traffic/v1/a/counts/s1', qos: 1, messageId: 9 },
    });
  });
});
