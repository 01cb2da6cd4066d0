/**
 * The sinks, by name. Adding a sink: one file exporting a factory, one line here, a docs
 * section in docs/influxdb.md and a `runSinkContract` run (tests/contracts/sink.contract.ts).
 */
import { createEmbeddedSink, type EmbeddedOptions } from './embedded.ts';
import { createInfluxV1Sink, type InfluxV1Options } from './influx-v1.ts';
import { createInfluxV2Sink, type InfluxV2Options } from './influx-v2.ts';
import type { Sink } from './types.ts';

export type SinkOptions =
  | ({ kind: 'influx-v1' } & InfluxV1Options)
  | ({ kind: 'influx-v2' } & InfluxV2Options)
  | ({ kind: 'embedded' } & EmbeddedOptions);

export type SinkKind = SinkOptions['kind'];

type Factory<K extends SinkKind> = (o: Extract<SinkOptions, { kind: K }>) => Sink;

export const SINKS: { [K in SinkKind]: { summary: string; create: Factory<K> } } = {
  'influx-v1': {
    summary: 'InfluxDB 1.x /write (also 2.x/3.x v1 compatibility)',
    create: createInfluxV1Sink,
  },
  'influx-v2': {
    summary: 'InfluxDB 2.x/3.x /api/v2/write with a token',
    create: createInfluxV2Sink,
  },
  embedded: {
    summary: 'append-only line-protocol files + in-memory window',
    create: createEmbeddedSink,
  },
};

/** @example createSink({ kind: 'embedded', dir: 'data/points' }) */
export function createSink(o: SinkOptions): Sink {
  return (SINKS[o.kind].create as (o: SinkOptions) => Sink)(o);
}

/** Options a command line or environment gives; which of them are set picks the sink. */
export interface SinkChoice {
  influxUrl?: string;
  influxDb?: string;
  influxUsername?: string;
  influxPassword?: string;
  influxToken?: string;
  influxOrg?: string;
  influxBucket?: string;
  /** InfluxDB 1.x: create the database if it is missing (`--create-db`) */
  createDb?: boolean;
  /** embedded store directory */
  dataDir: string;
}

/**
 * `--influx-url` + `--influx-db` → influx-v1; `--influx-url` + token/org/bucket → influx-v2;
 * neither → the embedded store. Throws in plain words on a half-given set.
 */
export function chooseSink(c: SinkChoice): SinkOptions {
  if (!c.influxUrl) {
    if (c.influxDb || c.influxToken || c.influxOrg || c.influxBucket) {
      throw new Error('--influx-db/--influx-token/--influx-org/--influx-bucket need --influx-url');
    }
    return { kind: 'embedded', dir: c.dataDir };
  }
  if (c.influxToken || c.influxOrg || c.influxBucket) {
    if (!c.influxToken || !c.influxOrg || !c.influxBucket) {
      throw new Error('InfluxDB 2.x/3.x needs --influx-token, --influx-org and --influx-bucket');
    }
    return {
      kind: 'influx-v2',
      url: c.influxUrl,
      token: c.influxToken,
      org: c.influxOrg,
      bucket: c.influxBucket,
    };
  }
  if (!c.influxDb) throw new Error('InfluxDB 1.x needs --influx-db (or INFLUX_DB)');
  return {
    kind: 'influx-v1',
    url: c.influxUrl,
    database: c.influxDb,
    username: c.influxUsername,
    password: c.influxPassword,
    ...(c.createDb ? { createDatabase: true } : {}),
  };
}
