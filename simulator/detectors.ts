/**
 * Emulated loop detectors (pure): counts, occupancy from on/off times, speed, and optional
 * raw actuations. A vehicle over a detector turns it on; overlapping on-times merge into one
 * actuation. Occupancy of an interval is the on-time inside it: each part of an on-window is
 * counted in the interval it falls in, so windows that span intervals are never counted twice.
 *
 * Where vehicles are seen (vertical-queue model): the advance detector at each arrival (moving
 * at free-flow speed, or crawling once the queue has backed over it); the stop-bar detector
 * from the moment a vehicle reaches the head of the queue until it has crossed the line.
 */
import type { Actuation, DetectorReading } from '../protocol/index.ts';

/** Vehicle length plus detection zone, metres: how long a passing vehicle holds a loop on. */
export const DETECTION_LENGTH_M = 7;
/** Speed of a vehicle crossing the stop bar after it stopped in the queue, km/h. */
export const DISCHARGE_SPEED_KMH = 18;
/** Speed of vehicles crawling over an advance detector covered by the queue, km/h. */
export const CRAWL_SPEED_KMH = 8;

export const passMs = (speedKmh: number) => (DETECTION_LENGTH_M / (speedKmh / 3.6)) * 1000;

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const round1 = (x: number) => Math.round(x * 10) / 10;

export class DetectorBank {
  readonly count: Int32Array;
  readonly occMs: Float64Array;
  readonly speedSum: Float64Array;
  readonly busyStart: Float64Array;
  readonly busyEnd: Float64Array;
  /** raw actuations since the last close, per detector; undefined when not recorded */
  readonly actuations: Actuation[][] | undefined;
  /** shared frozen readings for the two commonest intervals: nothing, and a standing queue */
  private readonly idle: Readonly<DetectorReading>[];
  private readonly occupied: Readonly<DetectorReading>[];
  intervalStartMs: number;

  constructor(
    n: number,
    startMs: number,
    readonly ids: string[],
    recordActuations: boolean,
  ) {
    this.count = new Int32Array(n);
    this.occMs = new Float64Array(n);
    this.speedSum = new Float64Array(n);
    this.busyStart = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
    this.busyEnd = new Float64Array(n).fill(Number.NEGATIVE_INFINITY);
    this.actuations = recordActuations ? ids.map(() => []) : undefined;
    this.intervalStartMs = startMs;
    this.idle = ids.map((id) => Object.freeze({ id, count: 0, occupancy: 0 }));
    this.occupied = ids.map((id) => Object.freeze({ id, count: 0, occupancy: 1 }));
  }

  /** A vehicle crossed detector d at `speedKmh`, occupying it during [onMs, offMs). */
  passage(d: number, onMs: number, offMs: number, speedKmh: number): void {
    this.count[d]!++;
    this.speedSum[d]! += speedKmh;
    this.occupy(d, onMs, offMs);
  }

  /** Detector d is on during [onMs, offMs) (no vehicle counted). */
  occupy(d: number, onMs: number, offMs: number): void {
    const be = this.busyEnd[d]!;
    if (onMs <= be) {
      if (offMs > be) this.busyEnd[d] = offMs;
      return;
    }
    this.flush(d);
    this.busyStart[d] = onMs;
    this.busyEnd[d] = offMs;
  }

  private flush(d: number): void {
    const bs = this.busyStart[d]!;
    const be = this.busyEnd[d]!;
    if (be <= bs) return;
    const from = Math.max(bs, this.intervalStartMs);
    if (be > from) this.occMs[d]! += be - from;
    if (this.actuations)
      this.actuations[d]!.push({
        id: this.ids[d]!,
        onMs: Math.round(bs),
        offMs: Math.max(Math.round(bs), Math.round(be)),
      });
    this.busyStart[d] = Number.NEGATIVE_INFINITY;
    this.busyEnd[d] = Number.NEGATIVE_INFINITY;
  }

  /**
   * Closes detector d's interval at `toMs` and returns its reading. `presenceSinceMs` (or
   * NaN) is a vehicle standing on the detector since then, still there at `toMs`.
   */
  close(d: number, toMs: number, intervalMs: number, presenceSinceMs: number): DetectorReading {
    // Nobody counted, on it or standing on it this interval (most detectors, most seconds): the
    // shared idle reading, with the state left as closeBusy leaves it. Kept this small so the
    // caller's compiled loop takes it in without a call.
    const be = this.busyEnd[d]!;
    if (
      this.count[d] === 0 &&
      this.occMs[d] === 0 &&
      be <= this.intervalStartMs &&
      be < toMs &&
      Number.isNaN(presenceSinceMs)
    ) {
      if (be > this.busyStart[d]!) this.flush(d);
      return this.idle[d]!;
    }
    return this.closeBusy(d, toMs, intervalMs, presenceSinceMs);
  }

  private closeBusy(
    d: number,
    toMs: number,
    intervalMs: number,
    presenceSinceMs: number,
  ): DetectorReading {
    const from = this.intervalStartMs;
    let occ = this.occMs[d]!;
    let be = this.busyEnd[d]!;
    const count = this.count[d]!;
    let bs = this.busyStart[d]!;
    if (be <= from && be < toMs) {
      // the busy window ended before this interval: nothing of it counts any more
      if (be > bs) this.flush(d);
      bs = Number.NEGATIVE_INFINITY;
      be = Number.NEGATIVE_INFINITY;
    }
    const hasPresence = !Number.isNaN(presenceSinceMs);
    if (hasPresence && be >= presenceSinceMs && be > bs) {
      occ += toMs - Math.max(Math.min(bs, presenceSinceMs), from);
    } else {
      if (be > bs) occ += Math.max(0, Math.min(be, toMs) - Math.max(bs, from));
      if (hasPresence) occ += toMs - Math.max(presenceSinceMs, from);
    }
    const occupancy = round3(Math.min(1, Math.max(0, occ / intervalMs)));
    // One literal per shape (adding a field later changes the hidden class); the readings of
    // idle and of fully occupied detectors are shared and frozen: most 1 s intervals are one.
    let reading: DetectorReading;
    if (count > 0) {
      reading = {
        id: this.ids[d]!,
        count,
        occupancy,
        speedKmh: round1(this.speedSum[d]! / count),
      };
    } else if (occupancy === 0) {
      reading = this.idle[d]!;
    } else if (occupancy === 1) {
      reading = this.occupied[d]!;
    } else {
      reading = { id: this.ids[d]!, count, occupancy };
    }
    this.count[d] = 0;
    this.occMs[d] = 0;
    this.speedSum[d] = 0;
    return reading;
  }

  /**
   * Ends detector d's interval at `toMs` exactly as `close` does, without making the reading
   * (nobody will read it): the detector is left in the same state.
   */
  skip(d: number, toMs: number): void {
    const be = this.busyEnd[d]!;
    if (be <= this.intervalStartMs && be < toMs && be > this.busyStart[d]!) this.flush(d);
    this.count[d] = 0;
    this.occMs[d] = 0;
    this.speedSum[d] = 0;
  }

  /** `skip(d, toMs)` for every detector of the bank. */
  skipAll(toMs: number): void {
    const from = this.intervalStartMs;
    const busyStart = this.busyStart;
    const busyEnd = this.busyEnd;
    for (let d = 0; d < busyEnd.length; d++) {
      const be = busyEnd[d]!;
      if (be <= from && be < toMs && be > busyStart[d]!) this.flush(d);
    }
    this.count.fill(0);
    this.occMs.fill(0);
    this.speedSum.fill(0);
  }

  /** Raw actuations of detector d that ended since the last call. */
  takeActuations(d: number): Actuation[] {
    const list = this.actuations?.[d];
    if (!list || list.length === 0) return [];
    this.actuations![d] = [];
    return list;
  }
}
