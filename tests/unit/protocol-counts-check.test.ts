/**
 * The collector's hand-written counts check (protocol/counts-check.ts) is a second
 * implementation of the counts schema and rules: it must accept exactly what the compiled schema
 * path accepts, and `decodeMessage` must give the same answer, problems included, either way.
 * `decodeMessage`'s fast lane for counts bytes must answer as the careful path does.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidCounts } from '../../protocol/counts-check.ts';
import {
  DEFAULT_LIMITS,
  decodeMessage,
  validateCounts,
  validateCountsBySchema,
} from '../../protocol/index.ts';

const id = fc.oneof(
  fc.constantFrom('N-through-stop', 'S-through-advance', 'a', 'x'.repeat(64)),
  fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/),
);
const reading = fc.record(
  {
    id,
    count: fc.integer({ min: 0, max: 100_000 }),
    occupancy: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1)),
    speedKmh: fc.double({ min: 0, max: 400, noNaN: true }),
  },
  { requiredKeys: ['id', 'count'] },
);
const actuation = fc
  .record({ id, onMs: fc.integer({ min: 0, max: 4e12 }), len: fc.integer({ min: 0, max: 5000 }) })
  .map(({ id, onMs, len }) => ({ id, onMs, offMs: onMs + len }));
const valid = fc
  .record(
    {
      v: fc.constant(1),
      sensor: id,
      boot: id,
      seq: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER)),
      from: fc.integer({ min: 0, max: 4e12 }),
      len: fc.integer({ min: 1, max: 60_000 }),
      detectors: fc.uniqueArray(reading, { selector: (r) => r.id, maxLength: 10 }),
      actuations: fc.array(actuation, { maxLength: 3 }),
    },
    { requiredKeys: ['v', 'sensor', 'boot', 'seq', 'from', 'len', 'detectors'] },
  )
  .map(({ len, ...m }) => ({ ...m, to: m.from + len }) as Record<string, unknown>);

/** Values a sender might put anywhere by mistake. */
const odd = fc.constantFrom(
  -1,
  0,
  1.5,
  -0,
  2,
  1e21,
  2 ** 53,
  8_640_000_000_000_001,
  100_001,
  400.5,
  '3',
  '',
  'bad id',
  'x'.repeat(65),
  'Zürich',
  null,
  true,
  [],
  {},
  [1],
  { id: 'a', count: 1 },
);

type Msg = Record<string, unknown> & { detectors?: unknown; actuations?: unknown };
/** One mistake applied to a valid message (or none). */
const mutated = fc
  .tuple(
    valid,
    fc.nat(),
    fc.constantFrom(
      'none',
      'top',
      'drop',
      'extra',
      'reading',
      'reading-extra',
      'reading-drop',
      'dup',
      'order',
      'actuation',
      'act-order',
    ),
    odd,
  )
  .map(([m, n, how, v]) => {
    const msg = structuredClone(m) as Msg;
    const dets = msg.detectors as Record<string, unknown>[];
    const keys = ['v', 'sensor', 'boot', 'seq', 'from', 'to', 'detectors', 'actuations'];
    const key = keys[n % keys.length]!;
    switch (how) {
      case 'top':
        msg[key] = v;
        break;
      case 'drop':
        delete msg[key];
        break;
      case 'extra':
        msg[`k${n % 3}`] = v;
        break;
      case 'reading':
        if (dets.length > 0)
          dets[n % dets.length]![['id', 'count', 'occupancy', 'speedKmh'][n % 4]!] = v;
        else msg.detectors = [v];
        break;
      case 'reading-extra':
        if (dets.length > 0) dets[n % dets.length]!.extra = v;
        break;
      case 'reading-drop':
        if (dets.length > 0) delete dets[n % dets.length]![n % 2 ? 'id' : 'count'];
        break;
      case 'dup':
        if (dets.length > 0) dets.push({ ...dets[n % dets.length]! });
        break;
      case 'order':
        msg.to = msg.from;
        break;
      case 'actuation':
        msg.actuations = [v];
        break;
      case 'act-order':
        msg.actuations = [{ id: 'a', onMs: 10, offMs: 9 }];
        break;
    }
    return msg;
  });

describe('the fast counts check is a second implementation of the counts schema and rules', () => {
  it('accepts exactly what the schema path accepts (property, valid and mutated messages)', () => {
    fc.assert(
      fc.property(mutated, fc.constantFrom(256, 3), (msg, maxDetectors) => {
        const limits = { ...DEFAULT_LIMITS, maxDetectors };
        // the collector checks what JSON.parse made: check that, and the object as built
        for (const v of [msg, JSON.parse(JSON.stringify(msg))]) {
          const reference = validateCountsBySchema(v, limits);
          expect(isValidCounts(v, maxDetectors)).toBe(reference.ok);
          expect(validateCounts(v, limits)).toEqual(reference);
        }
      }),
      { seed: 16, numRuns: 2000 },
    );
  });

  it('leaves anything that is not a plain object to the schema path', () => {
    for (const v of [null, 1, 'x', [], Object.create(null), new Map()]) {
      expect(isValidCounts(v)).toBe(false);
      expect(validateCounts(v)).toEqual(validateCountsBySchema(v));
    }
  });
});

describe('the counts fast lane of decodeMessage (bytes read as Latin-1) changes no answer', () => {
  const payloads = fc.oneof(
    mutated.map((m) => JSON.stringify(m)),
    valid.map((m) => JSON.stringify(m, null, 2)),
    // non-ASCII where an id or a string would be, escapes, and bytes that are not UTF-8
    valid.map((m) => JSON.stringify({ ...m, boot: 'Zürich' })),
    valid.map((m) => JSON.stringify(m).replace('"sensor":"', '"sensor":"\\u00fc')),
    fc.uint8Array({ maxLength: 64 }),
    fc.jsonValue({ maxDepth: 12 }).map((v) => JSON.stringify(v) ?? 'null'),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom('[[[[[[[[[1]]]]]]]]]', '{"v":1,', '', ' '),
  );
  it('same result as for the same text given as a string (which never takes it) (property)', () => {
    fc.assert(
      fc.property(payloads, fc.constantFrom(8, 2), (p, maxDepth) => {
        const limits = { ...DEFAULT_LIMITS, maxDepth };
        const bytes = typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p);
        const got = decodeMessage('counts', bytes, limits);
        const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
        if (Buffer.from(text, 'utf8').equals(bytes))
          expect(got).toEqual(decodeMessage('counts', text, limits));
        else expect(got).toMatchObject({ ok: false, problems: [{ code: 'not-utf8' }] });
        // a plain Uint8Array (not a Buffer) reads the same
        expect(decodeMessage('counts', new Uint8Array(bytes), limits)).toEqual(got);
      }),
      { seed: 8, numRuns: 3000 },
    );
  });
  it('still checks size and nesting first', () => {
    const good = JSON.stringify({
      v: 1,
      sensor: 's',
      boot: 'b',
      seq: 0,
      from: 0,
      to: 1,
      detectors: [],
    });
    expect(decodeMessage('counts', Buffer.from(good)).ok).toBe(true);
    expect(
      decodeMessage('counts', Buffer.from(good), { ...DEFAULT_LIMITS, maxPayloadBytes: 10 }),
    ).toMatchObject({ ok: false, problems: [{ code: 'too-large' }] });
    expect(decodeMessage('counts', Buffer.from('[[[[[[[[[1]]]]]]]]]'))).toMatchObject({
      ok: false,
      problems: [{ code: 'too-deep' }],
    });
  });
});
