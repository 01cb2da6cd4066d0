/** broker/: the embedded MQTT broker, the device registry, ACLs, and the Mosquitto export. */
export * from './acl.ts';
export * from './auth-backoff.ts';
export * from './broker.ts';
export type { BrokerStatsCounters } from './counters.ts';
export * from './credentials.ts';
export * from './frame-guard.ts';
export type { BrokerSession } from './in-process-session.ts';
export * from './limits.ts';
export * from './metrics.ts';
export * from './mosquitto-export.ts';
export * from './passwords.ts';
export * from './persistence.ts';
export * from './registry.ts';
export * from './retained.ts';
export * from './roles.ts';
export * from './topic-match.ts';
export type * from './types.ts';
