/** Scenario file schema (YAML or JSON). Format documented in docs/scenarios.md. */
import Type from 'typebox';
import { Drivers } from './drivers.ts';
import { IntersectionConfig } from './intersection-schema.ts';
import { Id, Movement, SCHEMA_BASE_URI } from './messages.ts';

// The intersection shape without its $id: a validator that loads both published files would
// otherwise see two resources with one $id and refuse them as ambiguous.
const IntersectionEntry = Type.Object(IntersectionConfig.properties, {
  additionalProperties: false,
  description: 'one intersection, the same shape as intersection.schema.json',
});

const Flow = Type.Union(
  [
    Type.Number({ minimum: 0, maximum: 10_000, description: 'constant flow, veh/h' }),
    Type.Array(
      Type.Tuple([
        Type.Number({ minimum: 0, description: 'time since start, seconds' }),
        Type.Number({ minimum: 0, maximum: 10_000, description: 'flow at that time, veh/h' }),
      ]),
      { minItems: 1, maxItems: 1000, description: 'piecewise-linear profile [[tS, vph], …]' },
    ),
  ],
  { description: 'flow in veh/h: a constant, or a piecewise-linear profile [[tS, vph], …]' },
);

/** The seed of a run when neither the scenario nor the caller gives one. */
export const DEFAULT_SEED = 1;

export const FAULT_KINDS = [
  'stuck-on',
  'stuck-off',
  'dropout',
  'noise',
  'duplicate',
  'late',
] as const;

const Clock = (description: string) =>
  Type.String({ pattern: '^([01][0-9]|2[0-4]):[0-5][0-9]$', description });
const DateText = Type.String({
  pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
  description: 'YYYY-MM-DD',
});

/** Where a scenario built from stored data came from (`openphase scenario from-store`). */
export const ScenarioOrigin = Type.Object(
  {
    source: Type.Literal('store', { description: 'built from what a collector stored' }),
    store: Type.String({
      maxLength: 300,
      description: 'the store read, without credentials (e.g. influx-v1 http://host:8086 db=x)',
    }),
    intersections: Type.Array(Id('intersection id'), {
      maxItems: 10_000,
      description: 'the intersections it holds',
    }),
    days: Type.Array(DateText, {
      minItems: 1,
      maxItems: 366,
      description: 'the days the demand comes from (their mean when several)',
    }),
    timeZone: Type.String({ maxLength: 64, description: 'the zone days and bins are counted in' }),
    binS: Type.Number({ minimum: 1, maximum: 86_400, description: 'demand bin length, seconds' }),
    hours: Type.Optional(
      Type.String({
        pattern: '^[0-9]{2}:[0-9]{2}-[0-9]{2}:[0-9]{2}$',
        description: 'the time-of-day window of those days, HH:MM-HH:MM (00:00-24:00: whole days)',
      }),
    ),
    coverage: Type.Number({
      minimum: 0,
      maximum: 1,
      description: "share of the used detectors' time on those days covered by stored counts",
    }),
    gaps: Type.Optional(
      Type.Array(
        Type.Object(
          {
            intersection: Id('intersection id'),
            detector: Id('detector id'),
            date: DateText,
            from: Clock('local time, inclusive'),
            to: Clock('local time, exclusive'),
            how: Type.Union([Type.Literal('filled'), Type.Literal('interpolated')], {
              description:
                'filled: mean of the same bins on `fromDays`; interpolated: from the nearest covered bins of the day',
            }),
            fromDays: Type.Array(DateText, {
              maxItems: 366,
              description: 'the days whose same bins filled it',
            }),
          },
          { additionalProperties: false, description: 'a stretch of missing counts and its fill' },
        ),
        { maxItems: 1000, description: 'missing counts and how they were filled' },
      ),
    ),
    saturated: Type.Optional(
      Type.Array(
        Type.Object(
          {
            intersection: Id('intersection id'),
            laneGroup: Type.String({ maxLength: 100, description: 'the lane group id' }),
            date: DateText,
            from: Clock('local time, inclusive'),
            to: Clock('local time, exclusive'),
            dischargeVph: Type.Number({ minimum: 0, description: 'discharge capacity, veh/h' }),
            countedVeh: Type.Number({ minimum: 0, description: 'vehicles the stop bar counted' }),
            arrivalsVeh: Type.Number({ minimum: 0, description: 'vehicles estimated to arrive' }),
            lowerBound: Type.Boolean({
              description: 'the stretch reaches the end of the data: arrivals are at least this',
            }),
          },
          {
            additionalProperties: false,
            description: 'stop-bar counts at discharge capacity, and the arrivals estimated behind',
          },
        ),
        { maxItems: 1000, description: 'stop bars found at discharge capacity' },
      ),
    ),
    notes: Type.Optional(
      Type.Array(Type.String({ maxLength: 500, description: 'one note' }), {
        maxItems: 1000,
        description: 'assumptions and movements without data, in plain words',
      }),
    ),
  },
  { additionalProperties: false, description: 'where a scenario built from stored data came from' },
);

export const Scenario = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, description: 'scenario name' }),
    description: Type.Optional(
      Type.String({ maxLength: 2000, description: 'what it tests, in plain words' }),
    ),
    seed: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 2 ** 31 - 1,
        description: `default random seed (--seed overrides it); ${DEFAULT_SEED} when neither gives one`,
      }),
    ),
    durationS: Type.Number({
      minimum: 1,
      maximum: 7 * 86400,
      description: 'simulated duration, seconds',
    }),
    stepS: Type.Optional(
      Type.Number({
        minimum: 0.1,
        maximum: 10,
        description: 'simulation step (and lockstep tick), seconds; default 1',
      }),
    ),
    countIntervalS: Type.Optional(
      Type.Number({
        minimum: 0.1,
        maximum: 900,
        description: 'sensor counts interval, seconds; default stepS',
      }),
    ),
    startAtMs: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          'simulated epoch ms at t=0 (lockstep and fast runs); default 2026-01-01T00:00Z',
      }),
    ),
    arrivals: Type.Optional(
      Type.Union([Type.Literal('poisson'), Type.Literal('uniform')], {
        description:
          'arrival process: poisson (random) or uniform (deterministic headways); default poisson',
      }),
    ),
    saturationFlowVphpl: Type.Optional(
      Type.Number({
        minimum: 100,
        maximum: 3000,
        description: 'discharge rate per lane in effective green, veh/h/lane; default 1800',
      }),
    ),
    drivers: Type.Optional(Drivers),
    startupLostS: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 10,
        description: 'older spelling of drivers.startUpLostS (drivers wins when both are set)',
      }),
    ),
    yellowUnusedS: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 6,
        description:
          'older convention: seconds of the yellow not used (drivers.yellowUsedS wins when both are set)',
      }),
    ),
    freeFlowSpeedKmh: Type.Optional(
      Type.Number({
        minimum: 5,
        maximum: 130,
        description: 'free-flow speed on approaches, km/h; default 50',
      }),
    ),
    intersections: Type.Array(IntersectionEntry, {
      minItems: 1,
      maxItems: 10_000,
      description: 'the intersections (the same shape as the config message)',
    }),
    demand: Type.Array(
      Type.Object(
        {
          intersection: Id('intersection id'),
          movement: Movement('movement that receives the flow, e.g. N-through'),
          flowVph: Flow,
        },
        { additionalProperties: false, description: 'external demand on one movement' },
      ),
      { maxItems: 100_000, description: 'external demand entering the network' },
    ),
    links: Type.Optional(
      Type.Array(
        Type.Object(
          {
            from: Id('upstream intersection'),
            exit: Type.String({
              pattern: '^[A-Za-z0-9_]{1,32}$',
              description: 'leg of `from` the vehicles leave by',
            }),
            to: Id('downstream intersection'),
            entry: Type.String({
              pattern: '^[A-Za-z0-9_]{1,32}$',
              description: 'approach of `to` they arrive on',
            }),
            travelS: Type.Number({
              minimum: 0,
              maximum: 3600,
              description: 'travel time between the two, seconds',
            }),
            storageVeh: Type.Optional(
              Type.Integer({
                minimum: 1,
                maximum: 10_000,
                description: 'vehicles the link holds before spillback blocks upstream discharge',
              }),
            ),
            turning: Type.Optional(
              Type.Object(
                {
                  left: Type.Optional(
                    Type.Number({ minimum: 0, maximum: 1, description: 'share turning left' }),
                  ),
                  through: Type.Optional(
                    Type.Number({ minimum: 0, maximum: 1, description: 'share going through' }),
                  ),
                  right: Type.Optional(
                    Type.Number({ minimum: 0, maximum: 1, description: 'share turning right' }),
                  ),
                },
                {
                  additionalProperties: false,
                  description: 'turning shares at `to` of the arriving vehicles',
                },
              ),
            ),
          },
          { additionalProperties: false, description: 'a road from one intersection to the next' },
        ),
        { maxItems: 100_000, description: 'links of corridors and grids' },
      ),
    ),
    origin: Type.Optional(ScenarioOrigin),
    faults: Type.Optional(
      Type.Array(
        Type.Object(
          {
            detector: Type.String({
              pattern: '^[A-Za-z0-9_-]{1,64}/([A-Za-z0-9_-]{1,64}|\\*)$',
              description: "'intersection/detector', or 'intersection/*' for all its detectors",
            }),
            kind: Type.Enum(FAULT_KINDS, {
              description:
                'stuck-on, stuck-off, dropout (no messages), noise (± error), duplicate or late delivery',
            }),
            fromS: Type.Number({ minimum: 0, description: 'fault starts, seconds since start' }),
            toS: Type.Number({ minimum: 0, description: 'fault ends, seconds since start' }),
            magnitude: Type.Optional(
              Type.Number({
                minimum: 0,
                maximum: 100,
                description: 'noise: max relative error (0.3 = ±30%); late: delay in seconds',
              }),
            ),
          },
          { additionalProperties: false, description: 'a scheduled detector fault' },
        ),
        { maxItems: 10_000, description: 'scheduled detector faults' },
      ),
    ),
  },
  {
    additionalProperties: false,
    $id: `${SCHEMA_BASE_URI}/scenario.schema.json`,
    title: 'Scenario',
    description: 'A simulation scenario: intersections, demand, links and faults. YAML or JSON.',
    examples: [
      {
        name: 'single-two-phase',
        seed: 7,
        durationS: 3600,
        stepS: 1,
        arrivals: 'poisson',
        saturationFlowVphpl: 1800,
        drivers: { yellowUsedS: 2, startUpLostS: 2, advanceOcclusion: true },
        intersections: [
          {
            id: 'a',
            approaches: { N: { lanes: 1 }, S: { lanes: 1 }, E: { lanes: 1 }, W: { lanes: 1 } },
            phases: [
              { id: 'ns', movements: ['N-through', 'S-through'], minGreenS: 5, maxGreenS: 60 },
              { id: 'ew', movements: ['E-through', 'W-through'], minGreenS: 5, maxGreenS: 60 },
            ],
            yellowS: 3,
            allRedS: 1,
            plan: { cycleS: 60, greenS: { ns: 25, ew: 27 } },
          },
        ],
        demand: [
          { intersection: 'a', movement: 'N-through', flowVph: 500 },
          {
            intersection: 'a',
            movement: 'E-through',
            flowVph: [
              [0, 300],
              [1800, 900],
              [3600, 300],
            ],
          },
        ],
      },
    ],
  },
);

export type Scenario = Type.Static<typeof Scenario>;
export type ScenarioOrigin = Type.Static<typeof ScenarioOrigin>;
export type FaultKind = (typeof FAULT_KINDS)[number];
