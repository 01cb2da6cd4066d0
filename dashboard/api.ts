/**
 * The HTTP API routes (a fastify plugin): intersections, one intersection, its counts history,
 * health, Prometheus metrics. Tested through `app.inject()` without a socket.
 */

import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyPluginAsync } from 'fastify';
import { computeMeasures } from '../measures/index.ts';
import type { MeasuresReader } from '../measures/read/index.ts';
import { zoneOf } from '../protocol/index.ts';
import { parseMeasuresRange, parseRange } from './query.ts';
import {
  CountsQuerystring,
  CountsReply,
  ErrorReply,
  Health,
  IdParams,
  IntersectionDetail,
  IntersectionList,
  MeasuresQuerystring,
  MeasuresReply,
} from './schemas.ts';
import type { DashboardSource, IntersectionState } from './source.ts';

export interface ApiOptions {
  source: DashboardSource;
  /** name of the counts store, shown in replies: `influx-v1`, `embedded`, … */
  store: string;
  liveClients: () => number;
  metricsText: () => Promise<string>;
  /** wall clock, epoch ms */
  clock: () => number;
  startedMs: number;
  log: (line: string) => void;
  /** the city and its clock are simulated (the demo): the page says so */
  simulated?: boolean;
  /** the deployment's IANA zone: the page shows times in it (an intersection's own zone wins) */
  timeZone: string;
  /** reads the stored actuations, counts and signal history for the measures (absent: 503) */
  measures?: MeasuresReader;
}

const notFound = (id: string) => ({
  statusCode: 404,
  error: 'Not Found',
  message: `no intersection '${id}': GET /api/intersections lists the known ones`,
});

function allOnline(s: IntersectionState): boolean {
  return Object.values(s.devices).every((d) => d.online);
}

export const apiRoutes: FastifyPluginAsync<ApiOptions> = async (fastify, o) => {
  const { source } = o;
  const typed = fastify.withTypeProvider<TypeBoxTypeProvider>();

  typed.get(
    '/api/intersections',
    {
      schema: {
        summary: 'every known intersection with its current phase',
        tags: ['intersections'],
        response: { 200: IntersectionList },
      },
    },
    async () => {
      const intersections = source.ids().flatMap((id) => {
        const s = source.get(id);
        if (!s) return [];
        return [
          {
            id,
            ...(s.config?.name ? { name: s.config.name } : {}),
            approaches: Object.keys(s.config?.approaches ?? {}),
            ...(s.signal
              ? {
                  phase: s.signal.phase,
                  interval: s.signal.interval,
                  controller: s.signal.controller,
                }
              : {}),
            online: allOnline(s),
            ...(s.lastSignalMs !== undefined ? { lastSignalMs: s.lastSignalMs } : {}),
            ...(s.lastCountsMs !== undefined ? { lastCountsMs: s.lastCountsMs } : {}),
          },
        ];
      });
      const latestMs = source.latestMs();
      return {
        intersections,
        ...(latestMs !== undefined ? { latestMs } : {}),
        ...(o.simulated ? { simulated: true } : {}),
        timeZone: o.timeZone,
      };
    },
  );

  typed.get(
    '/api/intersections/:id',
    {
      schema: {
        summary: 'one intersection: config, current signal state, latest counts, queues',
        tags: ['intersections'],
        params: IdParams,
        response: { 200: IntersectionDetail, 404: ErrorReply, 400: ErrorReply },
      },
    },
    async (req, reply) => {
      const s = source.get(req.params.id);
      if (!s) return reply.code(404).send(notFound(req.params.id));
      return { ...s, config: s.config ?? null, signal: s.signal ?? null };
    },
  );

  typed.get(
    '/api/intersections/:id/counts',
    {
      schema: {
        summary: 'vehicles counted per approach and time bucket, from the store',
        description:
          'Sums of `count` per approach, from InfluxDB when configured, else the embedded store.',
        tags: ['intersections'],
        params: IdParams,
        querystring: CountsQuerystring,
        response: { 200: CountsReply, 400: ErrorReply, 404: ErrorReply, 503: ErrorReply },
      },
    },
    async (req, reply) => {
      const s = source.get(req.params.id);
      if (!s) return reply.code(404).send(notFound(req.params.id));
      const range = parseRange(req.query, s.lastCountsMs ?? source.latestMs() ?? o.clock());
      if (!range.ok) {
        return reply.code(400).send({
          statusCode: 400,
          error: 'Bad Request',
          message: range.message,
          parameter: range.parameter,
        });
      }
      let rows: Awaited<ReturnType<typeof source.reader.queryCounts>>;
      try {
        rows = await source.reader.queryCounts({
          intersection: req.params.id,
          fromMs: range.fromMs,
          toMs: range.toMs,
          everyMs: range.everyMs,
        });
      } catch (e) {
        // the detail goes to the log only: a store error may carry its URL or user
        o.log(`dashboard: counts query failed: ${(e as Error).message}`);
        return reply.code(503).send({
          statusCode: 503,
          error: 'Service Unavailable',
          message: `the counts store (${o.store}) did not answer; try again`,
        });
      }
      return {
        intersection: req.params.id,
        from: range.fromMs,
        to: range.toMs,
        every: range.everyMs,
        source: o.store,
        rows,
      };
    },
  );

  typed.get(
    '/api/intersections/:id/measures',
    {
      schema: {
        summary: 'ATSPM measures of one intersection from the store (docs/measures.md)',
        description:
          'Approach volume, arrivals on green, platoon ratio, approach delay, split failures, yellow and red actuations, phase termination and the Purdue coordination diagram data, in bins of local time.',
        tags: ['intersections'],
        params: IdParams,
        querystring: MeasuresQuerystring,
        response: { 200: MeasuresReply, 400: ErrorReply, 404: ErrorReply, 503: ErrorReply },
      },
    },
    async (req, reply) => {
      const s = source.get(req.params.id);
      if (!s) return reply.code(404).send(notFound(req.params.id));
      const unavailable = (message: string) =>
        reply.code(503).send({ statusCode: 503, error: 'Service Unavailable', message });
      if (!s.config)
        return unavailable(
          `no config known for '${req.params.id}' yet: the measures need its phases and detectors`,
        );
      if (!o.measures)
        return unavailable('no store to read the measures from (start the dashboard with a store)');
      const range = parseMeasuresRange(req.query, s.lastCountsMs ?? source.latestMs() ?? o.clock());
      if (!range.ok) {
        return reply.code(400).send({
          statusCode: 400,
          error: 'Bad Request',
          message: range.message,
          parameter: range.parameter,
        });
      }
      try {
        const data = await o.measures.read({
          intersection: req.params.id,
          fromMs: range.fromMs,
          toMs: range.toMs,
        });
        const m = computeMeasures(s.config, data, {
          fromMs: range.fromMs,
          toMs: range.toMs,
          binMs: range.binMs,
          timeZone: zoneOf(s.config.timeZone, o.timeZone),
        });
        return { ...m, source: o.store };
      } catch (e) {
        // the detail goes to the log only: a store error may carry its URL or user
        o.log(`dashboard: measures query failed: ${(e as Error).message}`);
        return unavailable(`the store (${o.store}) did not answer; try again`);
      }
    },
  );

  typed.get(
    '/api/health',
    {
      schema: { summary: 'liveness and counters', tags: ['operations'], response: { 200: Health } },
    },
    async () => {
      const latestMs = source.latestMs();
      return {
        status: source.connected() ? ('ok' as const) : ('degraded' as const),
        mqtt: source.connected(),
        intersections: source.ids().length,
        liveClients: o.liveClients(),
        uptimeS: Math.round((o.clock() - o.startedMs) / 100) / 10,
        ...(latestMs !== undefined ? { latestMs } : {}),
        counters: source.counters(),
      };
    },
  );

  typed.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics (text format)', tags: ['operations'] } },
    async (_req, reply) => {
      reply.type('text/plain; version=0.0.4; charset=utf-8');
      return o.metricsText();
    },
  );
};
