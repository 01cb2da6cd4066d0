/**
 * Message schemas of protocol v1 — the one source for the TypeScript types, the runtime
 * validator and the published JSON Schema files (`npm run schemas`).
 */
import Type from 'typebox';
import { ID_PATTERN } from './ids.ts';

export const SCHEMA_BASE_URI = 'https://openphase.org/schemas/v1';

export const Id = (description: string) =>
  Type.String({ pattern: ID_PATTERN, minLength: 1, maxLength: 64, description });
export const EpochMs = (description: string) =>
  Type.Integer({ minimum: 0, maximum: 8_640_000_000_000_000, description });

export const MOVEMENT_PATTERN = '^[A-Za-z0-9_]{1,32}-(left|through|right)$';
export const Movement = (description: string) =>
  Type.String({ pattern: MOVEMENT_PATTERN, description });

export const MAX_DETECTORS_PER_MESSAGE = 256;
export const MAX_ACTUATIONS_PER_MESSAGE = 4096;

export const DetectorReading = Type.Object(
  {
    id: Id('detector id, as listed in the intersection config'),
    count: Type.Integer({
      minimum: 0,
      maximum: 100_000,
      description: 'vehicles counted during [from, to) (FIWARE intensity)',
    }),
    occupancy: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 1,
        description: 'share of the interval the detector was occupied, 0..1 (FIWARE occupancy)',
      }),
    ),
    speedKmh: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 400,
        description: 'mean speed of counted vehicles in km/h (FIWARE averageVehicleSpeed)',
      }),
    ),
  },
  { additionalProperties: false, description: 'one detector reading for the interval' },
);

export const Actuation = Type.Object(
  {
    id: Id('detector id'),
    onMs: EpochMs('epoch ms UTC when the detector turned on (vehicle arrived over it)'),
    offMs: EpochMs('epoch ms UTC when the detector turned off'),
  },
  { additionalProperties: false, description: 'one raw detector on/off event' },
);

export const Counts = Type.Object(
  {
    v: Type.Literal(1, { description: 'protocol version, always 1 in v1' }),
    sensor: Id('the publishing sensor id; equals the last topic level'),
    boot: Id('random id the sensor draws each time it starts; a new boot resets seq'),
    seq: Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'message counter within a boot, +1 per message; a gap is a loss',
    }),
    from: EpochMs('interval start, epoch ms UTC, inclusive (FIWARE dateObservedFrom)'),
    to: EpochMs('interval end, epoch ms UTC, exclusive, > from (FIWARE dateObservedTo)'),
    detectors: Type.Array(DetectorReading, {
      maxItems: MAX_DETECTORS_PER_MESSAGE,
      description: `readings, one per detector, at most ${MAX_DETECTORS_PER_MESSAGE}`,
    }),
    actuations: Type.Optional(
      Type.Array(Actuation, {
        maxItems: MAX_ACTUATIONS_PER_MESSAGE,
        description: 'optional raw on/off events during the interval (ATSPM-style measures)',
      }),
    ),
  },
  {
    additionalProperties: false,
    $id: `${SCHEMA_BASE_URI}/counts.schema.json`,
    title: 'Counts',
    description:
      'Vehicle counts of one sensor for one interval. Topic {root}/v1/{intersection}/counts/{sensor}, QoS 1, not retained.',
    examples: [
      {
        v: 1,
        sensor: 'a-s1',
        boot: 'k3J9x2',
        seq: 42,
        from: 1764340000000,
        to: 1764340001000,
        detectors: [
          { id: 'N-through-stop', count: 1, occupancy: 0.12, speedKmh: 31.5 },
          { id: 'N-through-advance', count: 0, occupancy: 0 },
        ],
        actuations: [{ id: 'N-through-stop', onMs: 1764340000300, offMs: 1764340000420 }],
      },
    ],
  },
);

export const Status = Type.Object(
  {
    v: Type.Literal(1, { description: 'protocol version, always 1 in v1' }),
    online: Type.Boolean({ description: 'true in the birth message, false in the Last Will' }),
    device: Type.Optional(Id('the device id; equals the last topic level')),
    role: Type.Optional(
      Type.String({ maxLength: 32, description: 'sensor, signal, controller, collector, …' }),
    ),
    atMs: Type.Optional(EpochMs('epoch ms UTC when the message was made')),
    boot: Type.Optional(Id('the boot id of the device, when it has one')),
    lastSeq: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: Number.MAX_SAFE_INTEGER,
        description:
          'a sensor: the seq of the last counts message it published in boot `boot` (sent when it stops, and may be repeated); lets a collector see a missing tail',
      }),
    ),
    software: Type.Optional(
      Type.String({ maxLength: 128, description: 'free text: product and version' }),
    ),
  },
  {
    additionalProperties: false,
    $id: `${SCHEMA_BASE_URI}/status.schema.json`,
    title: 'Status',
    description:
      'Birth and Last Will of a device. Topic {root}/v1/{intersection}/status/{device}, QoS 1, retained.',
    examples: [
      { v: 1, online: true, device: 'a-s1', role: 'sensor', atMs: 1764340000000, boot: 'k3J9x2' },
      { v: 1, online: false, device: 'a-s1' },
    ],
  },
);

export const Decision = Type.Object(
  {
    v: Type.Literal(1, { description: 'protocol version, always 1 in v1' }),
    controller: Id('the deciding controller id'),
    seq: Type.Integer({
      minimum: 0,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'decision counter of this controller, +1 per decision',
    }),
    t: EpochMs('the time (epoch ms) of the counts this decision answers; in lockstep, the tick'),
    phase: Id('the phase the controller wants green now, or as soon as it is safe'),
  },
  {
    additionalProperties: false,
    $id: `${SCHEMA_BASE_URI}/decision.schema.json`,
    title: 'Decision',
    description:
      'The phase a controller wants. Topic {root}/v1/{intersection}/decision, QoS 1, not retained. The safety monitor decides what the heads show.',
    examples: [{ v: 1, controller: 'ctl-1', seq: 17, t: 1764340001000, phase: 'ns' }],
  },
);

export const INTERVALS = ['green', 'yellow', 'red-clearance'] as const;
/** SAE J2735 MovementPhaseState names used for movement states. */
export const MOVEMENT_STATES = [
  'dark',
  'stop-And-Remain',
  'protected-Movement-Allowed',
  'permissive-Movement-Allowed',
  'protected-clearance',
  'permissive-clearance',
] as const;
export const OVERRIDE_KINDS = [
  'minGreen',
  'maxGreen',
  'unknownPhase',
  'conflict',
  'watchdog',
] as const;

/**
 * In the field the cabinet has its own timing: when what it shows departs from what the safety
 * monitor permits, the gateway reports a `cabinet` override. Kept apart from OVERRIDE_KINDS,
 * which are the monitor's own (a simulated run never has a cabinet).
 */
export const CABINET_OVERRIDE = 'cabinet';
export const SIGNAL_OVERRIDE_KINDS = [...OVERRIDE_KINDS, CABINET_OVERRIDE] as const;

export const Override = Type.Object(
  {
    kind: Type.Enum(SIGNAL_OVERRIDE_KINDS, {
      description:
        "which safety rule intervened; 'cabinet' (field only): the cabinet showed a state the monitor did not permit",
    }),
    atMs: EpochMs('when the safety monitor intervened'),
    requested: Type.Optional(
      Type.String({ maxLength: 64, description: 'the phase that was asked for, if any' }),
    ),
    detail: Type.Optional(Type.String({ maxLength: 256, description: 'plain-words explanation' })),
  },
  { additionalProperties: false, description: 'one safety-monitor intervention' },
);

export const Signal = Type.Object(
  {
    v: Type.Literal(1, { description: 'protocol version, always 1 in v1' }),
    t: EpochMs('time of this state, epoch ms UTC'),
    phase: Id('the phase timing now (during yellow and red clearance: the phase ending)'),
    interval: Type.Enum(INTERVALS, {
      description: 'green, yellow (change) or red-clearance (all red)',
    }),
    sinceMs: EpochMs('epoch ms when the current interval started'),
    minEndMs: EpochMs('earliest epoch ms the current interval may end'),
    maxEndMs: EpochMs('latest epoch ms the current interval may end'),
    movements: Type.Record(
      Type.String({ pattern: MOVEMENT_PATTERN }),
      Type.Enum(MOVEMENT_STATES, { description: 'SAE J2735 MovementPhaseState of the movement' }),
      { description: 'state of every movement the heads show, by movement name' },
    ),
    controller: Type.String({
      maxLength: 64,
      description:
        "who is in control: the controller id, or 'fallback' while the watchdog runs the fallback plan",
    }),
    overrides: Type.Array(Override, {
      maxItems: 16,
      description: 'safety-monitor interventions since the previous signal message',
    }),
  },
  {
    additionalProperties: false,
    $id: `${SCHEMA_BASE_URI}/signal.schema.json`,
    title: 'Signal',
    description:
      'What the signal heads show, after the safety monitor. Topic {root}/v1/{intersection}/signal, QoS 1, retained.',
    examples: [
      {
        v: 1,
        t: 1764340001000,
        phase: 'ns',
        interval: 'green',
        sinceMs: 1764339990000,
        minEndMs: 1764339995000,
        maxEndMs: 1764340050000,
        movements: {
          'N-through': 'protected-Movement-Allowed',
          'S-through': 'protected-Movement-Allowed',
          'E-through': 'stop-And-Remain',
          'W-through': 'stop-And-Remain',
        },
        controller: 'ctl-1',
        overrides: [],
      },
    ],
  },
);

export type Counts = Type.Static<typeof Counts>;
export type DetectorReading = Type.Static<typeof DetectorReading>;
export type Actuation = Type.Static<typeof Actuation>;
export type Status = Type.Static<typeof Status>;
export type Decision = Type.Static<typeof Decision>;
export type Signal = Type.Static<typeof Signal>;
/** An override in a `signal` message: the monitor's kinds, and `cabinet` in the field. */
export type SignalOverride = Type.Static<typeof Override>;
/** An override made by the safety monitor. */
export type Override = Omit<SignalOverride, 'kind'> & { kind: OverrideKind };
export type OverrideKind = (typeof OVERRIDE_KINDS)[number];
export type SignalOverrideKind = (typeof SIGNAL_OVERRIDE_KINDS)[number];
export type Interval = (typeof INTERVALS)[number];
export type MovementState = (typeof MOVEMENT_STATES)[number];
