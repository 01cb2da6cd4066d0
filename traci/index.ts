/** A TraCI client for SUMO in TypeScript: connect or launch, step, get/set, subscribe. */
export type { ConnectTraciOptions, StepResult, TraciClient, TraciVersion } from './client.ts';
export { connectTraci } from './client.ts';
export { CMD, DOMAIN, type DomainIds, SUPPORTED_API_VERSIONS, TYPE, VAR } from './constants.ts';
export { TraciError, type TraciErrorCode } from './errors.ts';
export {
  freePort,
  type StartSumoOptions,
  SUMO_INSTALL_HINT,
  type SumoRun,
  startSumo,
  sumoArgs,
} from './launch.ts';
export type { SubscriptionResponse } from './protocol.ts';
export { Reader, type TraciValue, Writer } from './storage.ts';
