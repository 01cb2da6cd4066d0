/**
 * Runtime validation of protocol messages, intersection configs and scenarios.
 * Every problem comes back as `{ code, path, message }`: a stable code (protocol/problems.ts)
 * and plain words; nothing throws on input.
 * Limits (payload size, detectors per message, nesting depth) are checked before the whole
 * payload is parsed, so a hostile message costs little.
 */
import { Compile } from 'typebox/compile';
import { isValidCounts } from './counts-check.ts';
import { checkIntersection } from './intersection.ts';
import type { IntersectionConfig as IntersectionConfigT } from './intersection-schema.ts';
import { IntersectionConfig } from './intersection-schema.ts';
import {
  Counts,
  type Counts as CountsT,
  Decision,
  type Decision as DecisionT,
  MAX_DETECTORS_PER_MESSAGE,
  Signal,
  type Signal as SignalT,
  Status,
  type Status as StatusT,
} from './messages.ts';
import type { Problem, Result } from './problems.ts';
import { Scenario, type Scenario as ScenarioT } from './scenario-schema.ts';
import { type TimeWindow, timeProblems } from './time-window.ts';

export interface Limits {
  /** Largest payload accepted, bytes. Default 64 KiB. */
  maxPayloadBytes: number;
  /** Most detector readings in one counts message. Default 256. */
  maxDetectors: number;
  /** Deepest JSON nesting accepted. Default 8 (protocol messages need 4). */
  maxDepth: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxPayloadBytes: 64 * 1024,
  maxDetectors: MAX_DETECTORS_PER_MESSAGE,
  maxDepth: 8,
};

const compiled = {
  counts: Compile(Counts),
  status: Compile(Status),
  decision: Compile(Decision),
  signal: Compile(Signal),
  intersection: Compile(IntersectionConfig),
  scenario: Compile(Scenario),
};

export type MessageKind = 'counts' | 'status' | 'decision' | 'signal' | 'config';

function describe(error: {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}): Problem {
  const path = error.instancePath || '/';
  const field = fieldName(error.instancePath);
  switch (error.keyword) {
    case 'required': {
      const missing = (error.params.requiredProperties as string[] | undefined) ?? [];
      return {
        code: 'missing-field',
        path: missing.length === 1 ? `${error.instancePath}/${pointerToken(missing[0]!)}` : path,
        message: `missing required field ${missing.map((m) => `'${m}'`).join(', ')}`,
      };
    }
    case 'additionalProperties': {
      const extra = (error.params.additionalProperties as string[] | undefined) ?? [];
      return {
        code: 'unknown-field',
        path: extra.length === 1 ? `${error.instancePath}/${pointerToken(extra[0]!)}` : path,
        message: `unknown field ${extra.map((m) => `'${m}'`).join(', ')}`,
      };
    }
    case 'type':
      return {
        code: 'wrong-type',
        path,
        message: `'${field}' must be ${article(String(error.params.type))}`,
      };
    case 'pattern':
      return {
        code: 'bad-format',
        path,
        message: `'${field}' has a bad format (${error.message})`,
      };
    case 'const':
      return {
        code: 'not-allowed',
        path,
        message: `'${field}' must be ${JSON.stringify(error.params.allowedValue)}`,
      };
    case 'enum': {
      const allowed = (error.params.allowedValues as unknown[] | undefined) ?? [];
      return {
        code: 'not-allowed',
        path,
        message: `'${field}' must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`,
      };
    }
    default:
      return { code: 'out-of-range', path, message: `'${field}' ${error.message}` };
  }
}

/** The field a JSON Pointer ends at, in words: `detectors[0]`, `count`, `message` for the root. */
function fieldName(pointer: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replaceAll('~1', '/').replaceAll('~0', '~'));
  const last = parts.at(-1);
  if (last === undefined) return 'message';
  if (/^\d+$/.test(last) && parts.length > 1) return `${parts.at(-2)}[${last}]`;
  return last;
}

/** Escapes one JSON Pointer reference token (RFC 6901). */
function pointerToken(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function schemaProblems(
  validator: (typeof compiled)[keyof typeof compiled],
  value: unknown,
): Problem[] {
  const out: Problem[] = [];
  const seen = new Set<string>();
  for (const e of validator.Errors(value)) {
    // The schema-is-false twin of an additionalProperties error adds nothing.
    if (e.keyword === 'boolean') continue;
    const p = describe(e as never);
    const key = `${p.path} ${p.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
    if (out.length >= 50) break;
  }
  return out;
}

/** Cheap pre-parse scan: the deepest bracket nesting, ignoring brackets inside strings. */
function rawDepth(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped char
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > limit) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

const tooDeep = (limits: Limits): Result<unknown> => ({
  ok: false,
  problems: [
    { code: 'too-deep', path: '/', message: `payload nests deeper than ${limits.maxDepth} levels` },
  ],
});

/**
 * Turns raw payload bytes into a JSON value, enforcing size, UTF-8 and depth limits first.
 * @example parsePayload(Buffer.from('{"v":1}')) // { ok: true, value: { v: 1 } }
 */
export function parsePayload(
  payload: Uint8Array | string,
  limits: Limits = DEFAULT_LIMITS,
): Result<unknown> {
  const size = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.byteLength;
  if (size > limits.maxPayloadBytes) {
    return {
      ok: false,
      problems: [
        {
          code: 'too-large',
          path: '/',
          message: `payload is ${size} bytes, over the ${limits.maxPayloadBytes}-byte limit`,
        },
      ],
    };
  }
  if (size === 0)
    return { ok: false, problems: [{ code: 'empty', path: '/', message: 'payload is empty' }] };
  let text: string;
  try {
    text = typeof payload === 'string' ? payload : utf8.decode(payload);
  } catch {
    return {
      ok: false,
      problems: [{ code: 'not-utf8', path: '/', message: 'payload is not valid UTF-8' }],
    };
  }
  if (rawDepth(text, limits.maxDepth)) return tooDeep(limits);
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (e) {
    return {
      ok: false,
      problems: [
        { code: 'not-json', path: '/', message: `payload is not JSON: ${(e as Error).message}` },
      ],
    };
  }
}

function notObject(value: unknown): Problem[] | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    return [
      { code: 'not-object', path: '/', message: `message must be a JSON object, got ${got}` },
    ];
  }
  return undefined;
}

/** Validates a parsed counts message, including the rules JSON Schema cannot say. */
export function validateCounts(value: unknown, limits: Limits = DEFAULT_LIMITS): Result<CountsT> {
  // The hot path: a hand-written check that only ever says yes (counts-check.ts); anything it
  // does not accept goes to the schema, which says what is wrong.
  if (isValidCounts(value, limits.maxDetectors)) return { ok: true, value: value as CountsT };
  return validateCountsBySchema(value, limits);
}

/** {@link validateCounts} through the compiled schema only (the reference the fast check is tested against). */
export function validateCountsBySchema(
  value: unknown,
  limits: Limits = DEFAULT_LIMITS,
): Result<CountsT> {
  const bad = notObject(value);
  if (bad) return { ok: false, problems: bad };
  const dets = (value as { detectors?: unknown }).detectors;
  if (Array.isArray(dets) && dets.length > limits.maxDetectors) {
    return {
      ok: false,
      problems: [
        {
          code: 'too-many-detectors',
          path: '/detectors',
          message: `'detectors' has ${dets.length} readings, over the limit of ${limits.maxDetectors}`,
        },
      ],
    };
  }
  const problems = schemaProblems(compiled.counts, value);
  if (problems.length > 0) return { ok: false, problems };
  const counts = value as CountsT;
  // [protocol v1: interval] from inclusive, to exclusive: an empty or reversed interval is an error.
  if (counts.from >= counts.to)
    problems.push({
      code: 'interval-order',
      path: '/to',
      message: `'to' (${counts.to}) must be after 'from' (${counts.from})`,
    });
  const ids = new Set<string>();
  counts.detectors.forEach((d, i) => {
    if (ids.has(d.id))
      problems.push({
        code: 'duplicate-detector',
        path: `/detectors/${i}/id`,
        message: `detector '${d.id}' appears twice`,
      });
    ids.add(d.id);
  });
  (counts.actuations ?? []).forEach((a, i) => {
    if (a.offMs < a.onMs)
      problems.push({
        code: 'actuation-order',
        path: `/actuations/${i}/offMs`,
        message: `'offMs' (${a.offMs}) is before 'onMs' (${a.onMs})`,
      });
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: counts };
}

function simple<T>(validator: (typeof compiled)[keyof typeof compiled], value: unknown): Result<T> {
  const bad = notObject(value);
  if (bad) return { ok: false, problems: bad };
  const problems = schemaProblems(validator, value);
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: value as T };
}

export const validateStatus = (value: unknown): Result<StatusT> =>
  simple<StatusT>(compiled.status, value);
export const validateDecision = (value: unknown): Result<DecisionT> =>
  simple<DecisionT>(compiled.decision, value);

export function validateSignal(value: unknown): Result<SignalT> {
  const r = simple<SignalT>(compiled.signal, value);
  if (!r.ok) return r;
  if (r.value.minEndMs > r.value.maxEndMs) {
    return {
      ok: false,
      problems: [
        { code: 'signal-window', path: '/minEndMs', message: "'minEndMs' is after 'maxEndMs'" },
      ],
    };
  }
  return r;
}

/** Validates an intersection config: schema first, then geometry and conflicts. */
export function validateIntersection(value: unknown, basePath = ''): Result<IntersectionConfigT> {
  const bad = notObject(value);
  if (bad) return { ok: false, problems: bad.map((p) => ({ ...p, path: basePath + p.path })) };
  const problems = schemaProblems(compiled.intersection, value).map((p) => ({
    ...p,
    path: basePath + p.path,
  }));
  if (problems.length > 0) return { ok: false, problems };
  const config = value as IntersectionConfigT;
  const geometry = checkIntersection(config, basePath);
  return geometry.length > 0 ? { ok: false, problems: geometry } : { ok: true, value: config };
}

/** Validates a parsed message of the given kind. */
export function validateMessage(
  kind: MessageKind,
  value: unknown,
  limits: Limits = DEFAULT_LIMITS,
): Result<unknown> {
  switch (kind) {
    case 'counts':
      return validateCounts(value, limits);
    case 'status':
      return validateStatus(value);
    case 'decision':
      return validateDecision(value);
    case 'signal':
      return validateSignal(value);
    case 'config':
      return validateIntersection(value);
  }
}

/**
 * Bytes in, a valid message or its problems out: the one call a consumer needs. With `time`,
 * every timestamp must also lie within the plausibility window of the receiver's clock
 * (protocol/time-window.ts, code `implausible-time`).
 * @example decodeMessage('counts', payload)
 * @example decodeMessage('decision', payload, DEFAULT_LIMITS, { nowMs: clock.nowMs() })
 */
export function decodeMessage(
  kind: MessageKind,
  payload: Uint8Array | string,
  limits: Limits = DEFAULT_LIMITS,
  time?: TimeWindow,
): Result<unknown> {
  const r =
    (kind === 'counts' && countsFastLane(payload, limits)) || decodeSlow(kind, payload, limits);
  if (!r.ok || time === undefined) return r;
  const late = timeProblems(kind, r.value, time);
  return late.length > 0 ? { ok: false, problems: late } : r;
}

function decodeSlow(kind: MessageKind, payload: Uint8Array | string, limits: Limits) {
  const parsed = parsePayload(payload, limits);
  if (!parsed.ok) return parsed;
  return validateMessage(kind, parsed.value, limits);
}

/**
 * Counts, the bulk of the traffic, valid as a rule: parse the bytes as Latin-1 and check, and
 * only when that is not a valid message take the careful way (UTF-8 check, nesting scan, parse,
 * schema) that says what is wrong. Sound because a valid counts message is ASCII — its strings
 * are field names and ids of `[A-Za-z0-9_-]`, and a byte ≥ 0x80 anywhere else is not JSON — so
 * Latin-1 read it as UTF-8 would, and it nests 3 deep (object, `detectors`, reading), within
 * any depth limit of 3 or more. Undefined: take the careful way.
 */
function countsFastLane(payload: Uint8Array | string, limits: Limits): Result<unknown> | undefined {
  if (typeof payload === 'string' || limits.maxDepth < 3) return undefined;
  const n = payload.byteLength;
  if (n === 0 || n > limits.maxPayloadBytes) return undefined;
  const bytes = Buffer.isBuffer(payload)
    ? payload
    : Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength);
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('latin1'));
  } catch {
    return undefined;
  }
  return isValidCounts(value, limits.maxDetectors) ? { ok: true, value } : undefined;
}

/**
 * Validates a scenario (already parsed from YAML or JSON): schema, every intersection's
 * geometry, and the references between demand, links, faults and intersections.
 */
export function validateScenario(value: unknown): Result<ScenarioT> {
  const bad = notObject(value);
  if (bad) return { ok: false, problems: bad };
  const problems = schemaProblems(compiled.scenario, value);
  // One run reports schema and reference problems together: the references are checked on
  // every item the schema found sound, instead of stopping at the first round.
  const schema = problems.map((p) => p.path);
  const sound = (ptr: string) => !schema.some((p) => p === ptr || p.startsWith(`${ptr}/`));
  const o = value as Partial<Record<keyof ScenarioT, unknown>>;
  if (!Array.isArray(o.intersections) || !sound('/intersections')) {
    return { ok: false, problems };
  }
  const list = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
  const scenario = value as ScenarioT;
  const byId = new Map<string, IntersectionConfigT>();
  const soundIds = new Set<string>();
  list<IntersectionConfigT>(o.intersections).forEach((ic, i) => {
    if (typeof ic?.id !== 'string') return;
    if (sound(`/intersections/${i}`)) soundIds.add(ic.id);
    else {
      byId.set(ic.id, ic); // known, so references to it are not "unknown"; not checked further
      return;
    }
    if (byId.has(ic.id))
      problems.push({
        code: 'duplicate-intersection',
        path: `/intersections/${i}/id`,
        message: `intersection id '${ic.id}' is used twice`,
      });
    byId.set(ic.id, ic);
    problems.push(...checkIntersection(ic, `/intersections/${i}`));
  });
  list<ScenarioT['demand'][number]>(o.demand).forEach((d, i) => {
    if (!sound(`/demand/${i}`)) return;
    const ic = byId.get(d.intersection);
    if (!ic) {
      problems.push({
        code: 'unknown-intersection',
        path: `/demand/${i}/intersection`,
        message: `unknown intersection '${d.intersection}'`,
      });
      return;
    }
    if (soundIds.has(ic.id) && !ic.phases.some((p) => p.movements.includes(d.movement))) {
      problems.push({
        code: 'demand-unserved',
        path: `/demand/${i}/movement`,
        message: `no phase of '${d.intersection}' serves '${d.movement}'`,
      });
    }
    if (Array.isArray(d.flowVph)) {
      for (let k = 1; k < d.flowVph.length; k++) {
        if (d.flowVph[k]![0] <= d.flowVph[k - 1]![0]) {
          problems.push({
            code: 'profile-order',
            path: `/demand/${i}/flowVph/${k}/0`,
            message: 'profile times must increase',
          });
        }
      }
    }
  });
  list<NonNullable<ScenarioT['links']>[number]>(o.links).forEach((l, i) => {
    if (!sound(`/links/${i}`)) return;
    const known = (id: string) => (soundIds.has(id) ? byId.get(id) : undefined);
    if (byId.has(l.from) && !soundIds.has(l.from)) return; // its intersection is reported already
    if (byId.has(l.to) && !soundIds.has(l.to)) return;
    const from = known(l.from);
    const to = known(l.to);
    if (!from)
      problems.push({
        code: 'unknown-intersection',
        path: `/links/${i}/from`,
        message: `unknown intersection '${l.from}'`,
      });
    else if (!from.approaches[l.exit])
      problems.push({
        code: 'unknown-leg',
        path: `/links/${i}/exit`,
        message: `'${l.from}' has no leg '${l.exit}'`,
      });
    if (!to)
      problems.push({
        code: 'unknown-intersection',
        path: `/links/${i}/to`,
        message: `unknown intersection '${l.to}'`,
      });
    else if (!to.approaches[l.entry])
      problems.push({
        code: 'unknown-leg',
        path: `/links/${i}/entry`,
        message: `'${l.to}' has no approach '${l.entry}'`,
      });
  });
  list<NonNullable<ScenarioT['faults']>[number]>(o.faults).forEach((f, i) => {
    if (!sound(`/faults/${i}`)) return;
    const [ic] = f.detector.split('/');
    if (!byId.has(ic!))
      problems.push({
        code: 'unknown-intersection',
        path: `/faults/${i}/detector`,
        message: `unknown intersection '${ic}'`,
      });
    if (f.toS < f.fromS)
      problems.push({
        code: 'fault-window',
        path: `/faults/${i}/toS`,
        message: "'toS' is before 'fromS'",
      });
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: scenario };
}
