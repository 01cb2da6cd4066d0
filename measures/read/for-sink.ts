/** The measures reader of the store a sink writes to (the same flags as the collector's). */
import type { SinkOptions } from '../../collector/sinks/registry.ts';
import { embeddedMeasures } from './embedded.ts';
import { influxV1Measures, influxV2Measures } from './influxql.ts';
import type { MeasuresReader } from './types.ts';

/** One line per store kind: how to read the measures' input from it. */
const READERS: {
  [K in SinkOptions['kind']]: (o: Extract<SinkOptions, { kind: K }>) => MeasuresReader;
} = {
  embedded: (o) => embeddedMeasures({ dir: o.dir }),
  'influx-v1': (o) =>
    influxV1Measures({
      url: o.url,
      database: o.database,
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
    }),
  'influx-v2': (o) => influxV2Measures({ url: o.url, bucket: o.bucket, token: o.token }),
};

export function measuresReaderFor(o: SinkOptions): MeasuresReader {
  return (READERS[o.kind] as (o: SinkOptions) => MeasuresReader)(o);
}
