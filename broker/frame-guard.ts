/**
 * A size guard in front of aedes. aedes' parser (mqtt-packet) buffers a whole packet before any
 * hook sees it, so a client announcing a 256 MB PUBLISH would make the broker hold 256 MB.
 * This reads only the MQTT fixed headers [MQTT-2.2.3] as bytes pass and cuts the connection as
 * soon as a packet announces more than the limit — before its body is read.
 */
import { Duplex } from 'node:stream';
import {
  createWriteBatch,
  DEFAULT_WRITE_LIMITS,
  type StallReason,
  type WriteBatch,
} from './write-batch.ts';

export type FrameVerdict = 'ok' | 'oversize' | 'malformed';

/** Pure-ish scanner: feed it the byte stream in any chunking; it tracks packet boundaries. */
export function createFrameScanner(maxRemainingLength: number) {
  let phase: 'type' | 'length' | 'body' = 'type';
  let length = 0;
  let multiplier = 1;
  let lengthBytes = 0;
  let left = 0;
  let verdict: FrameVerdict = 'ok';

  return function scan(chunk: Uint8Array): FrameVerdict {
    let i = 0;
    while (verdict === 'ok' && i < chunk.length) {
      if (phase === 'body') {
        const take = Math.min(left, chunk.length - i);
        left -= take;
        i += take;
        if (left === 0) phase = 'type';
      } else if (phase === 'type') {
        phase = 'length';
        length = 0;
        multiplier = 1;
        lengthBytes = 0;
        i++;
      } else {
        const byte = chunk[i++]!;
        length += (byte & 0x7f) * multiplier;
        multiplier *= 128;
        lengthBytes++;
        if (byte & 0x80) {
          if (lengthBytes === 4) verdict = 'malformed'; // [MQTT-2.2.3] at most 4 bytes
        } else if (length > maxRemainingLength) {
          verdict = 'oversize';
        } else if (length === 0) {
          phase = 'type';
        } else {
          left = length;
          phase = 'body';
        }
      }
    }
    return verdict;
  };
}

/**
 * Wraps a connection (TCP socket, TLS socket, WebSocket stream) so aedes reads it through the
 * scanner (`onReject` is told why, then the connection is destroyed) and writes to it through a
 * write batch (write-batch.ts: one write per turn; a reader that stops is cut, `onStall`).
 */
export class FrameGuard extends Duplex {
  /** The peer's address (for per-address limits); the guard itself has no socket. */
  remoteAddress: string | undefined;
  readonly #inner: Duplex;
  readonly #scan: (chunk: Uint8Array) => FrameVerdict;
  readonly #batch: WriteBatch;

  constructor(
    inner: Duplex,
    maxRemainingLength: number,
    onReject: (v: FrameVerdict) => void,
    writeLimits: {
      maxBacklogBytes: number;
      drainTimeoutMs: number;
      turns?: number;
    } = DEFAULT_WRITE_LIMITS,
    onStall: (reason: StallReason, backlogBytes: number) => void = () => {},
  ) {
    super({ allowHalfOpen: false });
    this.#inner = inner;
    this.remoteAddress = (inner as { remoteAddress?: string }).remoteAddress;
    this.#scan = createFrameScanner(maxRemainingLength);
    this.#batch = createWriteBatch(inner, { ...writeLimits, onStall });
    inner.on('data', (chunk: Buffer) => {
      const verdict = this.#scan(chunk);
      if (verdict !== 'ok') {
        onReject(verdict);
        this.destroy();
        return;
      }
      if (!this.push(chunk)) inner.pause();
    });
    inner.on('end', () => this.push(null));
    inner.on('error', (err) => this.destroy(err));
    inner.on('close', () => this.destroy());
  }

  /** See WriteBatch.whenRoom: undefined, or a promise once at most `limitBytes` are unsent. */
  whenRoom(limitBytes: number): Promise<void> | undefined {
    return this.#batch.whenRoom(limitBytes);
  }

  override _read(): void {
    this.#inner.resume();
  }

  // aedes writes every packet on its own, and a socket write is a system call that wakes the
  // peer: a lockstep tick sends a controller several packets at once (counts, signals, one
  // per intersection). What is written in one turn of the event loop leaves as one write.
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.#batch.add(chunk, cb);
  }

  override _writev(
    chunks: { chunk: Buffer; encoding: BufferEncoding }[],
    cb: (err?: Error | null) => void,
  ): void {
    for (let i = 0; i < chunks.length - 1; i++) this.#batch.add(chunks[i]!.chunk);
    this.#batch.add(chunks[chunks.length - 1]!.chunk, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.#batch.flush();
    this.#inner.end(cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    // what was written before a close still goes out, as it did when each write went at once
    this.#batch.flush();
    this.#inner.destroy();
    cb(err);
  }
}
