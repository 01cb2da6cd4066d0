/**
 * Sockets in, byte streams out: TCP or TLS (mqtt/mqtts) and MQTT over WebSocket (ws/wss) at a
 * path, on our own HTTP server or on someone else's (the dashboard's). Each accepted
 * connection becomes one Duplex handed to `onStream`; nothing here knows MQTT.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { createWebSocketStream, type WebSocket, WebSocketServer } from 'ws';

export type OnStream = (stream: Duplex, req?: IncomingMessage) => void;

export interface TlsMaterial {
  /** PEM text, or the path of a PEM file. */
  cert: string | Buffer;
  key: string | Buffer;
}

/** PEM content as given, or read from a path (the CLI passes paths). */
export function loadTls(tls: TlsMaterial): { cert: Buffer; key: Buffer } {
  const read = (v: string | Buffer) =>
    Buffer.isBuffer(v) ? v : v.includes('-----BEGIN') ? Buffer.from(v) : readFileSync(v);
  return { cert: read(tls.cert), key: read(tls.key) };
}

/**
 * A listen error in words that name the port and what it was for; `code` stays (EADDRINUSE…).
 * @example listenError(err, 'MQTT over TCP', '127.0.0.1', 1883).message
 *   // 'cannot listen for MQTT over TCP on 127.0.0.1:1883: the port is already in use (EADDRINUSE)'
 */
export function listenError(e: unknown, what: string, host: string, port: number): Error {
  const code = (e as { code?: unknown }).code;
  const why =
    code === 'EADDRINUSE'
      ? 'the port is already in use (EADDRINUSE)'
      : code === 'EACCES'
        ? 'permission denied (EACCES: ports below 1024 need privileges)'
        : code === 'EADDRNOTAVAIL'
          ? 'no such interface here (EADDRNOTAVAIL)'
          : (e as Error).message;
  return Object.assign(new Error(`cannot listen for ${what} on ${host}:${port}: ${why}`), {
    code,
  });
}

/** Listens; a failure (port taken…) rejects with {@link listenError}'s message. */
export function listen(
  server: NetServer,
  host: string,
  port: number,
  what: string,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const fail = (e: unknown) => reject(listenError(e, what, host, port));
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

/** Closes a server, cutting what is still open; resolves when it is gone (or was never up). */
export function closeServer(server: NetServer): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    (server as Server).closeAllConnections?.();
  });
}

export async function listenTcp(
  host: string,
  port: number,
  tls: { cert: Buffer; key: Buffer } | undefined,
  onStream: OnStream,
): Promise<{ server: NetServer; port: number; close: () => Promise<void> }> {
  // tracked so close() also cuts sockets that never sent CONNECT (aedes does not know them)
  const sockets = new Set<Duplex>();
  const accept = (socket: Duplex) => {
    // Small MQTT packets (a decision, a PUBACK) must not wait for Nagle + delayed ACK (~40-90 ms).
    if ('setNoDelay' in socket && typeof socket.setNoDelay === 'function') socket.setNoDelay(true);
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    onStream(socket);
  };
  const server = tls ? createTlsServer({ ...tls }, accept) : createNetServer(accept);
  // a client that vanishes mid-handshake must not take the broker down
  server.on('tlsClientError', () => {});
  return {
    server,
    port: await listen(server, host, port, tls ? 'MQTT over TLS' : 'MQTT over TCP'),
    close: () => {
      const closed = closeServer(server);
      for (const s of sockets) s.destroy();
      return closed;
    },
  };
}

/** WebSocket upgrades for `path` on `server`; other paths are left to other handlers. */
export function attachWebSocket(
  server: Server,
  path: string,
  maxPayload: number,
  onStream: OnStream,
): { detach: () => void; wss: WebSocketServer } {
  const wss = new WebSocketServer({ noServer: true, maxPayload });
  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== path) return;
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const stream = createWebSocketStream(ws);
      stream.on('error', () => ws.terminate());
      onStream(stream, req);
    });
  };
  server.on('upgrade', onUpgrade);
  return {
    wss,
    detach: () => {
      server.off('upgrade', onUpgrade);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

/** Our own HTTP(S) server that only speaks MQTT over WebSocket at `path`. */
export async function listenWebSocket(
  host: string,
  port: number,
  tls: { cert: Buffer; key: Buffer } | undefined,
  path: string,
  maxPayload: number,
  onStream: OnStream,
): Promise<{ server: Server; port: number; detach: () => void }> {
  const notFound = (_req: IncomingMessage, res: import('node:http').ServerResponse) => {
    res.writeHead(404, { 'content-type': 'text/plain' }).end(`MQTT over WebSocket is at ${path}\n`);
  };
  const server = (
    tls ? createHttpsServer({ ...tls }, notFound) : createHttpServer(notFound)
  ) as Server;
  const { detach } = attachWebSocket(server, path, maxPayload, onStream);
  // upgrades to any other path: nobody else handles them on this server
  server.on('upgrade', (req: IncomingMessage, socket: Duplex) => {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== path) socket.destroy();
  });
  server.on('tlsClientError', () => {});
  const what = tls ? 'MQTT over secure WebSocket' : 'MQTT over WebSocket';
  return { server, port: await listen(server, host, port, what), detach };
}
