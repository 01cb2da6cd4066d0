import { describe, expect, it } from 'vitest';
import {
  conflictMatrix,
  detectorsOf,
  exitApproach,
  type IntersectionConfig,
  laneGroups,
  movementsConflict,
  validateIntersection,
} from '../../protocol/index.ts';
import { nema8, twoPhase } from '../fixtures/intersections.ts';

const fourLegs = { N: { lanes: 1 }, S: { lanes: 1 }, E: { lanes: 1 }, W: { lanes: 1 } };
const base = (
  phases: IntersectionConfig['phases'],
  extra: Partial<IntersectionConfig> = {},
): IntersectionConfig => ({
  id: 'x',
  approaches: fourLegs,
  phases,
  yellowS: 3,
  allRedS: 1,
  ...extra,
});

describe('conflict relation from geometry', () => {
  it('crossing throughs conflict; opposing throughs do not', () => {
    expect(movementsConflict(twoPhase, 'N-through', 'E-through')).toBe(true);
    expect(movementsConflict(twoPhase, 'N-through', 'S-through')).toBe(false);
  });
  it('a left turn crosses the opposing through; opposing lefts do not conflict', () => {
    expect(movementsConflict(nema8, 'N-left', 'S-through')).toBe(true);
    expect(movementsConflict(nema8, 'N-left', 'S-left')).toBe(false);
  });
  it('merging movements conflict (same exit)', () => {
    expect(exitApproach(nema8, 'E-right')).toBe('N');
    expect(exitApproach(nema8, 'S-through')).toBe('N');
    expect(movementsConflict(nema8, 'E-right', 'S-through')).toBe(true);
  });
  it('movements of one approach never conflict with each other', () => {
    expect(movementsConflict(nema8, 'N-left', 'N-through')).toBe(false);
  });
  it('is symmetric', () => {
    const m = conflictMatrix(nema8);
    for (const [a, set] of m) for (const b of set) expect(m.get(b)!.has(a)).toBe(true);
  });
});

describe('phases are checked against the conflicts', () => {
  it('refuses N-through with E-through in one phase, naming both', () => {
    const r = validateIntersection(
      base([{ id: 'bad', movements: ['N-through', 'E-through'], minGreenS: 5, maxGreenS: 30 }]),
    );
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems[0]!.path).toBe('/phases/0/movements');
    expect(r.problems[0]!.message).toContain('N-through');
    expect(r.problems[0]!.message).toContain('E-through');
  });
  it('accepts the NEMA 8-phase dual ring', () => {
    expect(validateIntersection(nema8)).toMatchObject({ ok: true });
  });
  it('derives the NEMA ring-and-barrier structure from geometry alone', () => {
    // NEMA phases as movements; rights run with their throughs.
    const nema: Record<number, string[]> = {
      1: ['N-left'],
      2: ['S-through', 'S-right'],
      3: ['E-left'],
      4: ['W-through', 'W-right'],
      5: ['S-left'],
      6: ['N-through', 'N-right'],
      7: ['W-left'],
      8: ['E-through', 'E-right'],
    };
    const conflict = (a: number, b: number) =>
      nema[a]!.some((x) => nema[b]!.some((y) => movementsConflict(nema8, x, y)));
    // Same ring, same barrier: sequential, so they must conflict.
    for (const [a, b] of [
      [1, 2],
      [5, 6],
      [3, 4],
      [7, 8],
    ] as const)
      expect(conflict(a, b), `φ${a} vs φ${b}`).toBe(true);
    // Across the rings, within a barrier: the concurrent pairs are conflict-free.
    const pairs = [
      [1, 5],
      [1, 6],
      [2, 5],
      [2, 6],
      [3, 7],
      [3, 8],
      [4, 7],
      [4, 8],
    ] as const;
    for (const [a, b] of pairs) expect(conflict(a, b), `φ${a}+φ${b}`).toBe(false);
    // The fixture's eight stages are exactly these pairs.
    const stages = nema8.phases.map((p) => [...p.movements].sort());
    for (const [a, b] of pairs) expect(stages).toContainEqual([...nema[a]!, ...nema[b]!].sort());
    expect(stages).toHaveLength(8);
  });
  it('accepts a simple two-phase intersection, also with permissive lefts', () => {
    expect(validateIntersection(twoPhase)).toMatchObject({ ok: true });
    const permissive = base([
      {
        id: 'ns',
        movements: ['N-left', 'N-through', 'N-right', 'S-left', 'S-through', 'S-right'],
        permissive: ['N-left', 'S-left'],
        minGreenS: 5,
        maxGreenS: 40,
      },
      {
        id: 'ew',
        movements: ['E-left', 'E-through', 'E-right', 'W-left', 'W-through', 'W-right'],
        permissive: ['E-left', 'W-left'],
        minGreenS: 5,
        maxGreenS: 40,
      },
    ]);
    expect(validateIntersection(permissive)).toMatchObject({ ok: true });
  });
  it('refuses the same lefts when they are not marked permissive', () => {
    const r = validateIntersection(
      base([
        {
          id: 'ns',
          movements: ['N-left', 'N-through', 'S-left', 'S-through'],
          minGreenS: 5,
          maxGreenS: 40,
        },
        { id: 'ew', movements: ['E-through', 'W-through'], minGreenS: 5, maxGreenS: 40 },
      ]),
    );
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.problems.map((p) => p.message).join()).toMatch(
        /N-left and S-through|N-through and S-left/,
      );
  });
  it('refuses a permissive turn that would cross a side-street movement', () => {
    const r = validateIntersection(
      base([
        {
          id: 'x',
          movements: ['N-left', 'E-through'],
          permissive: ['N-left'],
          minGreenS: 5,
          maxGreenS: 40,
        },
      ]),
    );
    expect(r.ok).toBe(false);
  });
  it.each([
    [{ yellowS: 2.5 }, '/yellowS'],
    [{ yellowS: 7 }, '/yellowS'],
    [{ allRedS: -1 }, '/allRedS'],
    [{ allRedS: 6.5 }, '/allRedS'],
  ])('refuses clearance outside MUTCD practice: %j', (extra, path) => {
    const r = validateIntersection({ ...twoPhase, ...extra });
    expect(r).toMatchObject({ ok: false, problems: [{ path }] });
  });
  it.each([
    { yellowS: 3, allRedS: 0 },
    { yellowS: 6, allRedS: 6 },
  ])('accepts clearance at the bounds: %j', (extra) => {
    expect(validateIntersection({ ...twoPhase, ...extra, plan: undefined }).ok).toBe(true);
  });
  it('refuses a movement on an approach that does not exist, min above max, a plan naming an unknown phase', () => {
    const r = validateIntersection({
      ...twoPhase,
      phases: [
        { id: 'ns', movements: ['Q-through'], minGreenS: 5, maxGreenS: 40 },
        { id: 'ew', movements: ['E-through'], minGreenS: 50, maxGreenS: 40 },
      ],
      plan: { cycleS: 60, greenS: { zz: 10 } },
    });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      const paths = r.problems.map((p) => p.path);
      expect(paths).toContain('/phases/0/movements/0');
      expect(paths).toContain('/phases/1/minGreenS');
      expect(paths).toContain('/plan/greenS/zz');
    }
  });
  it('needs a bearing for approach names it cannot place', () => {
    const r = validateIntersection({
      ...twoPhase,
      approaches: { ...fourLegs, Mall: { lanes: 1 } },
    });
    expect(r).toMatchObject({ ok: false, problems: [{ path: '/approaches/Mall' }] });
    expect(
      validateIntersection({
        ...twoPhase,
        approaches: { ...fourLegs, Mall: { lanes: 1, bearingDeg: 45 } },
      }).ok,
    ).toBe(true);
  });
});

describe('lane groups and default detectors', () => {
  it('shares lanes per approach, or per movement', () => {
    expect(laneGroups(twoPhase).map((g) => g.id)).toEqual([
      'N-through',
      'S-through',
      'E-through',
      'W-through',
    ]);
    expect(laneGroups(nema8).find((g) => g.id === 'N-through')?.lanes).toBe(2);
  });
  it('gives one stop-bar and one advance detector per lane group', () => {
    const d = detectorsOf(twoPhase);
    expect(d).toHaveLength(8);
    expect(d.map((x) => x.id)).toContain('N-through-stop');
    expect(d.map((x) => x.id)).toContain('N-through-advance');
  });
});
