/** The InfluxDB 1.x sink as a plugin: options, factory and counts reader (README.md). */

import { defineSink, origin } from '../plugin.ts';
import { createInfluxV1History } from './history.ts';
import { createInfluxV1Reader } from './reader.ts';
import { createInfluxV1Sink, type InfluxV1Options } from './sink.ts';

export { createInfluxV1Reader } from './reader.ts';
export { createInfluxV1Sink, type InfluxV1Options } from './sink.ts';

export const influxV1 = defineSink<'influx-v1', InfluxV1Options>({
  kind: 'influx-v1',
  summary: 'InfluxDB 1.x /write (also 2.x/3.x v1 compatibility)',
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
      key: 'database',
      flag: 'influx-db',
      arg: 'name',
      env: 'INFLUX_DB',
      required: true,
      selects: true,
      description: 'InfluxDB 1.x database',
    },
    {
      key: 'username',
      flag: 'influx-username',
      arg: 'name',
      env: 'INFLUX_USERNAME',
      description: 'InfluxDB 1.x user',
    },
    {
      key: 'password',
      flag: 'influx-password',
      arg: 'secret',
      env: 'INFLUX_PASSWORD',
      secret: true,
      description: 'InfluxDB 1.x password',
    },
    {
      key: 'createDatabase',
      flag: 'create-db',
      env: 'INFLUX_CREATE_DB',
      type: 'boolean',
      description:
        'create the InfluxDB 1.x database if it is missing (without it, a missing database is an error)',
    },
  ],
  create: createInfluxV1Sink,
  reader: (o) => createInfluxV1Reader(o),
  history: (o) => createInfluxV1History(o),
  identity: (o) => `influx-v1 ${origin(o.url)} db=${o.database}`,
  describe: (o) => `InfluxDB ${origin(o.url)} database ${o.database}`,
});
