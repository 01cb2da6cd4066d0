/** protocol/: the open contract of OpenPhase v1. Pure: no I/O. */
export * from './drivers.ts';
export * from './ids.ts';
export * from './intersection.ts';
export * from './intersection-problems.ts';
export * from './intersection-schema.ts';
export * from './messages.ts';
export * from './plan-schedule.ts';
export * from './problems.ts';
export * from './scenario-schema.ts';
export * from './time-window.ts';
export * from './time-zone.ts';
export * from './topics.ts';
export * from './validate.ts';
