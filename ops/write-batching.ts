/**
 * One socket write per event-loop turn instead of one per incoming packet. mqtt.js handles each
 * incoming packet on its own `process.nextTick` and flushes its writes (a PUBACK, the answer
 * published from the 'message' handler) before the next packet: at thousands of QoS 1 messages
 * a second that is one `writev` syscall and one tiny TCP segment per message, and the broker
 * must wake and read each one. Corking the socket when data arrives and uncorking on
 * `setImmediate` (after every packet of this read was handled) sends them all in one write;
 * the delay is at most the rest of the current turn (microseconds, not a timer).
 */
import type { Duplex } from 'node:stream';

const batched = new WeakSet<object>();

/** Batches the writes of `stream` per event-loop turn of incoming data; idempotent per stream. */
export function batchWritesPerTurn(stream: unknown): void {
  const s = stream as Partial<Duplex> | undefined;
  if (!s || typeof s.cork !== 'function' || typeof s.on !== 'function' || batched.has(s)) return;
  batched.add(s);
  const socket = s as Duplex;
  let corked = false;
  const flush = () => {
    corked = false;
    if (!socket.destroyed) socket.uncork();
  };
  // prependListener: corked before mqtt.js (a later 'data' listener via pipe) parses the chunk
  socket.prependListener('data', () => {
    if (corked) return;
    corked = true;
    socket.cork();
    setImmediate(flush);
  });
}
