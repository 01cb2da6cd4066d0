/**
 * Seeded pseudo-random numbers (pure). mulberry32 for the streams, a splitmix32-style hash to
 * derive independent streams from (seed, purpose, index): vehicles and sensors draw from
 * separate streams, so a detector fault or an extra detector never changes what vehicles do.
 */

export type Rng = () => number;

/** mulberry32: a 32-bit state generator, uniform in [0, 1). Fast and good enough for traffic. */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** splitmix32 finaliser: spreads nearby integers over the whole 32-bit range. */
function mix(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/** Stream purposes; each gets its own family of generators. */
export const STREAM = { arrivals: 1, turning: 2, sensor: 3, noise: 4, offset: 5 } as const;

/** An independent generator for (seed, purpose, index). */
export function stream(seed: number, purpose: number, index: number): Rng {
  return mulberry32(mix(mix(mix(seed >>> 0) ^ purpose) ^ index));
}

/**
 * Streams (seed, purpose, 0 … n−1) of mulberry32 with their states side by side in one typed
 * array: `next(k)` draws exactly what the k-th `stream(seed, purpose, k)` would, without a
 * closure (and its boxed state) per stream. For the per-link turning streams of a large grid.
 */
export class RngBank {
  private readonly state: Uint32Array;

  constructor(seed: number, purpose: number, n: number) {
    this.state = new Uint32Array(n);
    for (let k = 0; k < n; k++) this.state[k] = mix(mix(mix(seed >>> 0) ^ purpose) ^ k);
  }

  /** The next draw of stream k, uniform in [0, 1). */
  next(k: number): number {
    const a = (this.state[k]! + 0x6d2b79f5) >>> 0;
    this.state[k] = a;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/** Exponential with mean 1 (inverse transform; 1 − u avoids log(0)). */
export function exp1(rng: Rng): number {
  return -Math.log(1 - rng());
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A random protocol id of `length` characters (for the counts `boot`). */
export function randomId(rng: Rng, length = 8): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ID_CHARS[Math.floor(rng() * ID_CHARS.length)];
  return out;
}
