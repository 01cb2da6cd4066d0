/**
 * The socket shell: one TCP connection to SUMO, requests answered in order.
 * TraCI answers every message with exactly one message, so pending requests are a FIFO.
 * When the socket closes, every pending and later request rejects: a dead SUMO never hangs a caller.
 */
import { connect, type Socket } from 'node:net';
import { TraciError } from './errors.ts';
import { createFrameSplitter, encodeMessage } from './protocol.ts';
import { Reader } from './storage.ts';

export interface ConnectOptions {
  readonly port: number;
  readonly host?: string;
  /** How long to keep retrying a refused connection (SUMO opens its port after loading). */
  readonly connectTimeoutMs?: number;
  /** Stop retrying early when this returns a reason (e.g. the launched SUMO exited). */
  readonly giveUp?: () => string | null;
  /**
   * Called when the socket drops; resolves to why (e.g. SUMO's exit status). Pending calls
   * reject with that reason once it resolves, so it must resolve in bounded time.
   */
  readonly explainLoss?: () => Promise<string | null>;
  /**
   * Gives up on a SUMO that stays silent (e.g. stopped or deadlocked) after this long per call.
   * Off by default: a step to a far target time may legitimately take long.
   */
  readonly callTimeoutMs?: number;
}

export interface TraciConnection {
  /** Sends one message of commands and resolves with SUMO's answer. */
  request(commands: readonly Buffer[]): Promise<Reader>;
  /** Rejects every pending and later request with `error` and drops the socket. */
  fail(error: TraciError): void;
  /** Ends the socket; pending requests reject with TRACI_CLOSED. Safe twice. */
  close(): void;
  /** The error that ended the connection, if any. */
  readonly failure: TraciError | null;
}

const RETRY_MS = 50;

function connectOnce(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

async function connectWithRetry(options: ConnectOptions): Promise<Socket> {
  const host = options.host ?? '127.0.0.1';
  const deadline = Date.now() + (options.connectTimeoutMs ?? 10_000);
  for (;;) {
    try {
      return await connectOnce(host, options.port);
    } catch (error) {
      const reason = options.giveUp?.();
      if (reason) throw new TraciError('TRACI_SUMO_EXITED', reason, { cause: error });
      if (Date.now() >= deadline) {
        throw new TraciError(
          'TRACI_CONNECT_FAILED',
          `could not connect to SUMO's TraCI port at ${host}:${options.port}: ${(error as Error).message}`,
          { cause: error },
        );
      }
      await new Promise((r) => setTimeout(r, RETRY_MS));
    }
  }
}

/** Connects (retrying while refused) and returns the request/answer channel. */
export async function openConnection(options: ConnectOptions): Promise<TraciConnection> {
  const socket = await connectWithRetry(options);
  socket.setNoDelay(true);
  const splitter = createFrameSplitter();
  const pending: { resolve(r: Reader): void; reject(e: Error): void }[] = [];
  let failure: TraciError | null = null;
  let lost = false;

  const fail = (error: TraciError): void => {
    if (!failure) failure = error;
    for (const p of pending.splice(0)) p.reject(failure);
    socket.destroy();
  };

  socket.on('data', (chunk: Buffer) => {
    let frames: Buffer[];
    try {
      frames = splitter.push(chunk);
    } catch (error) {
      fail(error as TraciError);
      return;
    }
    for (const frame of frames) {
      const p = pending.shift();
      if (!p) {
        fail(new TraciError('TRACI_PROTOCOL', 'SUMO sent a message nobody asked for'));
        return;
      }
      p.resolve(new Reader(frame));
    }
  });
  const onLoss = (fallback: string, cause?: Error): void => {
    if (lost || failure) return;
    lost = true;
    const explain = options.explainLoss?.() ?? Promise.resolve(null);
    void explain.then(
      (reason) => fail(new TraciError('TRACI_SUMO_EXITED', reason ?? fallback, { cause })),
      () => fail(new TraciError('TRACI_SUMO_EXITED', fallback, { cause })),
    );
  };
  socket.on('error', (error) => onLoss(`connection to SUMO failed: ${error.message}`, error));
  socket.on('close', () => onLoss('SUMO closed the TraCI connection (did it exit?)'));

  return {
    request(commands) {
      if (failure) return Promise.reject(failure);
      return new Promise<Reader>((resolve, reject) => {
        let timer: NodeJS.Timeout | undefined;
        if (options.callTimeoutMs !== undefined) {
          const ms = options.callTimeoutMs;
          timer = setTimeout(() => {
            fail(new TraciError('TRACI_TIMEOUT', `SUMO did not answer within ${ms} ms`));
          }, ms);
        }
        pending.push({
          resolve: (r) => {
            clearTimeout(timer);
            resolve(r);
          },
          reject: (e) => {
            clearTimeout(timer);
            reject(e);
          },
        });
        // after a loss the call waits for the reason, then rejects with it
        if (!lost) socket.write(encodeMessage(commands));
      });
    },
    fail,
    close() {
      fail(new TraciError('TRACI_CLOSED', 'the TraCI client is closed'));
    },
    get failure() {
      return failure;
    },
  };
}
