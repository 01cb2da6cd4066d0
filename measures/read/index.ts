/** The measures' store readers, one per store kind. */
export { embeddedMeasures } from './embedded.ts';
export { measuresReaderFor } from './for-sink.ts';
export {
  type InfluxQL,
  type InfluxV1ReadOptions,
  type InfluxV2ReadOptions,
  influxqlMeasures,
  influxV1Measures,
  influxV2Measures,
} from './influxql.ts';
export type { MeasuresReader } from './types.ts';
