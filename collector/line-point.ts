/**
 * A point kept as its line-protocol bytes: the second implementation of `Point` (point.ts),
 * made by the counts fast lane (counts-lines.ts) straight from a message's bytes. Sinks that
 * speak line protocol copy the bytes (`encoded`); anything that reads the point's parts gets
 * them parsed from the line on first use (parseLine), so every reader of `Point` works as before.
 */
import { parseLine, pointOf } from './line-protocol.ts';
import type { EncodedLine, FieldValue, Point } from './point.ts';

/**
 * Parts parsed on a first read, by point: a line's parts are read rarely (a dead letter, the
 * contract suite), so the point itself keeps only its bytes (eight made per counts message).
 */
const parsed = new WeakMap<LinePoint, Point>();

export class LinePoint implements Point, EncodedLine {
  /** `bytes[start..end)` must be one line `parseLine` reads (the fast lane writes only such). */
  constructor(
    readonly bytes: Buffer,
    readonly start: number,
    readonly end: number,
  ) {}

  /** the point itself: its line is these bytes */
  get encoded(): EncodedLine {
    return this;
  }

  private point(): Point {
    let p = parsed.get(this);
    if (p === undefined) {
      const line = this.bytes.toString('utf8', this.start, this.end);
      const read = parseLine(line);
      if (read === undefined) throw new Error(`unreadable line: ${line}`);
      p = pointOf(read);
      parsed.set(this, p);
    }
    return p;
  }

  get measurement(): string {
    return this.point().measurement;
  }
  get tags(): Readonly<Record<string, string | undefined>> {
    return this.point().tags;
  }
  get fields(): Readonly<Record<string, FieldValue | undefined>> {
    return this.point().fields;
  }
  get timeMs(): number {
    return this.point().timeMs;
  }
  get subMsNs(): number | undefined {
    return this.point().subMsNs;
  }
}
