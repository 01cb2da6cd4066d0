/**
 * Per-device limits, pure (time is passed in): the publish token bucket, the run of refusals
 * that gets a device disconnected, and the bounded-rate logger for refusals.
 */

export interface RateLimit {
  /** Sustained publishes per second. */
  perSecond: number;
  /** Publishes allowed at once above the sustained rate. */
  burst: number;
}

/**
 * The least a device gets: a sensor sends ~1 message a second, a controller or a gateway a
 * few per intersection it serves (decision or signal, status). Only a runaway or hostile
 * device ever waits. The default grows with what a device serves ({@link rateFor}).
 */
export const DEFAULT_RATE_LIMIT: RateLimit = { perSecond: 2000, burst: 4000 };
/** Sustained publishes per second per intersection a device lists, burst twice that. */
export const RATE_PER_INTERSECTION = 20;
/**
 * A device of every intersection (`*`: a city-wide controller, gateway or collector):
 * 10,000 intersections × a decision and a status a second, with room to spare.
 */
export const DEFAULT_RATE_LIMIT_ALL: RateLimit = { perSecond: 50_000, burst: 100_000 };

/**
 * The publish rate of a device: `fixed` if given (`--rate`), else the default for what it
 * serves: at least {@link DEFAULT_RATE_LIMIT}, {@link RATE_PER_INTERSECTION} per listed
 * intersection, {@link DEFAULT_RATE_LIMIT_ALL} for `*`. Without a device (anonymous, insecure
 * mode): the least.
 * @example rateFor({ intersections: ['a'] }) // { perSecond: 2000, burst: 4000 }
 */
export function rateFor(
  device: { intersections: readonly string[] | '*' } | undefined,
  fixed?: RateLimit,
): RateLimit {
  if (fixed) return fixed;
  if (!device) return DEFAULT_RATE_LIMIT;
  if (device.intersections === '*') return DEFAULT_RATE_LIMIT_ALL;
  const perSecond = device.intersections.length * RATE_PER_INTERSECTION;
  if (perSecond <= DEFAULT_RATE_LIMIT.perSecond) return DEFAULT_RATE_LIMIT;
  return { perSecond, burst: 2 * perSecond };
}

export interface Bucket {
  /** Tokens left; negative = publishes already promised for later (the device is waiting). */
  tokens: number;
  atMs: number;
}

export function newBucket(limit: RateLimit, nowMs: number): Bucket {
  return { tokens: limit.burst, atMs: nowMs };
}

/**
 * Takes one token. Returns the new bucket and how long the publish must wait (0 = now).
 * Waiting, not dropping: the broker delays the publish, which stops reading that device's
 * socket (TCP back-pressure), so a flood slows its sender and nobody else.
 * @example takeToken(newBucket({ perSecond: 1, burst: 1 }, 0), 0, { perSecond: 1, burst: 1 }).waitMs // 0
 */
export function takeToken(
  bucket: Bucket,
  nowMs: number,
  limit: RateLimit,
): { bucket: Bucket; waitMs: number } {
  const elapsed = Math.max(0, nowMs - bucket.atMs);
  const refilled = Math.min(limit.burst, bucket.tokens + (elapsed * limit.perSecond) / 1000);
  const tokens = refilled - 1;
  const waitMs = tokens >= 0 ? 0 : (-tokens * 1000) / limit.perSecond;
  return { bucket: { tokens, atMs: nowMs }, waitMs };
}

/** Consecutive refusals after which a device is disconnected (it is misconfigured or hostile). */
export const DEFAULT_MAX_CONSECUTIVE_REFUSALS = 100;

/** Counts a refusal; `disconnect` once `max` come in a row (an accepted publish resets it). */
export function countRefusal(
  consecutive: number,
  max: number,
): { consecutive: number; disconnect: boolean } {
  const next = consecutive + 1;
  return { consecutive: next, disconnect: next >= max };
}

export interface LogGate {
  tokens: number;
  atMs: number;
  suppressed: number;
}

/** At most `burst` lines at once, then `perSecond`; what is held back is counted, not lost. */
export const LOG_RATE: RateLimit = { perSecond: 1, burst: 10 };

/**
 * Per device, inside {@link LOG_RATE}: a device repeating one mistake (a mistyped topic) is
 * logged three times, then once every 10 s, and cannot crowd the others out of the log.
 */
export const DEVICE_LOG_RATE: RateLimit = { perSecond: 0.1, burst: 3 };

/**
 * Bounded-rate logging: returns whether to log now and how many lines were suppressed since
 * the last one logged (to append as "(+N similar suppressed)").
 */
export function passLogGate(
  gate: LogGate,
  nowMs: number,
  limit: RateLimit = LOG_RATE,
): { gate: LogGate; log: boolean; suppressed: number } {
  const elapsed = Math.max(0, nowMs - gate.atMs);
  const tokens = Math.min(limit.burst, gate.tokens + (elapsed * limit.perSecond) / 1000);
  if (tokens < 1) {
    return {
      gate: { tokens, atMs: nowMs, suppressed: gate.suppressed + 1 },
      log: false,
      suppressed: 0,
    };
  }
  return {
    gate: { tokens: tokens - 1, atMs: nowMs, suppressed: 0 },
    log: true,
    suppressed: gate.suppressed,
  };
}

export function newLogGate(nowMs: number, limit: RateLimit = LOG_RATE): LogGate {
  return { tokens: limit.burst, atMs: nowMs, suppressed: 0 };
}
