/**
 * The structured point every sink takes (pure types): a measurement, tags, typed fields and a
 * time. Sinks choose their own encoding (line protocol for InfluxDB and the embedded store's
 * files); the collector never hands a sink text.
 */

/** An integer field (`count=3i` in line protocol); a plain number is a float field. */
export interface IntValue {
  readonly int: number;
}
export type FieldValue = number | string | boolean | IntValue;

export interface Point {
  measurement: string;
  /** undefined and empty values mean "no such tag" */
  tags: Readonly<Record<string, string | undefined>>;
  /** undefined means "no such field"; a point with no field left is not stored */
  fields: Readonly<Record<string, FieldValue | undefined>>;
  /** epoch milliseconds UTC */
  timeMs: number;
  /** 0..999999 nanoseconds added to `timeMs` (keeps apart points of one series and millisecond) */
  subMsNs?: number;
}

/** @example int(3) // an integer field, not a float */
export const int = (n: number): IntValue => ({ int: n });
