/**
 * Intersection config schema: the description a signal publishes retained on
 * `{root}/v1/{intersection}/config` (discovery), also the `intersections[]` of a scenario.
 * Geometry checks that JSON Schema cannot express live in `intersection.ts`.
 */
import Type from 'typebox';
import { ID_PATTERN } from './ids.ts';
import { Id, Movement, SCHEMA_BASE_URI } from './messages.ts';

/** Day types a plan schedule names (protocol/plan-schedule.ts resolves them to dates). */
export const DAY_TYPES = [
  'mon',
  'tue',
  'wed',
  'thu',
  'fri',
  'sat',
  'sun',
  'weekday',
  'weekend',
  'daily',
  'holiday',
] as const;
export type DayType = (typeof DAY_TYPES)[number];

const LaneCount = (description: string) => Type.Integer({ minimum: 1, maximum: 8, description });

export const Approach = Type.Object(
  {
    lanes: Type.Union(
      [
        LaneCount('lanes shared by every movement of this approach that some phase serves'),
        Type.Object(
          {
            left: Type.Optional(LaneCount('exclusive left-turn lanes')),
            through: Type.Optional(LaneCount('exclusive through lanes')),
            right: Type.Optional(LaneCount('exclusive right-turn lanes')),
          },
          { additionalProperties: false, description: 'lanes per movement (exclusive lanes)' },
        ),
      ],
      { description: 'number of lanes, shared, or per movement' },
    ),
    bearingDeg: Type.Optional(
      Type.Number({
        minimum: 0,
        exclusiveMaximum: 360,
        description:
          'compass position of the approach leg (N=0, E=90, S=180, W=270); required for names other than N, NE, E, SE, S, SW, W, NW',
      }),
    ),
    lengthM: Type.Optional(
      Type.Number({
        minimum: 10,
        maximum: 5000,
        description: 'length of the approach (storage), metres',
      }),
    ),
  },
  { additionalProperties: false, description: 'one approach (leg) of the intersection' },
);

export const Phase = Type.Object(
  {
    id: Id('phase id, used in decisions and signal messages'),
    movements: Type.Array(Movement('a movement served green in this phase'), {
      minItems: 1,
      maxItems: 32,
      description: 'movements green together in this phase, e.g. N-through',
    }),
    permissive: Type.Optional(
      Type.Array(Movement('a turn served permissively (yields to opposing traffic)'), {
        maxItems: 16,
        description: 'movements of this phase that run permissive, not protected',
      }),
    ),
    minGreenS: Type.Number({ minimum: 1, maximum: 120, description: 'minimum green, seconds' }),
    maxGreenS: Type.Number({ minimum: 1, maximum: 600, description: 'maximum green, seconds' }),
  },
  { additionalProperties: false, description: 'one phase (stage): movements green together' },
);

export const Detector = Type.Object(
  {
    id: Id('detector id, unique within the intersection'),
    movements: Type.Array(Movement('a movement the detector measures'), {
      minItems: 1,
      maxItems: 8,
      description: 'the movements (lane group) whose vehicles cross this detector',
    }),
    kind: Type.Union([Type.Literal('stop-bar'), Type.Literal('advance')], {
      description: 'stop-bar (presence at the line) or advance (upstream, counts arrivals)',
    }),
    distanceM: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1000,
        description: 'distance upstream of the stop bar, metres',
      }),
    ),
    sensor: Type.Optional(Id('the sensor device that reports this detector')),
  },
  { additionalProperties: false, description: 'one vehicle detector' },
);

export const Plan = Type.Object(
  {
    cycleS: Type.Number({ minimum: 10, maximum: 600, description: 'cycle length, seconds' }),
    greenS: Type.Record(
      Type.String(),
      Type.Number({ minimum: 0, maximum: 600, description: 'green of that phase, seconds' }),
      {
        description: 'green time per phase id, seconds; phases are served in the listed order',
      },
    ),
    offsetS: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 600,
        description: 'cycle offset for coordination, seconds',
      }),
    ),
  },
  { additionalProperties: false, description: 'a fixed-time plan' },
);

export const ScheduleEntry = Type.Object(
  {
    days: Type.Array(
      Type.Enum(DAY_TYPES, {
        description:
          'mon … sun, weekday (Mon-Fri), weekend (Sat, Sun), daily, or holiday (the dates in holidays)',
      }),
      { minItems: 1, maxItems: 11, description: 'the day types this entry applies on' },
    ),
    from: Type.String({
      pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
      description: 'local wall-clock time the plan starts, HH:MM (in timeZone)',
    }),
    plan: Id('the plan id in plans'),
  },
  {
    additionalProperties: false,
    description: 'one schedule entry: from this local time on these days, run this plan',
  },
);

export const IntersectionConfig = Type.Object(
  {
    v: Type.Optional(Type.Literal(1, { description: 'protocol version, always 1 in v1' })),
    id: Id('intersection id'),
    name: Type.Optional(
      Type.String({ maxLength: 200, description: 'human name, e.g. Main St & 1st Ave' }),
    ),
    location: Type.Optional(
      Type.Object(
        {
          lat: Type.Number({ minimum: -90, maximum: 90, description: 'latitude, WGS84' }),
          lon: Type.Number({ minimum: -180, maximum: 180, description: 'longitude, WGS84' }),
        },
        { additionalProperties: false, description: 'where the intersection is' },
      ),
    ),
    approaches: Type.Record(Type.String({ pattern: '^[A-Za-z0-9_]{1,32}$' }), Approach, {
      description: 'approaches by name (N, E, S, W by default)',
      minProperties: 1,
      maxProperties: 8,
    }),
    phases: Type.Array(Phase, {
      minItems: 1,
      maxItems: 16,
      description: 'the phases, in service order',
    }),
    yellowS: Type.Number({
      minimum: 3,
      maximum: 6,
      description: 'yellow change interval, seconds (MUTCD practice: 3-6)',
    }),
    allRedS: Type.Number({
      minimum: 0,
      maximum: 6,
      description: 'all-red clearance, seconds (0-6)',
    }),
    detectors: Type.Optional(
      Type.Array(Detector, {
        maxItems: 256,
        description: 'detectors; default: one stop-bar and one advance detector per lane group',
      }),
    ),
    plan: Type.Optional(Plan),
    timeZone: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description:
          'IANA time zone of the local times in schedule and holidays, e.g. Europe/Paris (default UTC, or the deployment zone)',
      }),
    ),
    plans: Type.Optional(
      Type.Record(Type.String({ pattern: ID_PATTERN }), Plan, {
        maxProperties: 32,
        description: 'named fixed-time plans the schedule chooses from, by plan id',
      }),
    ),
    schedule: Type.Optional(
      Type.Array(ScheduleEntry, {
        maxItems: 256,
        description:
          'time-of-day plan schedule: the entry with the latest start not after the local time is in force (until the next one); none: plan',
      }),
    ),
    holidays: Type.Optional(
      Type.Array(
        Type.String({
          pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$',
          description: 'a local date, YYYY-MM-DD',
        }),
        {
          maxItems: 400,
          description: "local dates that run the schedule's holiday entries",
        },
      ),
    ),
    watchdogS: Type.Optional(
      Type.Number({
        minimum: 1,
        maximum: 600,
        description:
          'seconds without a valid decision before the fallback plan takes over (default 10)',
      }),
    ),
  },
  {
    additionalProperties: false,
    $id: `${SCHEMA_BASE_URI}/intersection.schema.json`,
    title: 'Intersection config',
    description:
      'Approaches, phases, clearance and detectors of one intersection. Topic {root}/v1/{intersection}/config, QoS 1, retained.',
    examples: [
      {
        v: 1,
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
  },
);

export type Approach = Type.Static<typeof Approach>;
export type Phase = Type.Static<typeof Phase>;
export type Detector = Type.Static<typeof Detector>;
export type Plan = Type.Static<typeof Plan>;
export type ScheduleEntry = Type.Static<typeof ScheduleEntry>;
export type IntersectionConfig = Type.Static<typeof IntersectionConfig>;
