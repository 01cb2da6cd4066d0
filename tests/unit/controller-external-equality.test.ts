/**
 * The vendor example (examples/external-controller, plain JavaScript, no imports from
 * OpenPhase) re-implements the built-in `fixed-time`: fed the same messages it must make the
 * same decisions, with a plan, and re-timing from counts (with losses and dropouts) without one.
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs module with JSDoc types, outside the TypeScript project
import { createFixedTime as createExternal } from '../../examples/external-controller/fixed-time.mjs';
import type { Counts, IntersectionConfig, Signal } from '../../protocol/index.ts';
import { runLoop } from '../contracts/controller-loop.ts';
import { nema8, twoPhase } from '../fixtures/intersections.ts';

function compare(config: IntersectionConfig, flowVph: (t: number) => Record<string, number>) {
  const ext = createExternal(config) as {
    onCounts(c: Counts): void;
    decide(s: Signal): string;
  };
  const external: string[] = [];
  const r = runLoop({
    config,
    algorithm: 'fixed-time',
    seed: 5,
    durationS: 2 * 3600,
    flowVph,
    faults: [{ detector: 'N-through-advance', kind: 'dropout', fromS: 1000, toS: 2500 }],
    tap(kind, m) {
      if (kind === 'counts') ext.onCounts(m as Counts);
      else external.push(ext.decide(m as Signal));
    },
  });
  return { builtin: r.decisions, external };
}

const heavyNs = (t: number) => ({
  'N-through': t < 3600 ? 800 : 200,
  'S-through': 500,
  'E-through': 150,
  'W-through': t < 3600 ? 100 : 600,
});

describe('external controller example = built-in fixed-time', () => {
  it('with the config plan', () => {
    const { builtin, external } = compare(twoPhase, heavyNs);
    expect(external).toEqual(builtin);
  });

  it('re-timing a Webster plan from counts every 15 min (two-phase)', () => {
    const { builtin, external } = compare({ ...twoPhase, plan: undefined }, heavyNs);
    expect(new Set(builtin).size).toBe(2);
    expect(external).toEqual(builtin);
  });

  it('re-timing a Webster plan from counts every 15 min (NEMA 8-phase)', () => {
    const { builtin, external } = compare(nema8, (t) => ({
      'N-left': 150,
      'S-left': 60,
      'N-through': t < 3600 ? 900 : 300,
      'S-through': 700,
      'E-through': 300,
      'W-through': 250,
      'E-left': 40,
      'W-left': 90,
    }));
    expect(external).toEqual(builtin);
  });
});
