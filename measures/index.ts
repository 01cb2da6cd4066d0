/** ATSPM measures (pure): computeMeasures and the types; the store readers live in read.ts. */
export { computeMeasures, DEFAULTS as MEASURES_DEFAULTS } from './compute.ts';
export { formatMeasures } from './format.ts';
export type * from './types.ts';
