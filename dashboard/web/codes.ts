/** The live feed's one-letter movement states, back to their J2735 names (for data-state). */
import type { MovementState } from '../../protocol/index.ts';
import type { StateCode } from '../source.ts';

export const STATE_OF: Record<StateCode, MovementState> = {
  d: 'dark',
  r: 'stop-And-Remain',
  G: 'protected-Movement-Allowed',
  g: 'permissive-Movement-Allowed',
  Y: 'protected-clearance',
  y: 'permissive-clearance',
};

export const PHASE_COLORS = ['#38bdf8', '#a78bfa', '#34d399', '#f472b6', '#2dd4bf', '#818cf8'];
export const APPROACH_COLORS: Record<string, string> = {
  N: '#38bdf8',
  S: '#a78bfa',
  E: '#34d399',
  W: '#fbbf24',
};
export const colorOf = (approach: string, k: number) =>
  APPROACH_COLORS[approach] ?? PHASE_COLORS[k % PHASE_COLORS.length]!;
