/**
 * Driver conventions of a scenario: how much of the yellow drivers use, the start-up lost time
 * at green, and whether a standing queue occludes an advance detector. One source for both
 * engines (OpenPhase's queue model and the SUMO export), so the two model the same drivers.
 * Defaults: the HCM field convention (HCM 6th ed., ch. 19: e = 2 s of extension into the
 * yellow, l1 = 2 s start-up lost time); real loops under a standing queue count only discharge.
 */
import Type from 'typebox';

export const Drivers = Type.Object(
  {
    yellowUsedS: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 10,
        description:
          'seconds of the yellow that drivers still use to cross (capped at the yellow); default 2 (HCM extension of effective green)',
      }),
    ),
    startUpLostS: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 10,
        description:
          'no discharge in the first seconds of green; default 2 (HCM start-up lost time)',
      }),
    ),
    advanceOcclusion: Type.Optional(
      Type.Boolean({
        description:
          'a queue standing over an advance detector hides the vehicles joining it: the detector counts them as they discharge over it; default true',
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'driver conventions shared by every engine (HCM field convention by default)',
  },
);
export type Drivers = Type.Static<typeof Drivers>;

export const DEFAULT_DRIVERS: Readonly<Required<Drivers>> = Object.freeze({
  yellowUsedS: 2,
  startUpLostS: 2,
  advanceOcclusion: true,
});

/** What `driversOf` reads: the `drivers` object and the two older top-level spellings. */
export interface DriverFields {
  drivers?: Drivers | undefined;
  /** older spelling of drivers.startUpLostS */
  startupLostS?: number | undefined;
  /** older convention: seconds of the yellow NOT used (used = yellowS − yellowUnusedS) */
  yellowUnusedS?: number | undefined;
}

/**
 * The driver conventions in force at an intersection whose yellow lasts `yellowS`: `drivers`
 * first, then the older top-level fields, then the HCM defaults. yellowUsedS is capped at the
 * yellow (nobody crosses on red).
 */
export function driversOf(scenario: DriverFields, yellowS: number): Required<Drivers> {
  const d = scenario.drivers ?? {};
  const used =
    d.yellowUsedS ??
    (scenario.yellowUnusedS !== undefined
      ? yellowS - scenario.yellowUnusedS
      : DEFAULT_DRIVERS.yellowUsedS);
  return {
    yellowUsedS: Math.min(yellowS, Math.max(0, used)),
    startUpLostS: d.startUpLostS ?? scenario.startupLostS ?? DEFAULT_DRIVERS.startUpLostS,
    advanceOcclusion: d.advanceOcclusion ?? DEFAULT_DRIVERS.advanceOcclusion,
  };
}

/**
 * Lost time per phase the re-timing formulas use at that intersection: start-up lost time plus
 * the yellow drivers do not use (the all-red is added by the formulas themselves).
 */
export function lostTimePerPhaseS(scenario: DriverFields, yellowS: number): number {
  const d = driversOf(scenario, yellowS);
  return d.startUpLostS + yellowS - d.yellowUsedS;
}
