/**
 * The one quantile definition of OpenPhase: nearest rank. The q-quantile of n values is the
 * value of rank ⌈q·n⌉ (1-based, at least 1) in ascending order; of no values, 0. Every
 * latency and percentile the project reports (decision latency, answer time, handle time,
 * delay percentiles) uses it; a reported figure is rounded to 2 decimals.
 */

/** Rank (0-based index into the sorted values) of the q-quantile of n values. */
export function quantileIndex(n: number, q: number): number {
  return Math.min(n - 1, Math.max(0, Math.ceil(q * n) - 1));
}

/** A reported figure: 2 decimals. */
export const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * The q-quantile of values sorted ascending (not rounded).
 * @example quantileSorted([1, 2, 3, 4], 0.5) // 2
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[quantileIndex(sorted.length, q)]!;
}

/**
 * The q-quantile of any values (sorts a copy), rounded to 2 decimals.
 * @example quantile([3, 1, 2], 0.99) // 3
 */
export function quantile(values: ArrayLike<number>, q: number): number {
  return round2(quantileSorted(Float64Array.from(values).sort(), q));
}

/**
 * The q-quantile of a histogram (counts per bin), by the same nearest rank, interpolated
 * inside the bin that holds it: `binLow(b)` is the lower edge of bin b. Not rounded.
 */
export function quantileOfHistogram(
  hist: ArrayLike<number>,
  q: number,
  binLow: (b: number) => number,
): number {
  let n = 0;
  for (let b = 0; b < hist.length; b++) n += hist[b]!;
  if (n === 0) return 0;
  const rank = quantileIndex(n, q) + 1;
  let cum = 0;
  for (let b = 0; b < hist.length; b++) {
    const c = hist[b]!;
    if (cum + c >= rank) {
      const lo = binLow(b);
      return lo + ((rank - cum - 0.5) / c) * (binLow(b + 1) - lo);
    }
    cum += c;
  }
  return binLow(hist.length);
}
