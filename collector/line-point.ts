/**
 * A point kept as its line-protocol bytes: the second implementation of `Point` (point.ts),
 * made by the counts fast lane (counts-lines.ts) straight from a message's bytes. Sinks that
 * speak line protocol copy the bytes (`encoded`); anything that reads the point's parts gets
 * them parsed from the line on first use (parseLine), so every reader of `Point` works as before.
 */
import { parseLine, pointOf } from './line-protocol.ts';
import type { EncodedLine, FieldValue, Point } from './point.ts';

export class LinePoint implements Point, EncodedLine {
  /** the point itself: its line is these bytes */
  readonly encoded: EncodedLine;
  private parsed: Point | undefined;

  /** `bytes[start..end)` must be one line `parseLine` reads (the fast lane writes only such). */
  constructor(
    readonly bytes: Buffer,
    readonly start: number,
    readonly end: number,
  ) {
    this.encoded = this;
    this.parsed = undefined;
  }

  private point(): Point {
    if (this.parsed === undefined) {
      const line = this.bytes.toString('utf8', this.start, this.end);
      const p = parseLine(line);
      if (p === undefined) throw new Error(`unreadable line: ${line}`);
      this.parsed = pointOf(p);
    }
    return this.parsed;
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
