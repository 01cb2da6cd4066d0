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

/** Each case: a name, the raw payload, and a word the problem's path or message must contain. */
const MALFORMED: [string, string | Uint8Array, string][] = [
  [
    'count is a string',
    JSON.stringify({ ...clone(), detectors: [{ id: 'd', count: '3' }] }),
    'count',
  ],
  [
    'count is negative',
    JSON.stringify({ ...clone(), detectors: [{ id: 'd', count: -1 }] }),
    'count',
  ],
  [
    'count is fractional',
    JSON.stringify({ ...clone(), detectors: [{ id: 'd', count: 1.5 }] }),
    'count',
  ],
  [
    'occupancy above 1',
    JSON.stringify({ ...clone(), detectors: [{ id: 'd', count: 1, occupancy: 1.2 }] }),
    'occupancy',
  ],
  [
    'occupancy below 0',
    JSON.stringify({ ...clone(), detectors: [{ id: 'd', count: 1, occupancy: -0.1 }] }),
    'occupancy',
  ],
  [
    'speed negative',
    JSON.stringify({ ...clone(), detectors: [{ id: 'd', count: 1, speedKmh: -3 }] }),
    'speedKmh',
  ],
  ['from equals to', JSON.stringify({ ...clone(), from: 1000, to: 1000 }), 'to'],
  ['from after to', JSON.stringify({ ...clone(), from: 2000, to: 1000 }), 'to'],
  ['seq negative', JSON.stringify({ ...clone(), seq: -1 }), 'seq'],
  ['seq fractional', JSON.stringify({ ...clone(), seq: 1.5 }), 'seq'],
  ['seq a string', JSON.stringify({ ...clone(), seq: '7' }), 'seq'],
  [
    'detector id with a slash',
    JSON.stringify({ ...clone(), detectors: [{ id: 'a/b', count: 1 }] }),
    'id',
  ],
  [
    'detector id with a wildcard',
    JSON.stringify({ ...clone(), detectors: [{ id: 'a+', count: 1 }] }),
    'id',
  ],
  ['sensor id with #', JSON.stringify({ ...clone(), sensor: 'x#' }), 'sensor'],
  ['missing sensor', JSON.stringify({ ...clone(), sensor: undefined }), 'sensor'],
  ['missing detectors', JSON.stringify({ ...clone(), detectors: undefined }), 'detectors'],
  ['missing boot', JSON.stringify({ ...clone(), boot: undefined }), 'boot'],
  ['wrong version', JSON.stringify({ ...clone(), v: 2 }), 'v'],
  ['unknown field', JSON.stringify({ ...clone(), extra: 1 }), 'extra'],
  ['detectors not an array', JSON.stringify({ ...clone(), detectors: { id: 'd' } }), 'detectors'],
  ['from a string', JSON.stringify({ ...clone(), from: '2026-01-01' }), 'from'],
  [
    'duplicate detector',
    JSON.stringify({
      ...clone(),
      detectors: [
        { id: 'd', count: 1 },
        { id: 'd', count: 2 },
      ],
    }),
    'twice',
  ],
  [
    'actuation off before on',
    JSON.stringify({ ...clone(), actuations: [{ id: 'd', onMs: 5, offMs: 4 }] }),
    'offMs',
  ],
  [
    'oversized detectors array',
    JSON.stringify({
      ...clone(),
      detectors: Array.from({ length: 300 }, (_, i) => ({ id: `d${i}`, count: 0 })),
    }),
    'detectors',
  ],
  ['payload over the size limit', JSON.stringify({ ...clone(), pad: 'x'.repeat(70_000) }), 'limit'],
  ['a JSON array', '[1,2,3]', 'object'],
  ['a JSON number', '42', 'object'],
  ['JSON null', 'null', 'object'],
  ['not JSON', '{"v":1,', 'JSON'],
  ['empty payload', '', 'empty'],
  ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 'UTF-8'],
  ['deep nesting', `${'['.repeat(50)}${']'.repeat(50)}`, 'deeper'],
  [
    'deep nesting inside an object',
    JSON.stringify({ ...clone(), x: [[[[[[[[[[1]]]]]]]]]] }),
    'deeper',
  ],
];

describe('malformed counts payloads are refused with a reason naming the field', () => {
  it(`has at least 25 distinct cases (${MALFORMED.length})`, () => {
    expect(new Set(MALFORMED.map((m) => m[0])).size).toBeGreaterThanOrEqual(25);
  });
  it.each(MALFORMED)('%s', (_name, payload, word) => {
    const r = decodeMessage('counts', payload);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.length).toBeGreaterThan(0);
    expect(r.problems.map((p) => `${p.path} ${p.message}`).join('\n')).toContain(word);
  });
  it('accepts the good one through the same path', () => {
    expect(decodeMessage('counts', JSON.stringify(good)).ok).toBe(true);
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
      problems: [{ path: '/interval' }],
    });
    expect(validateSignal({ ...s, movements: { 'N-through': 'green' } }).ok).toBe(false);
  });
  it('refuses a status without online', () => {
    expect(validateStatus({ v: 1 })).toMatchObject({ ok: false, problems: [{ path: '/online' }] });
  });
});
