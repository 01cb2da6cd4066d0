/**
 * Conflicting greens as the dashboard flags them (issue 18.8): every state the safety monitor
 * can show is clean; crossing greens are flagged; a permissive turn yielding to opposing
 * traffic is not a conflict.
 */
import { describe, expect, it } from 'vitest';
import { conflictingGreens } from '../../dashboard/conflicts.ts';
import type { MovementState } from '../../protocol/index.ts';
import { servedMovements } from '../../protocol/intersection.ts';
import { nema8, twoPhase } from '../fixtures/intersections.ts';

const G: MovementState = 'protected-Movement-Allowed';
const g: MovementState = 'permissive-Movement-Allowed';
const r: MovementState = 'stop-And-Remain';

describe('conflictingGreens', () => {
  it('finds none in any phase of the fixtures shown alone', () => {
    for (const config of [twoPhase, nema8]) {
      for (const phase of config.phases) {
        const movements: Record<string, MovementState> = {};
        for (const m of servedMovements(config)) movements[m] = phase.movements.includes(m) ? G : r;
        expect(conflictingGreens(config, movements), `${config.id}/${phase.id}`).toEqual([]);
      }
    }
  });

  it('flags crossing greens, and only the movements involved', () => {
    expect(
      conflictingGreens(twoPhase, {
        'N-through': G,
        'S-through': G,
        'E-through': G,
        'W-through': r,
      }),
    ).toEqual(['E-through', 'N-through', 'S-through']);
    expect(conflictingGreens(nema8, { 'N-left': G, 'S-through': G })).toEqual([
      'N-left',
      'S-through',
    ]);
  });

  it('a permissive left yielding to the opposing through is no conflict; to a side street it is', () => {
    expect(conflictingGreens(nema8, { 'N-left': g, 'S-through': G, 'N-through': G })).toEqual([]);
    expect(conflictingGreens(nema8, { 'N-left': g, 'E-through': G })).toEqual([
      'E-through',
      'N-left',
    ]);
  });
});
