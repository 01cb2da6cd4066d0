/** Every sink, one line each (collector/sinks/registry.ts reads this list). */
export { embedded } from './embedded/index.ts';
export { influxV1 } from './influx-v1/index.ts';
export { influxV2 } from './influx-v2/index.ts';
