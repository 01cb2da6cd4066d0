/** The InfluxDB 2.x/3.x sink as a plugin: options and factory (README.md). */

import { defineSink, origin } from '../plugin.ts';
import { createInfluxV2History } from './history.ts';
import { createInfluxV2Sink, type InfluxV2Options } from './sink.ts';

export { createInfluxV2Sink, type InfluxV2Options } from './sink.ts';

export const influxV2 = defineSink<'influx-v2', InfluxV2Options>({
  kind: 'influx-v2',
  summary: 'InfluxDB 2.x/3.x /api/v2/write with a token',
  takesLines: true,
  options: [
    {
      key: 'url',
      flag: 'influx-url',
      arg: 'url',
      env: 'INFLUX_URL',
      required: true,
      description: 'InfluxDB URL',
    },
    {
      key: 'token',
      flag: 'influx-token',
      arg: 'token',
      env: 'INFLUX_TOKEN',
      required: true,
      selects: true,
      secret: true,
      description: 'InfluxDB 2.x/3.x token',
    },
    {
      key: 'org',
      flag: 'influx-org',
      arg: 'org',
      env: 'INFLUX_ORG',
      required: true,
      selects: true,
      description: 'InfluxDB 2.x/3.x organization',
    },
    {
      key: 'bucket',
      flag: 'influx-bucket',
      arg: 'bucket',
      env: 'INFLUX_BUCKET',
      required: true,
      selects: true,
      description: 'InfluxDB 2.x/3.x bucket',
    },
  ],
  create: createInfluxV2Sink,
  // no reader yet: counts queries say so (the dashboard shows the message)
  history: (o) => createInfluxV2History(o),
  identity: (o) => `influx-v2 ${origin(o.url)} org=${o.org} bucket=${o.bucket}`,
  describe: (o) => `InfluxDB ${origin(o.url)} org ${o.org} bucket ${o.bucket}`,
});
