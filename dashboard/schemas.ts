/**
 * The HTTP API's schemas, built from the protocol's (one source): they type the routes through
 * the TypeBox type provider, validate requests, shape responses and feed the OpenAPI document.
 */
import Type from 'typebox';
import {
  Counts,
  ID_PATTERN,
  INTERVALS,
  IntersectionConfig,
  SIGNAL_OVERRIDE_KINDS,
  Signal,
} from '../protocol/index.ts';

/**
 * A protocol schema for embedding in a route: without `$id` and `examples`, so one schema can
 * appear in several routes and responses. The static type stays the protocol's.
 */
function inline<T>(schema: T): T {
  return JSON.parse(
    JSON.stringify(schema, (k, v) => (k === '$id' || k === 'examples' ? undefined : v)),
  ) as T;
}

export const ConfigSchema = inline(IntersectionConfig);
export const SignalSchema = inline(Signal);
export const CountsSchema = inline(Counts);

export const ErrorReply = Type.Object(
  {
    statusCode: Type.Integer(),
    error: Type.String(),
    message: Type.String({ description: 'what is wrong, in plain words' }),
    parameter: Type.Optional(Type.String({ description: 'the bad parameter, for a 400' })),
  },
  { description: 'an error' },
);

export const IdParams = Type.Object(
  { id: Type.String({ pattern: ID_PATTERN, description: 'intersection id' }) },
  { additionalProperties: false },
);

export const CountsQuerystring = Type.Object(
  {
    from: Type.Optional(
      Type.String({ description: 'start, epoch ms or ISO 8601 (inclusive); default to − 15 min' }),
    ),
    to: Type.Optional(
      Type.String({
        description: 'end, epoch ms or ISO 8601 (exclusive); default the newest counts received',
      }),
    ),
    every: Type.Optional(
      Type.String({ description: 'bucket width: ms, or 10s, 1m, 1h; default ≤ 180 buckets' }),
    ),
  },
  { additionalProperties: false },
);

export const MeasuresQuerystring = Type.Object(
  {
    from: Type.Optional(
      Type.String({ description: 'start, epoch ms or ISO 8601 (inclusive); default to − 1 h' }),
    ),
    to: Type.Optional(
      Type.String({
        description: 'end, epoch ms or ISO 8601 (exclusive); default the newest counts received',
      }),
    ),
    bin: Type.Optional(
      Type.String({ description: 'bin length in whole minutes: 15m (default), 30m, 1h' }),
    ),
  },
  { additionalProperties: false },
);

/** The measures as `openphase measures --json` prints them (docs/measures.md). */
export const MeasuresReply = Type.Object(
  {
    intersection: Type.String(),
    fromMs: Type.Integer(),
    toMs: Type.Integer(),
    timeZone: Type.String({ description: 'IANA zone of the bins' }),
    binMs: Type.Integer(),
    approaches: Type.Array(Type.Unknown(), { description: 'approach volumes, in all and per bin' }),
    laneGroups: Type.Array(Type.Unknown(), {
      description:
        'per lane group: volume, arrivals on green, platoon ratio, delay, split failures, yellow and red actuations, per bin, and the coordination diagram data',
    }),
    phases: Type.Array(Type.Unknown(), { description: 'phase termination per phase' }),
    notes: Type.Array(Type.String(), { description: 'what the data lacked, in plain words' }),
    source: Type.String({ description: 'the store read' }),
  },
  { additionalProperties: false },
);

const Counter = Type.Integer({ minimum: 0 });
const Timeline = Type.Array(
  Type.Object({
    t: Type.Integer({ description: 'epoch ms the interval started' }),
    phase: Type.String(),
    interval: Type.Enum(INTERVALS),
  }),
  { description: 'recent phase intervals, oldest first' },
);

export const IntersectionSummary = Type.Object({
  id: Type.String(),
  name: Type.Optional(Type.String()),
  approaches: Type.Array(Type.String(), { description: 'approach names from the config' }),
  phase: Type.Optional(Type.String()),
  interval: Type.Optional(Type.Enum(INTERVALS)),
  controller: Type.Optional(Type.String()),
  online: Type.Boolean({ description: 'every device that announced itself is online' }),
  lastSignalMs: Type.Optional(Type.Integer()),
  lastCountsMs: Type.Optional(Type.Integer()),
});

export const IntersectionList = Type.Object({
  intersections: Type.Array(IntersectionSummary),
  latestMs: Type.Optional(Type.Integer({ description: 'newest data time seen, epoch ms' })),
  simulated: Type.Optional(
    Type.Boolean({
      description: 'true when the city and its clock come from the simulator (demo)',
    }),
  ),
  timeZone: Type.Optional(
    Type.String({
      description:
        "the deployment's IANA time zone for times shown (an intersection's config timeZone wins), e.g. Europe/Paris",
    }),
  ),
});

export const IntersectionDetail = Type.Object({
  id: Type.String(),
  config: Type.Union([ConfigSchema, Type.Null()], { description: 'the retained config' }),
  signal: Type.Union([SignalSchema, Type.Null()], { description: 'the current signal state' }),
  counts: Type.Record(Type.String(), CountsSchema, {
    description: 'the latest counts message of each sensor',
  }),
  lastCounts: Type.Record(Type.String(), Type.Number(), {
    description: 'vehicles in the last interval, per approach',
  }),
  queues: Type.Record(Type.String(), Type.Number(), {
    description: 'estimated vehicles queued, per approach',
  }),
  timeline: Timeline,
  devices: Type.Record(
    Type.String(),
    Type.Object({
      online: Type.Boolean(),
      role: Type.Optional(Type.String()),
      atMs: Type.Integer(),
    }),
  ),
  overrides: Counter,
  lastSignalMs: Type.Optional(Type.Integer()),
  lastCountsMs: Type.Optional(Type.Integer()),
});

export const CountsReply = Type.Object({
  intersection: Type.String(),
  from: Type.Integer({ description: 'epoch ms, inclusive' }),
  to: Type.Integer({ description: 'epoch ms, exclusive' }),
  every: Type.Integer({ description: 'bucket width, ms' }),
  source: Type.String({ description: 'where the counts come from: influx-v1, embedded, …' }),
  rows: Type.Array(
    Type.Object({
      t: Type.Integer({ description: 'bucket start, epoch ms' }),
      approach: Type.String(),
      count: Type.Number({ description: 'vehicles counted in the bucket (all detectors)' }),
    }),
  ),
});

export const Health = Type.Object({
  status: Type.Union([Type.Literal('ok'), Type.Literal('degraded')]),
  mqtt: Type.Boolean({ description: 'connected to the broker' }),
  intersections: Counter,
  liveClients: Counter,
  uptimeS: Type.Number(),
  latestMs: Type.Optional(Type.Integer()),
  counters: Type.Object({
    overrides: Counter,
    overridesByKind: Type.Record(Type.String(), Counter, {
      description: `by kind: ${SIGNAL_OVERRIDE_KINDS.join(', ')}`,
    }),
    rejected: Counter,
    gaps: Counter,
    messages: Counter,
  }),
});
