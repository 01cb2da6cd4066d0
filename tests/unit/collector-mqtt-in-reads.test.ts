/**
 * The collector's MQTT input over plain TCP reads into one buffer that every read writes over
 * (collector/mqtt-in.ts). Against a minimal broker on loopback that sends thousands of PUBLISH
 * packets of mixed sizes (many in one read, some across two or more reads, some larger than the
 * buffer), every message must arrive whole and in order, also while the collector stops reading
 * now and then (its pipeline full) and resumes, and every one be acknowledged once durable.
 */
import { createServer, type Server, type Socket } from 'node:net';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { afterEach, describe, expect, it } from 'vitest';
import { createMqttIn, type MqttIn } from '../../collector/mqtt-in.ts';

const OPTS = { protocolVersion: 4 } as const;
const N = 3000;

/** Message `i`: a payload of a size from 1 byte to past the 64 KiB read buffer, bytes from i. */
function payloadOf(i: number): Buffer {
  const size = i % 500 === 7 ? 70_000 + i : 1 + ((i * 7919) % 1800);
  const b = Buffer.allocUnsafe(size);
  for (let k = 0; k < size; k++) b[k] = (i * 31 + k * 7) & 0xff;
  return b;
}

/** A broker that answers CONNECT and SUBSCRIBE, then sends the N messages in odd-sized writes. */
function startBroker(): Promise<{ server: Server; port: number; acks: number[] }> {
  const acks: number[] = [];
  const server = createServer((sock: Socket) => {
    const parser = mqttPacket.parser(OPTS);
    parser.on('packet', (p: Packet) => {
      if (p.cmd === 'connect') {
        sock.write(
          mqttPacket.generate({ cmd: 'connack', returnCode: 0, sessionPresent: false }, OPTS),
        );
      } else if (p.cmd === 'subscribe') {
        sock.write(
          mqttPacket.generate({ cmd: 'suback', messageId: p.messageId, granted: [1] }, OPTS),
        );
        const all = Buffer.concat(
          Array.from({ length: N }, (_, i) =>
            mqttPacket.generate(
              {
                cmd: 'publish',
                topic: `traffic/v1/a/counts/s${i % 13}`,
                payload: payloadOf(i),
                qos: 1,
                messageId: (i % 65535) + 1,
                retain: false,
                dup: false,
              },
              OPTS,
            ),
          ),
        );
        for (let at = 0, k = 0; at < all.length; k++) {
          const n = [1, 5, 333, 4096, 65_537, 20_000][k % 6]!;
          sock.write(all.subarray(at, at + n));
          at += n;
        }
      } else if (p.cmd === 'puback') acks.push(p.messageId!);
      else if (p.cmd === 'pingreq') sock.write(mqttPacket.generate({ cmd: 'pingresp' }, OPTS));
    });
    sock.on('data', (d) => parser.parse(d));
    sock.on('error', () => {});
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const a = server.address();
      resolve({ server, port: typeof a === 'object' && a ? a.port : 0, acks });
    }),
  );
}

let mqttIn: MqttIn | undefined;
let server: Server | undefined;
afterEach(async () => {
  await mqttIn?.close();
  await new Promise((r) => server?.close(r));
  mqttIn = undefined;
  server = undefined;
});

describe('collector MQTT input reading into one buffer', () => {
  it('every message whole and in order, through pauses, each acknowledged once durable', async () => {
    const broker = await startBroker();
    server = broker.server;
    const got: Array<{ topic: string; payload: string }> = [];
    let accepting = true;
    let waiter: (() => void) | undefined;
    const durable: Array<() => void> = [];
    mqttIn = createMqttIn({
      url: `mqtt://127.0.0.1:${broker.port}`,
      clientId: 'reads-test',
      filters: [['traffic/v1/#']],
      onMessage(topic, payload, done) {
        got.push({ topic, payload: payload.toString('base64') }); // taken during the call
        durable.push(done);
        // every 97th message fills the pipeline: reading stops until it drains
        if (got.length % 97 === 0) {
          accepting = false;
          setTimeout(() => {
            accepting = true;
            for (const d of durable.splice(0)) d();
            const w = waiter;
            waiter = undefined;
            w?.();
          }, 1);
        }
      },
      accepting: () => accepting,
      whenAccepting(cb) {
        waiter = cb;
      },
    });
    await mqttIn.start();
    while (got.length < N) await new Promise((r) => setTimeout(r, 10));
    for (const d of durable.splice(0)) d();
    while (broker.acks.length < N) await new Promise((r) => setTimeout(r, 10));
    expect(got).toHaveLength(N);
    for (let i = 0; i < N; i++) {
      expect(got[i]).toEqual({
        topic: `traffic/v1/a/counts/s${i % 13}`,
        payload: payloadOf(i).toString('base64'),
      });
    }
    expect(broker.acks).toEqual(Array.from({ length: N }, (_, i) => (i % 65535) + 1));
  });
});
