/**
 * The operations endpoint of a service (shell): `GET /health` (JSON; 200 while healthy, 503
 * otherwise, so a supervisor or load balancer can act on the status alone) and `GET /metrics`
 * (Prometheus text). Bound to 127.0.0.1 unless told otherwise.
 *
 * @example
 * const ops = createOpsServer({ port: 9464, health: () => ({ ok: true }), metrics: async () => '' });
 * const port = await ops.start(); … await ops.close();
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface OpsServerOptions {
  /** 0 = any free port */
  port: number;
  /** default 127.0.0.1 */
  host?: string;
  health(): { ok: boolean } & Record<string, unknown>;
  metrics(): Promise<string>;
  /** of the metrics text (default Prometheus 0.0.4) */
  contentType?: string;
}

export function createOpsServer(o: OpsServerOptions) {
  let server: Server | undefined;
  let closing: Promise<void> | undefined;
  return {
    /** Listens; resolves with the port. */
    async start(): Promise<number> {
      const srv = createServer((req, res) => {
        const path = (req.url ?? '').split('?')[0];
        if (req.method !== 'GET' && req.method !== 'HEAD') {
          res.writeHead(405, { allow: 'GET' }).end();
          return;
        }
        if (path === '/health') {
          const h = o.health();
          res
            .writeHead(h.ok ? 200 : 503, { 'content-type': 'application/json' })
            .end(`${JSON.stringify(h)}\n`);
          return;
        }
        if (path === '/metrics') {
          o.metrics().then(
            (text) =>
              res
                .writeHead(200, {
                  'content-type': o.contentType ?? 'text/plain; version=0.0.4; charset=utf-8',
                })
                .end(text),
            (e: Error) => res.writeHead(500).end(`metrics failed: ${e.message}\n`),
          );
          return;
        }
        res.writeHead(404).end('see /health and /metrics\n');
      });
      server = srv;
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(o.port, o.host ?? '127.0.0.1', () => {
          srv.off('error', reject);
          resolve();
        });
      });
      return (srv.address() as AddressInfo).port;
    },
    /** Stops listening; safe twice. */
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        if (!server) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
