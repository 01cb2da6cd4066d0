/** Errors of the TraCI client: a stable `code` to match on, a sentence for people. */

export type TraciErrorCode =
  /** SUMO answered a command with an error status (unknown id, bad value, …). */
  | 'TRACI_COMMAND_FAILED'
  /** SUMO speaks a TraCI API version this client was not built for. */
  | 'TRACI_VERSION_MISMATCH'
  /** SUMO exited or closed the connection while calls were pending or after. */
  | 'TRACI_SUMO_EXITED'
  /** SUMO did not answer within `callTimeoutMs`; the connection is given up (answers would be out of step). */
  | 'TRACI_TIMEOUT'
  /** The client was closed; no more calls. */
  | 'TRACI_CLOSED'
  /** Could not connect to SUMO (nothing listening, or SUMO never opened its port). */
  | 'TRACI_CONNECT_FAILED'
  /** The `sumo` binary was not found. */
  | 'TRACI_SUMO_NOT_FOUND'
  /** SUMO sent bytes this client cannot decode. */
  | 'TRACI_PROTOCOL';

export class TraciError extends Error {
  readonly code: TraciErrorCode;
  constructor(code: TraciErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TraciError';
    this.code = code;
  }
}
