/**
 * The live feed: a WebSocket at `/live` on the dashboard's HTTP server. Events from the source
 * are batched for `flushMs` (signal and counts coalesced per intersection: the newest wins)
 * and sent as one JSON array per frame. A client whose unsent bytes pass `maxBufferedBytes`
 * is dropped, never buffered without bound; pending events are bounded by `maxPending`.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { DashboardSource, LiveEvent } from './source.ts';
import { stateCodes } from './state.ts';

export interface LiveOptions {
  path?: string;
  flushMs?: number;
  /** default 1 MiB */
  maxBufferedBytes?: number;
  /** events other than signal and counts waiting for the next flush; default 10,000 */
  maxPending?: number;
  /** default 1,000 */
  maxClients?: number;
}

export interface LiveStats {
  clients: number;
  sentFrames: number;
  dropped: number;
  refused: number;
  discardedEvents: number;
}

/** The current state as live events, sent to a client when it connects. */
export function snapshotEvents(source: DashboardSource): LiveEvent[] {
  const out: LiveEvent[] = [{ k: 'ctr', c: source.counters() }];
  for (const id of source.ids()) {
    const s = source.get(id);
    if (!s) continue;
    if (s.signal) {
      const g = s.signal;
      out.push({
        k: 'sig',
        i: id,
        t: g.t,
        p: g.phase,
        iv: g.interval,
        m: stateCodes(g),
        c: g.controller,
      });
    }
    if (s.lastCountsMs !== undefined) {
      out.push({ k: 'cnt', i: id, t: s.lastCountsMs, a: s.lastCounts, q: s.queues });
    }
  }
  return out;
}

export function attachLive(server: Server, source: DashboardSource, o: LiveOptions = {}) {
  const path = o.path ?? '/live';
  const maxBuffered = o.maxBufferedBytes ?? 1024 * 1024;
  const maxPending = o.maxPending ?? 10_000;
  const maxClients = o.maxClients ?? 1000;
  const wss = new WebSocketServer({ noServer: true, maxPayload: 1024 });
  const stats: LiveStats = {
    clients: 0,
    sentFrames: 0,
    dropped: 0,
    refused: 0,
    discardedEvents: 0,
  };
  const latest = new Map<string, LiveEvent>(); // `${k}/${i}` → newest sig or cnt
  let others: LiveEvent[] = [];

  const send = (ws: WebSocket, frame: string) => {
    // [bound] a client that does not read is dropped, not buffered for: at most
    // maxBufferedBytes plus one frame wait for any client
    if (ws.bufferedAmount > maxBuffered) {
      stats.dropped++;
      ws.terminate();
      return;
    }
    ws.send(frame);
    stats.sentFrames++;
  };

  const flush = () => {
    if (latest.size === 0 && others.length === 0) return;
    const events = [...others, ...latest.values()];
    others = [];
    latest.clear();
    if (wss.clients.size === 0) return;
    const frame = JSON.stringify(events);
    for (const ws of wss.clients) if (ws.readyState === ws.OPEN) send(ws, frame);
  };

  const unsubscribe = source.subscribe((e) => {
    if (e.k === 'sig' || e.k === 'cnt') latest.set(`${e.k}/${e.i}`, e);
    else if (others.length < maxPending) others.push(e);
    else stats.discardedEvents++;
  });
  const timer = setInterval(flush, o.flushMs ?? 100);
  const counters = setInterval(() => others.push({ k: 'ctr', c: source.counters() }), 1000);

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== path) return;
    if (wss.clients.size >= maxClients) {
      stats.refused++;
      socket.end('HTTP/1.1 503 Service Unavailable\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('error', () => ws.terminate());
      ws.on('message', () => {}); // clients have nothing to say; maxPayload bounds them
      send(ws, JSON.stringify(snapshotEvents(source)));
    });
  };
  server.on('upgrade', onUpgrade);

  return {
    stats: (): LiveStats => ({ ...stats, clients: wss.clients.size }),
    close() {
      clearInterval(timer);
      clearInterval(counters);
      unsubscribe();
      server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
