/**
 * What a controller asks of a signal: a phase, and who asks. The safety monitor decides what
 * the heads show; a request is only ever a wish.
 */
export interface Request {
  /** the phase id wanted green */
  phase: string;
  /** the controller's name, shown in the signal message while it is in control */
  controller: string;
}
