/**
 * Outputs that a refactor must not change: `simulate --json` of every bundled scenario × every
 * built-in algorithm × 2 seeds, and the bench scorecard (timing fields aside), byte for byte
 * against the digests in tests/fixtures/byte-identical/expected.json (written by generate.ts
 * from the code before the signal room and the one loop).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ALGORITHMS } from '../../controller/algorithms/registry.ts';
import { listBundledScenarios } from '../../simulator/index.ts';
import { benchDigest, type CaseDigest, SEEDS, simulateDigests } from '../helpers/byte-identical.ts';

const expected: CaseDigest[] = JSON.parse(
  readFileSync(new URL('../fixtures/byte-identical/expected.json', import.meta.url), 'utf8'),
);

describe('byte-identical outputs', () => {
  it('covers every bundled scenario × every built-in algorithm × 2 seeds', () => {
    const simulate = expected.filter((c) => c.case.startsWith('simulate '));
    expect(simulate).toHaveLength(listBundledScenarios().length * ALGORITHMS.length * SEEDS.length);
  });

  it('simulate --json is byte-identical', async () => {
    const got = await simulateDigests();
    expect(got).toEqual(expected.filter((c) => c.case.startsWith('simulate ')));
  }, 180_000);

  it('the bench scorecard is byte-identical, timing fields aside', async () => {
    const got = await benchDigest();
    expect(got).toEqual(expected.find((c) => c.case.startsWith('bench ')));
  }, 180_000);
});
