/**
 * Identifiers of the protocol: intersections, sensors, controllers, detectors, phases.
 * [protocol v1: ids] `^[A-Za-z0-9_-]{1,64}$` — no `/`, `+`, `#`, so an id can never
 * break a topic level or act as an MQTT wildcard.
 */
export const ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';
const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** True when `value` is a valid protocol id. */
export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && ID_RE.test(value);
}

/** Error thrown for a bad id; `code` is stable for callers and docs. */
export class InvalidIdError extends Error {
  readonly code = 'OP_BAD_ID';
  constructor(
    readonly kind: string,
    readonly value: unknown,
  ) {
    super(
      `invalid ${kind} id ${JSON.stringify(value)}: ids are 1-64 characters of A-Z, a-z, 0-9, '_' or '-' (no '/', '+', '#')`,
    );
    this.name = 'InvalidIdError';
  }
}

/**
 * Throws {@link InvalidIdError} naming the id when it is not valid.
 * @example assertId('intersection', 'a-12') // ok
 */
export function assertId(kind: string, value: unknown): string {
  if (!isValidId(value)) throw new InvalidIdError(kind, value);
  return value;
}
