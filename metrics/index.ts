/** Measures the project reports: one quantile definition, latency samples. Imports nothing. */
export { createLatencySamples, type LatencySamples, type LatencySummary } from './latency.ts';
export {
  quantile,
  quantileIndex,
  quantileOfHistogram,
  quantileSorted,
  round2,
} from './quantile.ts';
