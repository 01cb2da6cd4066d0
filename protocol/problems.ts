/**
 * Validation problems and their stable codes (pure). A problem carries a `code` a program may
 * store or match, a JSON Pointer `path`, and a `message` in plain words for people; the message
 * may be reworded, the code may not. docs/protocol.md lists every code (a test keeps them in step).
 */

/** Every problem code, with what it means. */
export const PROBLEM_CODES = {
  // the payload, before it is read as JSON
  'too-large': 'the payload is over the byte limit',
  empty: 'the payload is empty',
  'not-utf8': 'the payload is not valid UTF-8',
  'too-deep': 'the payload nests deeper than the depth limit',
  'not-json': 'the payload is not JSON',
  'not-object': 'the message is not a JSON object',
  // the schema
  'missing-field': 'a required field is missing',
  'unknown-field': 'a field the schema does not know',
  'wrong-type': 'a field has the wrong JSON type',
  'bad-format': 'a string does not match its pattern (ids, movements)',
  'not-allowed': 'a value is not one of the allowed values',
  'out-of-range': 'a value breaks another schema rule (range, length, count)',
  // counts and signal messages
  'too-many-detectors': 'a counts message has more detector readings than the limit',
  'interval-order': "a counts interval's `to` is not after its `from`",
  'duplicate-detector': 'a detector id appears twice in one message or config',
  'actuation-order': "an actuation's `offMs` is before its `onMs`",
  'signal-window': "a signal's `minEndMs` is after its `maxEndMs`",
  'implausible-time':
    "a timestamp outside the plausibility window of the receiver's clock (default ±1 day; often seconds sent as milliseconds)",
  // intersection configs
  'approach-bearing': 'an approach has no compass name and no `bearingDeg`',
  'duplicate-phase': 'a phase id is used twice',
  'green-range': "a phase's `minGreenS` is above its `maxGreenS`",
  'duplicate-movement': 'a phase lists a movement twice',
  'unknown-movement': 'a movement names no approach of the intersection',
  'movement-lanes': 'a movement has no lanes on its approach',
  'movement-exit': 'a movement has no leg to leave by',
  'permissive-not-in-phase': "a permissive movement is not among the phase's movements",
  'permissive-through': 'a through movement is marked permissive',
  'phase-conflict': 'a phase holds two conflicting protected movements',
  'permissive-conflict': 'a permissive turn conflicts with a movement not from the opposing leg',
  'plan-unknown-phase': 'the plan names a phase the intersection does not have',
  'plan-green-below-min': "a plan green is below the phase's `minGreenS`",
  'plan-cycle': 'the plan greens plus clearances exceed `cycleS`',
  'detector-unserved': 'a detector measures a movement no phase serves',
  'time-zone': '`timeZone` is not an IANA time zone the platform knows',
  'schedule-unknown-plan': 'a schedule entry names a plan `plans` does not define',
  'schedule-twice': 'two schedule entries start on the same day type at the same time',
  'holidays-without-schedule': '`holidays` are listed but there is no `schedule`',
  // scenarios
  'duplicate-intersection': 'an intersection id is used twice',
  'unknown-intersection': 'a reference names an intersection the scenario does not have',
  'demand-unserved': 'demand for a movement no phase of the intersection serves',
  'profile-order': 'flow profile times do not increase',
  'unknown-leg': 'a link names a leg or approach the intersection does not have',
  'fault-window': "a fault's `toS` is before its `fromS`",
  'link-twice': 'two links leave by the same exit or enter on the same approach',
  'link-loop': 'a link leads back to its own intersection',
  'unknown-detector': 'a fault names a detector the intersection does not have',
  'not-yaml': 'a scenario or intersection file is not valid YAML or JSON',
  unreadable: 'a scenario or intersection file cannot be read',
} as const;

export type ProblemCode = keyof typeof PROBLEM_CODES;

/** One validation problem: a stable code, a JSON Pointer to the field and what is wrong with it. */
export interface Problem {
  code: ProblemCode;
  path: string;
  message: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; problems: Problem[] };

/** The codes of problems found before the payload is JSON: the payload itself is bad. */
export const PAYLOAD_CODES = [
  'too-large',
  'empty',
  'not-utf8',
  'too-deep',
  'not-json',
  'not-object',
] as const satisfies readonly ProblemCode[];
export type PayloadCode = (typeof PAYLOAD_CODES)[number];

/** Formats problems for a terminal or a log line. */
export function formatProblems(problems: Problem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join('\n');
}
