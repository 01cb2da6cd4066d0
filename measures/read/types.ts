/** Where the measures read their input: one interface, one implementation per store kind. */
import type { PointRange } from '../points.ts';
import type { MeasuresData } from '../types.ts';

export interface MeasuresReader {
  /** the signal changes (from a look-back before the range), actuations and counts of one intersection */
  read(q: PointRange): Promise<MeasuresData>;
}
