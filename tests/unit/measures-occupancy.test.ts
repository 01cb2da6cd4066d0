import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { occupiedMs, unionOnTimes } from '../../measures/occupancy.ts';
import { laneGroupTimeline, services } from '../../measures/timeline.ts';

describe('occupancy from actuations', () => {
  it('equals a millisecond-by-millisecond count for any actuations and window', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 40 })), {
          maxLength: 30,
        }),
        fc.integer({ min: 0, max: 350 }),
        fc.integer({ min: 0, max: 350 }),
        (acts, a, b) => {
          const list = acts.map(([on, len]) => ({ detector: 'd', onMs: on, offMs: on + len }));
          const occ = unionOnTimes(list);
          let brute = 0;
          for (let t = a; t < b; t++) if (list.some((x) => x.onMs <= t && t < x.offMs)) brute++;
          expect(occupiedMs(occ, a, b)).toBe(brute);
        },
      ),
      { seed: 7, numRuns: 500 },
    );
  });
});

describe('lane group timeline from signal changes', () => {
  it('green, yellow, red per service; other phases are red', () => {
    const changes = [
      { atMs: 0, phase: 'ns', interval: 'green' as const },
      { atMs: 20, phase: 'ns', interval: 'yellow' as const },
      { atMs: 23, phase: 'ns', interval: 'red-clearance' as const },
      { atMs: 24, phase: 'ew', interval: 'green' as const },
      { atMs: 44, phase: 'ew', interval: 'yellow' as const },
      { atMs: 47, phase: 'ew', interval: 'red-clearance' as const },
      { atMs: 48, phase: 'ns', interval: 'green' as const },
    ];
    const seg = laneGroupTimeline(changes, new Set(['ns']), 100);
    expect(seg.map((s) => [s.fromMs, s.toMs, s.light])).toEqual([
      [0, 20, 'G'],
      [20, 23, 'Y'],
      [23, 48, 'R'],
      [48, 100, 'G'],
    ]);
    expect(services(seg)).toEqual([
      { greenStartMs: 0, yellowStartMs: 20, redStartMs: 23, nextGreenMs: 48 },
    ]);
  });
});
