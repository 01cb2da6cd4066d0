import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Counts,
  DEFAULT_LIMITS,
  Decision,
  decodeMessage,
  IntersectionConfig,
  Scenario,
  Signal,
  Status,
  validateCounts,
  validateDecision,
  validateIntersection,
  validateScenario,
  validateSignal,
  validateStatus,
} from '../../protocol/index.ts';

const good = (Counts as unknown as { examples: Record<string, unknown>[] }).examples[0]!;
const clone = () =>
  structuredClone(good) as Record<string, unknown> & { detectors: Record<string, unknown>[] };

describe('documented examples validate', () => {
  it.each([
    ['counts', Counts, validateCounts],
    ['status', Status, validateStatus],
    ['decision', Decision, validateDecision],
    ['signal', Signal, validateSignal],
    ['intersection', IntersectionConfig, validateIntersection],
    ['scenario', Scenario, validateScenario],
  ] as const)('%s', (_name, schema, validate) => {
    const examples = (schema as unknown as { examples: unknown[] }).examples;
    expect(examples.length).toBeGreaterThan(0);
    for (const e of examples)
      expect((validate as (v: unknown) => { ok: boolean })(e)).toMatchObject({ ok: true });
  });
});

const withDetectors = (...detectors: unknown[]) => JSON.stringify({ ...clone(), detectors });
const withField = (field: string, value: unknown) => JSON.stringify({ ...clone(), [field]: value });

/**
 * Each case: a name, the raw payload, the JSON Pointer of the problem, and what its message
 * must say (the field is named in the message too, so a log line alone is enough to act on).
 */
const MALFORMED: [string, string | Uint8Array, string, RegExp][] = [
  [
    'count is a string',
    withDetectors({ id: 'd', count: '3' }),
    '/detectors/0/count',
    /'count' must be an integer/,
  ],
  [
    'count is negative',
    withDetectors({ id: 'd', count: -1 }),
    '/detectors/0/count',
    /'count' must be >= 0/,
  ],
  [
    'count is fractional',
    withDetectors({ id: 'd', count: 1.5 }),
    '/detectors/0/count',
    /'count' must be an integer/,
  ],
  [
    'count is null',
    withDetectors({ id: 'd', count: null }),
    '/detectors/0/count',
    /'count' must be an integer/,
  ],
  [
    'count is missing',
    withDetectors({ id: 'd' }),
    '/detectors/0/count',
    /missing required field 'count'/,
  ],
  [
    'occupancy above 1',
    withDetectors({ id: 'd', count: 1, occupancy: 1.2 }),
    '/detectors/0/occupancy',
    /'occupancy' must be <= 1/,
  ],
  [
    'occupancy below 0',
    withDetectors({ id: 'd', count: 1, occupancy: -0.1 }),
    '/detectors/0/occupancy',
    /'occupancy' must be >= 0/,
  ],
  [
    'occupancy a string',
    withDetectors({ id: 'd', count: 1, occupancy: '50%' }),
    '/detectors/0/occupancy',
    /'occupancy' must be a number/,
  ],
  [
    'speed negative',
    withDetectors({ id: 'd', count: 1, speedKmh: -3 }),
    '/detectors/0/speedKmh',
    /'speedKmh' must be >= 0/,
  ],
  [
    'detector id with a slash',
    withDetectors({ id: 'a/b', count: 1 }),
    '/detectors/0/id',
    /'id' has a bad format/,
  ],
  [
    'detector id with a wildcard',
    withDetectors({ id: 'a+', count: 1 }),
    '/detectors/0/id',
    /'id' has a bad format/,
  ],
  ['detector id empty', withDetectors({ id: '', count: 1 }), '/detectors/0/id', /'id'/],
  [
    'detector reading is null',
    withDetectors(null),
    '/detectors/0',
    /'detectors\[0\]' must be an object/,
  ],
  [
    'unknown field in a reading',
    withDetectors({ id: 'd', count: 1, lane: 2 }),
    '/detectors/0/lane',
    /unknown field 'lane'/,
  ],
  [
    'duplicate detector',
    withDetectors({ id: 'd', count: 1 }, { id: 'd', count: 2 }),
    '/detectors/1/id',
    /detector 'd' appears twice/,
  ],
  [
    'from equals to',
    JSON.stringify({ ...clone(), from: 1000, to: 1000 }),
    '/to',
    /'to' \(1000\) must be after 'from' \(1000\)/,
  ],
  [
    'from after to',
    JSON.stringify({ ...clone(), from: 2000, to: 1000 }),
    '/to',
    /'to' .* must be after 'from'/,
  ],
  ['from a date string', withField('from', '2026-01-01'), '/from', /'from' must be an integer/],
  ['to fractional', withField('to', 1764340001000.5), '/to', /'to' must be an integer/],
  ['seq negative', withField('seq', -1), '/seq', /'seq' must be >= 0/],
  ['seq fractional', withField('seq', 1.5), '/seq', /'seq' must be an integer/],
  ['seq a string', withField('seq', '7'), '/seq', /'seq' must be an integer/],
  ['seq beyond 2^53', withField('seq', 2 ** 60), '/seq', /'seq' must be <=/],
  [
    'seq overflowing to Infinity',
    '{"v":1,"sensor":"s","boot":"b","seq":1e999,"from":1,"to":2,"detectors":[]}',
    '/seq',
    /'seq'/,
  ],
  ['sensor id with #', withField('sensor', 'x#'), '/sensor', /'sensor' has a bad format/],
  ['boot with a space', withField('boot', 'a b'), '/boot', /'boot' has a bad format/],
  ['missing sensor', withField('sensor', undefined), '/sensor', /missing required field 'sensor'/],
  [
    'missing detectors',
    withField('detectors', undefined),
    '/detectors',
    /missing required field 'detectors'/,
  ],
  ['missing boot', withField('boot', undefined), '/boot', /missing required field 'boot'/],
  ['missing seq', withField('seq', undefined), '/seq', /missing required field 'seq'/],
  ['wrong version', withField('v', 2), '/v', /'v' must be 1/],
  ['version as a string', withField('v', '1'), '/v', /'v' must be/],
  ['unknown field', withField('extra', 1), '/extra', /unknown field 'extra'/],
  [
    'a __proto__ key',
    '{"__proto__":{"x":1},"v":1,"sensor":"s","boot":"b","seq":1,"from":1,"to":2,"detectors":[]}',
    '/__proto__',
    /unknown field '__proto__'/,
  ],
  [
    'detectors not an array',
    withField('detectors', { id: 'd' }),
    '/detectors',
    /'detectors' must be an array/,
  ],
  [
    'oversized detectors array',
    withDetectors(...Array.from({ length: 257 }, (_, i) => ({ id: `d${i}`, count: 0 }))),
    '/detectors',
    /'detectors' has 257 readings, over the limit of 256/,
  ],
  [
    'actuation off before on',
    JSON.stringify({ ...clone(), actuations: [{ id: 'd', onMs: 5, offMs: 4 }] }),
    '/actuations/0/offMs',
    /'offMs' \(4\) is before 'onMs' \(5\)/,
  ],
  [
    'payload over the size limit',
    withField('pad', 'x'.repeat(70_000)),
    '/',
    /payload is \d+ bytes, over the 65536-byte limit/,
  ],
  ['a JSON array', '[1,2,3]', '/', /message must be a JSON object, got an array/],
  ['a JSON number', '42', '/', /message must be a JSON object, got number/],
  ['a JSON string', '"counts"', '/', /message must be a JSON object, got string/],
  ['JSON null', 'null', '/', /message must be a JSON object, got null/],
  ['not JSON', '{"v":1,', '/', /payload is not JSON/],
  ['empty payload', '', '/', /payload is empty/],
  [
    'invalid UTF-8',
    new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
    '/',
    /payload is not valid UTF-8/,
  ],
  ['deep nesting', `${'['.repeat(50)}${']'.repeat(50)}`, '/', /payload nests deeper than 8 levels/],
  [
    'deep nesting inside an object',
    withField('x', [[[[[[[[[[1]]]]]]]]]]),
    '/',
    /deeper than 8 levels/,
  ],
];

describe('malformed counts payloads are refused with a reason naming the field', () => {
  it(`has at least 25 distinct cases (${MALFORMED.length})`, () => {
    expect(new Set(MALFORMED.map((m) => m[0])).size).toBe(MALFORMED.length);
    expect(new Set(MALFORMED.map((m) => m[1])).size).toBe(MALFORMED.length);
    expect(MALFORMED.length).toBeGreaterThanOrEqual(25);
  });
  it.each(MALFORMED)('%s', (_name, payload, path, message) => {
    const r = decodeMessage('counts', payload);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems).toContainEqual({
      code: expect.any(String),
      path,
      message: expect.stringMatching(message),
    });
  });
  it('accepts the good one through the same path', () => {
    expect(decodeMessage('counts', JSON.stringify(good))).toMatchObject({ ok: true });
    expect(decodeMessage('counts', new TextEncoder().encode(JSON.stringify(good)))).toMatchObject({
      ok: true,
    });
  });
  it('accepts exactly 256 detectors and brackets inside strings do not count as nesting', () => {
    const many = Array.from({ length: 256 }, (_, i) => ({ id: `d${i}`, count: 0 }));
    expect(decodeMessage('counts', withDetectors(...many)).ok).toBe(true);
    const s = structuredClone(
      (Status as unknown as { examples: Record<string, unknown>[] }).examples[0]!,
    );
    const r = decodeMessage('status', JSON.stringify({ ...s, software: '[[[[[[[[[[\\"{{{{{{{{{' }));
    expect(r).toMatchObject({ ok: true });
  });
  it('checks the size before parsing: the limit is configurable', () => {
    const r = decodeMessage('counts', JSON.stringify(good), {
      ...DEFAULT_LIMITS,
      maxPayloadBytes: 10,
    });
    expect(r).toMatchObject({
      ok: false,
      problems: [{ path: '/', message: expect.stringMatching(/over the 10-byte limit/) }],
    });
  });
  it('never throws, whatever the bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const r = decodeMessage('counts', bytes);
        return r.ok === false || r.ok === true;
      }),
      { seed: 42, numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        for (const kind of ['counts', 'status', 'decision', 'signal', 'config'] as const)
          decodeMessage(kind, JSON.stringify(value) ?? 'null');
        return true;
      }),
      { seed: 7, numRuns: 1000 },
    );
  });
});

describe('other messages', () => {
  it('refuses a decision without a phase and one with a garbage phase id', () => {
    expect(validateDecision({ v: 1, controller: 'c', seq: 1, t: 1 })).toMatchObject({
      ok: false,
      problems: [{ path: '/phase' }],
    });
    expect(validateDecision({ v: 1, controller: 'c', seq: 1, t: 1, phase: '../x' })).toMatchObject({
      ok: false,
    });
  });
  it('refuses a signal with an unknown interval or movement state', () => {
    const s = structuredClone(
      (Signal as unknown as { examples: Record<string, unknown>[] }).examples[0]!,
    );
    expect(validateSignal({ ...s, interval: 'amber' })).toMatchObject({
      ok: false,
      problems: [
        {
          path: '/interval',
          message: `'interval' must be one of "green", "yellow", "red-clearance"`,
        },
      ],
    });
    expect(validateSignal({ ...s, movements: { 'N-through': 'green' } })).toMatchObject({
      ok: false,
      problems: [
        {
          path: '/movements/N-through',
          message: expect.stringMatching(/'N-through' must be one of/),
        },
      ],
    });
    expect(validateSignal({ ...s, minEndMs: 2, maxEndMs: 1 })).toMatchObject({
      ok: false,
      problems: [{ path: '/minEndMs' }],
    });
  });
  it('refuses an override of an unknown kind, naming the allowed ones', () => {
    const s = structuredClone(
      (Signal as unknown as { examples: Record<string, unknown>[] }).examples[0]!,
    );
    expect(validateSignal({ ...s, overrides: [{ kind: 'oops', atMs: 1 }] })).toMatchObject({
      ok: false,
      problems: [{ path: '/overrides/0/kind', message: expect.stringContaining('"watchdog"') }],
    });
  });
  it('reports every problem of a message, not only the first', () => {
    const r = validateDecision({ v: 2, controller: 'a/b', seq: -1, t: 'now', phase: 'ns' });
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems.map((p) => p.path).sort()).toEqual(['/controller', '/seq', '/t', '/v']);
  });
  it('refuses a status without online', () => {
    expect(validateStatus({ v: 1 })).toMatchObject({ ok: false, problems: [{ path: '/online' }] });
  });
});
