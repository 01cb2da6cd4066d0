/** dashboard/: the HTTP API, the live feed and the page. */
export { buildWeb } from './build.ts';
export { attachLive, type LiveOptions, type LiveStats, snapshotEvents } from './live.ts';
export { createMqttSource, type MqttSourceOptions } from './mqtt-source.ts';
export { parseRange } from './query.ts';
export {
  createDashboard,
  type Dashboard,
  type DashboardOptions,
  DEFAULT_RATE_LIMIT,
} from './server.ts';
export type * from './source.ts';
export { STATE_CODES } from './source.ts';
export { emptyIntersection, reduce } from './state.ts';
export { createStore, type Store, type StoreOptions } from './store.ts';
