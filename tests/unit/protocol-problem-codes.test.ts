/**
 * Validator problems carry stable codes: every problem has a documented code, and the
 * collector's stored reject reason follows the code, not the message's words.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { reasonOf } from '../../collector/points.ts';
import {
  decodeMessage,
  PROBLEM_CODES,
  type Problem,
  validateIntersection,
  validateScenario,
} from '../../protocol/index.ts';

const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');

const counts = {
  v: 1,
  sensor: 's1',
  boot: 'b1',
  seq: 1,
  from: 1_764_340_000_000,
  to: 1_764_340_060_000,
  detectors: [{ id: 'd1', count: 3 }],
};

describe('problem codes', () => {
  it('docs/protocol.md lists every code', () => {
    for (const code of Object.keys(PROBLEM_CODES)) expect(doc, code).toContain(`| \`${code}\` |`);
  });

  it('every problem of a bad message, config or scenario has a known code', () => {
    const problems: Problem[] = [];
    const bad: Array<[Parameters<typeof decodeMessage>[0], string | Uint8Array]> = [
      ['counts', ''],
      ['counts', 'x'.repeat(70_000)],
      ['counts', new Uint8Array([0xff, 0xfe])],
      ['counts', '[[[[[[[[[[1]]]]]]]]]]'],
      ['counts', '{"v":'],
      ['counts', '[]'],
      ['counts', JSON.stringify({ ...counts, extra: 1, seq: 'x', sensor: 'a b' })],
      ['counts', JSON.stringify({ ...counts, v: 2, detectors: [{ id: 'd', count: -1 }] })],
      ['counts', JSON.stringify({ ...counts, to: counts.from })],
      [
        'counts',
        JSON.stringify({ ...counts, detectors: [...counts.detectors, ...counts.detectors] }),
      ],
      ['signal', '{}'],
    ];
    for (const [kind, payload] of bad) {
      const r = decodeMessage(kind, payload);
      expect(r.ok, `${kind} ${String(payload).slice(0, 40)}`).toBe(false);
      if (!r.ok) problems.push(...r.problems);
    }
    const ic = validateIntersection({
      v: 1,
      id: 'a',
      approaches: { N: { lanes: 1 }, Q: { lanes: 1 } },
      phases: [
        { id: 'p', movements: ['N-through', 'N-through', 'X-left'], minGreenS: 9, maxGreenS: 5 },
        { id: 'p', movements: ['Q-through'], minGreenS: 5, maxGreenS: 9 },
      ],
      yellowS: 3,
      allRedS: 1,
    });
    expect(ic.ok).toBe(false);
    if (!ic.ok) problems.push(...ic.problems);
    const sc = validateScenario({});
    if (!sc.ok) problems.push(...sc.problems);
    expect(problems.length).toBeGreaterThan(15);
    for (const p of problems) expect(Object.keys(PROBLEM_CODES), p.message).toContain(p.code);
    const seen = new Set(problems.map((p) => p.code));
    for (const c of ['too-large', 'empty', 'not-utf8', 'too-deep', 'not-json', 'not-object'])
      expect(seen, c).toContain(c);
    for (const c of ['interval-order', 'duplicate-detector', 'green-range', 'duplicate-phase'])
      expect(seen, c).toContain(c);
  });
});

describe('reasonOf: the stored reject reason follows the code, not the words', () => {
  it('a payload code is its own reason, whatever the message says', () => {
    const p = (code: Problem['code'], message: string): Problem[] => [{ code, path: '/', message }];
    expect(reasonOf(p('too-large', 'reworded: much too big'))).toBe('too-large');
    expect(reasonOf(p('not-json', 'unreadable text'))).toBe('not-json');
    expect(reasonOf(p('empty', 'nothing here'))).toBe('empty');
    // words that used to be matched no longer decide anything
    expect(reasonOf(p('missing-field', 'payload is empty'))).toBe('schema');
    expect(reasonOf(p('out-of-range', 'payload is not JSON: over the byte limit'))).toBe('schema');
    expect(reasonOf([])).toBe('schema');
  });
});
