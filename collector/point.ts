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
  /**
   * Optional: one object shared by every point of this series (same measurement and tags) and
   * by no other, so a sink may keep the series' encoding by it. Never needed to read the point.
   */
  series?: object;
  /**
   * Optional: this point's line (exactly what `encodePoint` makes of it) as UTF-8 bytes, when
   * the point was made straight from a message's bytes (collector/line-point.ts). A line-protocol
   * sink may copy it instead of encoding. Never needed to read the point.
   */
  encoded?: EncodedLine;
}

/** A line of line protocol kept as bytes: `bytes[start..end)`, no newline. */
export interface EncodedLine {
  readonly bytes: Buffer;
  readonly start: number;
  readonly end: number;
}

/** Small non-negative integers, made once (counts are mostly small): fewer objects per point. */
const SMALL: readonly IntValue[] = Array.from({ length: 1024 }, (_, i) =>
  Object.freeze({ int: i }),
);

/** @example int(3) // an integer field, not a float */
export const int = (n: number): IntValue =>
  n >= 0 && n < 1024 && (n | 0) === n && 1 / n > 0 ? SMALL[n]! : { int: n };
