/**
 * A persistent session's backlog, replayed at the pace its reader takes it. aedes replays the
 * queued QoS 1 messages of a session that comes back as fast as the connection accepts them,
 * and the broker's connections accept at once (write-batch.ts) and cut a reader whose unsent
 * bytes pass a bound (16 MiB): a collector back from a minute away from a 1,000-intersection
 * city (~18 MB queued) was cut twice in the middle of its replay. The replay now waits, between
 * messages, until at most `roomBytes` are unsent on that connection; what arrives live meanwhile
 * still goes at once.
 */
import { Readable } from 'node:stream';

/** Unsent bytes up to which a replay goes on: far below the bound that cuts a reader. */
export const REPLAY_ROOM_BYTES = 1 << 20;

export interface ReplayingStore {
  outgoingStream(client: { id: string }): Readable;
}

/**
 * Wraps the store's `outgoingStream` (what aedes replays from) so that each message waits for
 * `pace(clientId)` when that returns a promise. Returns the store.
 * @example paceReplays(store, (id) => guardOf(id)?.whenRoom(REPLAY_ROOM_BYTES))
 */
export function paceReplays<S extends ReplayingStore>(
  store: S,
  pace: (clientId: string) => Promise<void> | undefined,
): S {
  const replay = store.outgoingStream.bind(store);
  store.outgoingStream = (client) => {
    const source = replay(client);
    return Readable.from(
      (async function* paced() {
        for await (const packet of source) {
          const wait = pace(client.id);
          if (wait) await wait;
          yield packet;
        }
      })(),
    );
  };
  return store;
}
