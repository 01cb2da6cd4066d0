/**
 * The dashboard shell: fastify with the API, the OpenAPI document, the page (static files and
 * the in-memory esbuild bundle), the live feed at /live and, when a broker is given, MQTT over
 * WebSocket at /mqtt on the same port.
 *
 * @example
 * const dash = createDashboard({ host: '127.0.0.1', port: 8080, source });
 * const { url } = await dash.start();
 * await dash.close();
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import fastifySwagger from '@fastify/swagger';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { MeasuresReader } from '../measures/read/index.ts';
import { DEFAULT_TIME_ZONE } from '../protocol/index.ts';
import { apiRoutes } from './api.ts';
import { type BuiltAsset, buildWeb, PUBLIC_DIR } from './build.ts';
import {
  needsToken,
  normalizeOrigin,
  originAllowed,
  presentedToken,
  servedOrigins,
  tokenMatches,
} from './guard.ts';
import { attachLive, type LiveOptions } from './live.ts';
import { createDashboardMetrics } from './metrics.ts';
import type { DashboardSource } from './source.ts';

export interface DashboardOptions {
  /** default 127.0.0.1 */
  host?: string;
  /** 0 picks a free port */
  port: number;
  source: DashboardSource;
  /** the embedded broker: MQTT over WebSocket is served at /mqtt on the dashboard's port */
  broker?: { attachWebSocket(server: Server, path?: string): void };
  /** more Prometheus text appended to /metrics (the collector's, the broker's) */
  metrics?: () => string | Promise<string>;
  /** name of the counts store shown by the API; default 'embedded' */
  store?: string;
  live?: LiveOptions;
  /** skip bundling the page (API-only tests) */
  page?: boolean;
  log?: (line: string) => void;
  clock?: () => number;
  /**
   * Origins besides the served ones whose pages may open `/mqtt` and `/live` (e.g. the
   * address behind a reverse proxy: `https://signals.example.org`). See guard.ts.
   */
  allowOrigins?: string[];
  /**
   * An observer token: when set, the API, /metrics, /openapi.json and /live need it
   * (`Authorization: Bearer …`, or the WebSocket subprotocol `bearer.…`). The demo sets none.
   */
  token?: string;
  /** the city and its clock come from the simulator (the demo): the page says so */
  simulated?: boolean;
  /** reads the stored history for the measures API (docs/measures.md); absent: that API answers 503 */
  measures?: MeasuresReader;
  /** the deployment's IANA zone for times on the page (an intersection's config zone wins); default UTC */
  timeZone?: string;
  /** requests per client address and window (default 1,200 per minute); false = off */
  rateLimit?: { max: number; timeWindowMs: number } | false;
}

/** Default throttle: generous for the page (one request per intersection at load), bounded for a flood. */
export const DEFAULT_RATE_LIMIT = { max: 1200, timeWindowMs: 60_000 };

export interface Dashboard {
  /** the fastify instance, for `inject()` in tests (ready after start, or call `ready()`) */
  app: FastifyInstance;
  start(): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Names the parameter in a schema validation failure: `query parameter 'every' …`. */
function validationReply(error: FastifyError) {
  const v = error.validation?.[0] as
    | { instancePath?: string; params?: Record<string, unknown>; message?: string }
    | undefined;
  const fromPath = v?.instancePath?.split('/').filter(Boolean)[0];
  const extra = v?.params?.additionalProperties ?? v?.params?.additionalProperty;
  const missing = v?.params?.requiredProperties ?? v?.params?.missingProperty;
  const first = (x: unknown) => (Array.isArray(x) ? String(x[0]) : x ? String(x) : undefined);
  const parameter = fromPath ?? first(extra) ?? first(missing) ?? 'unknown';
  const where = error.validationContext === 'params' ? 'path parameter' : 'query parameter';
  const what = extra ? 'is not a known parameter' : (v?.message ?? 'is invalid');
  return {
    statusCode: 400,
    error: 'Bad Request',
    message: `${where} '${parameter}' ${what}`,
    parameter,
  };
}

export function createDashboard(o: DashboardOptions): Dashboard {
  const log = o.log ?? ((l: string) => console.error(l));
  const clock = o.clock ?? Date.now;
  const app = Fastify({ logger: false, forceCloseConnections: true });
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  let live: ReturnType<typeof attachLive> | undefined;
  const liveStats = () =>
    live?.stats() ?? { clients: 0, sentFrames: 0, dropped: 0, refused: 0, discardedEvents: 0 };
  const metrics = createDashboardMetrics(o.source, liveStats, o.metrics);
  const startedMs = clock();
  let assets = new Map<string, BuiltAsset>();
  const extraOrigins = (o.allowOrigins ?? []).map(normalizeOrigin); // a typo fails here, at setup
  if (o.token !== undefined && o.token.length < 16) {
    throw new Error('dashboard token: use at least 16 characters (e.g. openssl rand -hex 16)');
  }

  const rate = o.rateLimit === undefined ? DEFAULT_RATE_LIMIT : o.rateLimit;
  if (rate) {
    // [bound] each client address gets `max` requests per window; more answer 429
    app.register(fastifyRateLimit, { max: rate.max, timeWindow: rate.timeWindowMs });
  }
  const token = o.token;
  if (token !== undefined) {
    app.addHook('onRequest', async (req, reply) => {
      const path = req.url.split('?')[0] ?? '';
      if (!needsToken(path) || tokenMatches(presentedToken(req.headers), token)) return;
      return reply.code(401).header('www-authenticate', 'Bearer').send({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'this dashboard needs its observer token: Authorization: Bearer <token>',
      });
    });
  }

  app.setErrorHandler((error: FastifyError, _req, reply) => {
    if (error.validation) return reply.code(400).send(validationReply(error));
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) log(`dashboard: ${error.message}`);
    return reply.code(status).send({
      statusCode: status,
      error: status === 500 ? 'Internal Server Error' : (error.code ?? 'Error'),
      message: status === 500 ? 'internal error (see the server log)' : error.message,
    });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({
      statusCode: 404,
      error: 'Not Found',
      message: `no route ${req.method} ${req.url.split('?')[0]}: see /openapi.json`,
    }),
  );

  // Registered now, loaded by fastify at ready(): `app.inject()` works without start().
  app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'OpenPhase dashboard API',
        version: '1',
        description:
          'Intersections, signal state and counts history; live feed at /live (WebSocket).',
      },
    },
  });
  app.register(apiRoutes, {
    source: o.source,
    store: o.store ?? 'embedded',
    liveClients: () => liveStats().clients,
    metricsText: () => metrics.text(),
    clock,
    startedMs,
    log,
    simulated: o.simulated === true,
    timeZone: o.timeZone ?? DEFAULT_TIME_ZONE,
    ...(o.measures ? { measures: o.measures } : {}),
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/build/:file', { schema: { hide: true } }, async (req, reply) => {
    const asset = assets.get(req.url.split('?')[0] ?? '');
    if (!asset)
      return reply
        .code(404)
        .send({ statusCode: 404, error: 'Not Found', message: 'no such asset' });
    return reply
      .type(asset.type)
      .header('cache-control', 'no-cache')
      .send(Buffer.from(asset.contents));
  });
  app.register(fastifyStatic, { root: PUBLIC_DIR, index: 'index.html', wildcard: false });

  let starting: Promise<{ port: number; url: string }> | undefined;
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      await starting?.catch(() => undefined);
      live?.close();
      await app.close();
    })();
    return closing;
  };

  return {
    app,
    start() {
      starting ??= (async () => {
        if (o.page !== false) assets = await buildWeb();
        await app.ready();
        const server = app.server;
        // Registered first: a refused upgrade is closed before /live or /mqtt see it (ws
        // completes no handshake on a destroyed socket).
        let allowed = new Set<string>();
        server.prependListener('upgrade', (req, socket: Duplex) => {
          const path = new URL(req.url ?? '/', 'http://localhost').pathname;
          const origin = req.headers.origin;
          let refusal: string | undefined;
          if (!originAllowed(origin, allowed)) refusal = '403 Forbidden';
          else if (
            token !== undefined &&
            path === '/live' &&
            !tokenMatches(presentedToken(req.headers), token)
          )
            refusal = '401 Unauthorized';
          if (!refusal) return;
          if (refusal.startsWith('403'))
            log(`dashboard: refused a WebSocket to ${path} from origin ${origin}`);
          socket.end(`HTTP/1.1 ${refusal}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
          socket.destroy();
        });
        live = attachLive(server, o.source, o.live);
        o.broker?.attachWebSocket(server, '/mqtt');
        // an upgrade nobody above claimed: close it instead of leaving it hanging
        server.on('upgrade', (req, socket: Duplex) => {
          const path = new URL(req.url ?? '/', 'http://localhost').pathname;
          if (path !== '/live' && !(o.broker && path === '/mqtt')) socket.destroy();
        });
        await app.listen({ host: o.host ?? '127.0.0.1', port: o.port });
        const port = (server.address() as AddressInfo).port;
        allowed = servedOrigins(o.host ?? '127.0.0.1', port, extraOrigins);
        const shown =
          o.host === '0.0.0.0' || o.host === '::' ? '127.0.0.1' : (o.host ?? '127.0.0.1');
        return { port, url: `http://${shown}:${port}/` };
      })();
      return starting;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
