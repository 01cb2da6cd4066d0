/**
 * Two connected in-memory byte streams (what one writes, the other reads): an MQTT client and
 * a broker in the same process speak through it without a socket — the same packets, without a
 * system call per packet. Ending one ends the other's reading side; destroying one destroys both.
 * (Node 22 has stream.duplexPair; Node 20 does not.)
 */
import { Duplex } from 'node:stream';

export function duplexPair(): [Duplex, Duplex] {
  const sides: Duplex[] = [];
  const make = (other: () => Duplex) =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, done) {
        other().push(chunk);
        done();
      },
      writev(chunks, done) {
        other().push(Buffer.concat(chunks.map((c) => c.chunk as Buffer)));
        done();
      },
      final(done) {
        other().push(null);
        done();
      },
      destroy(err, done) {
        const o = other();
        if (!o.destroyed) o.destroy();
        done(err);
      },
    });
  sides.push(
    make(() => sides[1]!),
    make(() => sides[0]!),
  );
  return [sides[0]!, sides[1]!];
}
