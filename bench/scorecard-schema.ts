/**
 * The scorecard's schema: the one source for the `Scorecard` type and the published
 * `protocol/schemas/scorecard.schema.json` (`npm run schemas`). Metric leaves are generated
 * from bench/metrics.ts, so a metric added there is in the schema, the JSON and the report.
 */
import Type, { type TSchema } from 'typebox';
import { SCHEMA_BASE_URI } from '../protocol/index.ts';
import { COMPARED, METRICS, metricInfo } from './metrics.ts';

const Num = (description: string) => Type.Number({ description });
const Count = (description: string) => Type.Integer({ minimum: 0, description });

export const StatSchema = Type.Object(
  {
    mean: Num('mean over the seeds'),
    ci95: Type.Tuple([Num('lower bound'), Num('upper bound')], {
      description: '95 % confidence interval of the mean (Student t, n − 1 degrees of freedom)',
    }),
    sd: Num('sample standard deviation over the seeds'),
    min: Num('smallest value of any seed'),
    max: Num('largest value of any seed'),
  },
  { additionalProperties: false, description: 'a metric over the seeds' },
);

/** `{ meanDelayS: leaf, overrides: { minGreen: leaf, … }, … }` for every metric of METRICS. */
function metricsObject(leaf: (path: string) => TSchema, description: string) {
  const top: Record<string, TSchema> = {};
  const groups = new Map<string, Record<string, TSchema>>();
  for (const { path } of METRICS) {
    const [a, b] = path.split('.') as [string, string | undefined];
    if (b === undefined) top[a] = leaf(path);
    else {
      if (!groups.has(a)) groups.set(a, {});
      groups.get(a)![b] = leaf(path);
    }
  }
  for (const [a, props] of groups)
    top[a] = Type.Object(props, {
      additionalProperties: false,
      description: a === 'overrides' ? 'safety-monitor interventions by kind' : a,
    });
  return Type.Object(top, { additionalProperties: false, description });
}

const describeMetric = (path: string) => {
  const m = metricInfo(path);
  return `${m.label}${m.unit ? ` (${m.unit})` : ''}${m.timing ? '; wall-clock timing' : ''}`;
};

export const PairedSchema = Type.Object(
  {
    diff: Type.Object(StatSchema.properties, {
      additionalProperties: false,
      description: 'difference per seed (this − the other), with its paired-t 95 % interval',
    }),
    relative: Num('mean difference relative to the other mean (−0.18: 18 % lower)'),
    direction: Type.Union([Type.Literal('lower'), Type.Literal('higher'), Type.Literal('same')], {
      description: "'lower'/'higher' when the interval of the difference excludes 0, else 'same'",
    }),
  },
  { additionalProperties: false, description: 'a paired comparison over the same seeds' },
);

const comparedObject = (description: string) =>
  Type.Object(
    Object.fromEntries(
      COMPARED.map((p) => [
        p,
        Type.Object(PairedSchema.properties, {
          additionalProperties: false,
          description: describeMetric(p),
        }),
      ]),
    ),
    { additionalProperties: false, description },
  );

const ScenarioEntry = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, description: 'scenario name' }),
    sha256: Type.String({
      pattern: '^[0-9a-f]{64}$',
      description: 'SHA-256 of the scenario file bytes',
    }),
    source: Type.Union([Type.Literal('bundled'), Type.Literal('file'), Type.Literal('private')], {
      description: 'bundled with OpenPhase, a public file, or a private file (name and hash only)',
    }),
    durationS: Type.Optional(Num('simulated seconds per run (absent for private scenarios)')),
    intersections: Type.Optional(Count('intersections (absent for private scenarios)')),
    description: Type.Optional(
      Type.String({ maxLength: 2000, description: 'what it tests (absent for private scenarios)' }),
    ),
    origin: Type.Optional(
      Type.Object(
        {
          intersections: Type.Array(Type.String(), {
            maxItems: 4,
            description: 'the first intersections (up to 4), by display name (config `name`) or id',
          }),
          intersectionCount: Count('how many intersections'),
          days: Type.Array(Type.String(), { description: 'the days the demand comes from' }),
          hours: Type.Optional(Type.String({ description: 'time-of-day window, HH:MM-HH:MM' })),
          timeZone: Type.String({ description: 'the zone days are counted in' }),
          coverage: Num('share of detector time covered by stored counts, 0..1'),
          filledGaps: Count('stretches of missing counts filled from other days'),
        },
        {
          additionalProperties: false,
          description:
            'a scenario built from stored data (openphase scenario from-store): where from',
        },
      ),
    ),
    clean: Type.Optional(
      Type.Union([Type.Literal('faults-removed'), Type.Literal('demand-flattened')], {
        description:
          'how its clean twin was made for the degradation figures: detector faults removed, or time-varying demand replaced by its mean',
      }),
    ),
  },
  { additionalProperties: false, description: 'one scenario of the bench' },
);

export const ManifestSchema = Type.Object(
  {
    tool: Type.Literal('openphase', { description: 'the program that wrote the scorecard' }),
    version: Type.String({ description: 'OpenPhase version' }),
    protocol: Type.Literal('v1', { description: 'protocol version the controllers spoke' }),
    command: Type.Array(Type.String({ description: 'one argument' }), {
      description: 'the command line after `openphase`, to rerun it',
    }),
    controllers: Type.Array(
      Type.String({
        pattern: '^(builtin|mqtt):[A-Za-z0-9_-]{1,64}$',
        description: 'builtin:NAME or mqtt:ID',
      }),
      { minItems: 1, description: 'controllers compared, in the order given' },
    ),
    engines: Type.Array(
      Type.String({ pattern: '^[a-z0-9-]{1,32}$', description: 'an engine name (engines/all.ts)' }),
      {
        minItems: 1,
        description:
          'traffic engines every run was repeated on, the first being the reference (default openphase)',
      },
    ),
    baseline: Type.String({ description: 'the reference controller every other is paired with' }),
    labels: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^(builtin|mqtt):[A-Za-z0-9_-]{1,64}$' }),
        Type.String({ minLength: 1, maxLength: 100, description: 'display name' }),
        {
          description:
            'display names of controllers (`--label mqtt:acme="Acme SmartSignal 2.1"`), used in the report instead of the code name; built-ins without one get a name in the report’s language',
        },
      ),
    ),
    seeds: Type.Array(Type.Integer({ minimum: 0, description: 'a random seed' }), {
      minItems: 2,
      description: 'seeds every controller ran every scenario with',
    }),
    lockstep: Type.Literal(true, { description: 'every run was in lockstep' }),
    deadlineMs: Num('lockstep deadline per tick for MQTT controllers, ms'),
    durationS: Type.Union([Num('simulated seconds per run'), Type.Null()], {
      description: "the --duration override, or null (each scenario's own)",
    }),
    broker: Type.Union([Type.Literal('embedded'), Type.Literal('external'), Type.Literal('none')], {
      description: 'MQTT broker used for mqtt: controllers (none: built-ins only)',
    }),
    scenarios: Type.Array(ScenarioEntry, { description: 'scenarios, in run order' }),
    environment: Type.Object(
      {
        node: Type.String({ description: 'Node.js version' }),
        platform: Type.String({ description: 'operating system and CPU architecture' }),
      },
      { additionalProperties: false, description: 'where it ran' },
    ),
    startedAt: Type.String({ description: 'ISO 8601 start time (timing)' }),
    parallel: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          'runs under way at once at most (--parallel); changes how long the bench takes, never a result (timing)',
      }),
    ),
    wallS: Num('wall-clock seconds the whole bench took (timing)'),
  },
  { additionalProperties: false, description: 'what was run, so anyone can rerun it' },
);

const MetricValues = metricsObject(
  (p) => Type.Number({ description: describeMetric(p) }),
  'the metrics of one run',
);

export const ResultSchema = Type.Object(
  {
    engine: Type.String({ description: 'the traffic engine of these runs' }),
    controller: Type.String({ description: 'builtin:NAME or mqtt:ID' }),
    scenario: Type.String({ description: 'scenario name' }),
    seeds: Type.Array(Type.Integer({ minimum: 0, description: 'a seed' }), {
      description: 'the seeds of the runs behind these numbers',
    }),
    metrics: metricsObject(
      (p) =>
        Type.Object(StatSchema.properties, {
          additionalProperties: false,
          description: describeMetric(p),
        }),
      'every metric: mean and 95 % interval over the seeds',
    ),
    runs: Type.Array(
      Type.Object(
        {
          seed: Type.Integer({ minimum: 0, description: 'the seed' }),
          metrics: MetricValues,
        },
        { additionalProperties: false, description: 'one run, as measured' },
      ),
      { description: 'every run, so anyone can recompute the statistics' },
    ),
    vsBaseline: Type.Optional(
      comparedObject(
        'this controller against the baseline, seed by seed (absent for the baseline)',
      ),
    ),
    degradation: Type.Optional(
      Type.Object(
        {
          clean: Type.Object(
            Object.fromEntries(
              COMPARED.map((p) => [
                p,
                Type.Object(StatSchema.properties, {
                  additionalProperties: false,
                  description: describeMetric(p),
                }),
              ]),
            ),
            { additionalProperties: false, description: 'the same controller on the clean twin' },
          ),
          change: comparedObject('this scenario against its clean twin, seed by seed'),
        },
        {
          additionalProperties: false,
          description: 'how much worse the controller does with faults or a surge than without',
        },
      ),
    ),
    wallS: Num('wall-clock seconds these runs took (timing)'),
  },
  { additionalProperties: false, description: 'one controller on one scenario' },
);

export const RankingSchema = Type.Object(
  {
    engine: Type.String({ description: 'the traffic engine this ranking comes from' }),
    rank: Type.Integer({ minimum: 1, description: '1 = least delay relative to the baseline' }),
    controller: Type.String({ description: 'builtin:NAME or mqtt:ID' }),
    delayIndex: Num(
      'mean delay relative to the baseline, averaged over the scenarios (baseline = 100)',
    ),
    lowerDelay: Count('scenarios where its delay is lower than the baseline’s (interval below 0)'),
    higherDelay: Count('scenarios where its delay is higher than the baseline’s'),
    scenarios: Count('scenarios compared'),
    overrides: Num('safety interventions per run, summed over the scenarios'),
    missedDeadlines: Num('missed deadlines per run, summed over the scenarios'),
    conflictingGreens: Num('conflicting greens per run, summed over the scenarios (must be 0)'),
  },
  { additionalProperties: false, description: 'one controller in the ranking' },
);

export const QueueSeriesSchema = Type.Object(
  {
    scenario: Type.String({ description: 'the scenario charted' }),
    seed: Type.Integer({ minimum: 0, description: 'the seed charted' }),
    tS: Type.Array(Num('seconds since the start'), { description: 'sample times' }),
    byController: Type.Record(
      Type.String(),
      Type.Array(Num('vehicles queued, all approaches of all intersections')),
      { description: 'queued vehicles over time, per controller' },
    ),
  },
  { additionalProperties: false, description: 'queue over time for one scenario and seed' },
);

const Order = Type.Union([Type.Literal('a'), Type.Literal('b'), Type.Literal('tie')], {
  description: 'which of the pair had less mean delay (tie: equal)',
});

export const PairOrderSchema = Type.Object(
  {
    scenario: Type.Union([Type.String(), Type.Null()], {
      description: 'the scenario compared, or null for the overall ranking (delay index)',
    }),
    a: Type.String({ description: 'one controller' }),
    b: Type.String({ description: 'the other controller' }),
    order: Type.Record(Type.String(), Order, { description: 'the order, per engine or per value' }),
    clear: Type.Optional(
      Type.Record(Type.String(), Type.Boolean(), {
        description:
          'whether the paired 95 % interval of the delay difference excludes 0, per engine or per value',
      }),
    ),
    differs: Type.Boolean({ description: 'the order is not the same everywhere' }),
    clearlyOpposite: Type.Boolean({
      description: 'two opposite orders, each with its interval excluding 0',
    }),
  },
  { additionalProperties: false, description: 'the order of one pair of controllers' },
);

export const EngineAgreementSchema = Type.Object(
  {
    reference: Type.String({ description: 'the engine the others are compared with' }),
    byEngine: Type.Array(
      Type.Object(
        {
          engine: Type.String({ description: 'an engine compared with the reference' }),
          kendallTau: Type.Union([Num('Kendall tau-b'), Type.Null()], {
            description:
              "Kendall tau-b between the two engines' mean delays over every controller × scenario (null: fewer than 2)",
          }),
          pairsDiffering: Count('controller pairs × scenarios in a different order'),
          clearlyOpposite: Count('of those, in opposite order with both intervals excluding 0'),
        },
        { additionalProperties: false, description: 'one engine against the reference' },
      ),
      { description: 'every engine but the reference' },
    ),
    pairs: Type.Array(PairOrderSchema, {
      description: 'every controller pair, per scenario and overall, with its order per engine',
    }),
  },
  {
    additionalProperties: false,
    description: 'whether the engines rank the controllers the same way',
  },
);

export const SensitivitySchema = Type.Object(
  {
    parameter: Type.String({
      description: 'the modelling convention moved, e.g. drivers.yellowUsedS',
    }),
    engine: Type.String({ description: 'the engine the extra runs used' }),
    values: Type.Array(Num('a value of the parameter'), {
      minItems: 2,
      description: 'the ends of its field range, and the value of the main runs between them',
    }),
    pairs: Type.Array(PairOrderSchema, {
      description:
        'every controller pair per scenario, with its order at each value (keys: the values)',
    }),
    hinges: Count(
      'pairs whose order changes inside the range while some value gives a clear order (interval excluding 0)',
    ),
  },
  {
    additionalProperties: false,
    description:
      'whether each verdict holds when a modelling convention moves within its field range',
  },
);

export const Scorecard = Type.Object(
  {
    v: Type.Literal(1, { description: 'scorecard format version' }),
    manifest: ManifestSchema,
    results: Type.Array(ResultSchema, {
      description: 'one entry per controller × scenario, controllers in the order given',
    }),
    ranking: Type.Array(RankingSchema, {
      description: 'controllers, best first, one ranking per engine (the reference engine first)',
    }),
    queueSeries: Type.Optional(QueueSeriesSchema),
    engineAgreement: Type.Optional(EngineAgreementSchema),
    sensitivity: Type.Optional(SensitivitySchema),
  },
  {
    additionalProperties: false,
    $id: `${SCHEMA_BASE_URI}/scorecard.schema.json`,
    title: 'Scorecard',
    description:
      'The result of `openphase bench`: controllers × scenarios × seeds, every metric with its mean and 95 % confidence interval, paired comparisons with the baseline, and the manifest to rerun it. Method: docs/benchmark.md.',
  },
);

export type StatT = Type.Static<typeof StatSchema>;
export type Manifest = Type.Static<typeof ManifestSchema>;
export type ScenarioEntry = Type.Static<typeof ScenarioEntry>;
export type Result = Type.Static<typeof ResultSchema>;
export type RankingEntry = Type.Static<typeof RankingSchema>;
export type QueueSeries = Type.Static<typeof QueueSeriesSchema>;
export type PairOrder = Type.Static<typeof PairOrderSchema>;
export type EngineAgreement = Type.Static<typeof EngineAgreementSchema>;
export type Sensitivity = Type.Static<typeof SensitivitySchema>;
export type ScorecardT = Type.Static<typeof Scorecard>;
