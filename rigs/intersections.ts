/** The plain two-phase intersection the benchmarks load their grids with (8 default detectors). */
import type { IntersectionConfig } from '../protocol/index.ts';

export function twoPhaseConfig(id: string): IntersectionConfig {
  return {
    v: 1,
    id,
    approaches: { N: { lanes: 1 }, S: { lanes: 1 }, E: { lanes: 1 }, W: { lanes: 1 } },
    phases: [
      { id: 'ns', movements: ['N-through', 'S-through'], minGreenS: 5, maxGreenS: 40 },
      { id: 'ew', movements: ['E-through', 'W-through'], minGreenS: 5, maxGreenS: 40 },
    ],
    yellowS: 3,
    allRedS: 1,
  };
}
