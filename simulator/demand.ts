/**
 * Demand profiles (pure): a flow in veh/h, constant or piecewise linear in time, and the
 * arrival process that samples it. Arrivals are drawn in "cumulative demand" space: the
 * next vehicle comes when the integral of the rate Λ(t) reaches the next target, with
 * Exp(1) increments for Poisson arrivals and increments of 1 for uniform headways. The
 * inversion is exact for piecewise-linear rates, so profiles and textbook checks agree.
 */
import type { Rng } from './rng.ts';
import { exp1 } from './rng.ts';

export type Flow = number | [number, number][];

/** Rate profile: breakpoints in seconds, rates in veh/s; the last rate holds forever. */
export interface Profile {
  ts: Float64Array;
  rates: Float64Array;
  /** Λ at each breakpoint, vehicles */
  cum: Float64Array;
}

export function profileOf(flow: Flow): Profile {
  const points: [number, number][] = typeof flow === 'number' ? [[0, flow]] : flow;
  const pts = points[0]![0] > 0 ? [[0, points[0]![1]] as [number, number], ...points] : points;
  const n = pts.length;
  const ts = new Float64Array(n);
  const rates = new Float64Array(n);
  const cum = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    ts[k] = pts[k]![0];
    rates[k] = pts[k]![1] / 3600;
    if (k > 0) cum[k] = cum[k - 1]! + ((rates[k - 1]! + rates[k]!) / 2) * (ts[k]! - ts[k - 1]!);
  }
  return { ts, rates, cum };
}

/** Flow in veh/h at `tS` seconds (linear interpolation, constant outside the breakpoints). */
export function flowAt(p: Profile, tS: number): number {
  const n = p.ts.length;
  if (tS <= p.ts[0]!) return p.rates[0]! * 3600;
  for (let k = 0; k < n - 1; k++) {
    if (tS < p.ts[k + 1]!) {
      const f = (tS - p.ts[k]!) / (p.ts[k + 1]! - p.ts[k]!);
      return (p.rates[k]! + f * (p.rates[k + 1]! - p.rates[k]!)) * 3600;
    }
  }
  return p.rates[n - 1]! * 3600;
}

/** Expected vehicles from 0 to `tS` seconds: Λ(tS). */
export function expectedVehicles(p: Profile, tS: number): number {
  const n = p.ts.length;
  let k = 0;
  while (k < n - 1 && p.ts[k + 1]! <= tS) k++;
  const tau = tS - p.ts[k]!;
  const slope = k < n - 1 ? (p.rates[k + 1]! - p.rates[k]!) / (p.ts[k + 1]! - p.ts[k]!) : 0;
  return p.cum[k]! + p.rates[k]! * tau + (slope / 2) * tau * tau;
}

/**
 * Inverse of Λ: the time (seconds) at which Λ reaches `target`, searching from segment
 * `from`. Returns the time and the segment, or Infinity when the rate ends at zero first.
 */
export function invert(p: Profile, target: number, from: number): { tS: number; seg: number } {
  const n = p.ts.length;
  let k = from;
  while (k < n - 1 && p.cum[k + 1]! <= target) k++;
  const delta = target - p.cum[k]!;
  const r0 = p.rates[k]!;
  if (k === n - 1) {
    return { tS: r0 > 0 ? p.ts[k]! + delta / r0 : Number.POSITIVE_INFINITY, seg: k };
  }
  const slope = (p.rates[k + 1]! - r0) / (p.ts[k + 1]! - p.ts[k]!);
  // Root of (slope/2)τ² + r0·τ − Δ = 0 in the stable form 2Δ / (r0 + √(r0² + 2·slope·Δ)).
  const disc = Math.max(0, r0 * r0 + 2 * slope * delta);
  const denom = r0 + Math.sqrt(disc);
  const tau = denom > 0 ? (2 * delta) / denom : 0;
  return { tS: p.ts[k]! + tau, seg: k };
}

/** One arrival stream: call `next()` for successive arrival times in seconds since start. */
export interface ArrivalProcess {
  /** time of the next arrival, seconds since start (Infinity: no more) */
  peek(): number;
  /** consumes the arrival returned by peek() and draws the following one */
  advance(): void;
}

export function createArrivals(flow: Flow, kind: 'poisson' | 'uniform', rng: Rng): ArrivalProcess {
  const p = profileOf(flow);
  // Uniform headways start at a random phase so a fixed cycle sees every offset over time.
  let target = kind === 'poisson' ? exp1(rng) : rng();
  let seg = 0;
  let nextS = 0;
  const draw = () => {
    const r = invert(p, target, seg);
    seg = r.seg;
    nextS = r.tS;
  };
  draw();
  return {
    peek: () => nextS,
    advance() {
      target += kind === 'poisson' ? exp1(rng) : 1;
      draw();
    },
  };
}
