/**
 * Statistics for the benchmark (pure): mean, sample standard deviation, the Student t
 * quantile, 95 % confidence intervals of a mean and of a paired difference.
 *
 * Why Student t and not 1.96: with 5 seeds the normal approximation makes intervals 30 %
 * too narrow (t₀.₉₇₅,₄ = 2.776). Seeds are independent replications, so the per-seed results
 * of one controller on one scenario are i.i.d. samples of its mean performance; two controllers
 * run on the same seeds see the same vehicles, so their difference is compared pairwise
 * (Law & Kelton, Simulation Modeling and Analysis, §10.2 "paired-t confidence interval").
 */

export interface Stat {
  mean: number;
  /** 95 % confidence interval of the mean (Student t, n − 1 degrees of freedom) */
  ci95: [number, number];
  /** sample standard deviation */
  sd: number;
  min: number;
  max: number;
}

/** Rounded to 4 decimals: stable JSON across reruns, far below any meaningful difference. */
export const r4 = (x: number): number => {
  const v = Math.round(x * 10_000) / 10_000;
  return Object.is(v, -0) ? 0 : v;
};

export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (n − 1); 0 for fewer than 2 values. */
export function sd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) ** 2;
  return Math.sqrt(s / (xs.length - 1));
}

// ln Γ(x), Lanczos approximation (g = 7, n = 9), |error| < 1e-13 for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];
function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0]!;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

// Continued fraction of the incomplete beta function (modified Lentz; Numerical Recipes §6.4).
function betacf(a: number, b: number, x: number): number {
  const TINY = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(
    lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log(1 - x),
  );
  return x < (a + 1) / (a + b + 2)
    ? (front * betacf(a, b, x)) / a
    : 1 - (front * betacf(b, a, 1 - x)) / b;
}

/** P(T ≤ t) for Student's t with `df` degrees of freedom. */
export function studentCdf(t: number, df: number): number {
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/**
 * The p-quantile of Student's t (p in (0.5, 1)), by bisection on the CDF.
 * @example studentQuantile(0.975, 4) // 2.776
 */
export function studentQuantile(p: number, df: number): number {
  if (!(df > 0)) throw new Error('degrees of freedom must be above 0');
  if (!(p > 0.5 && p < 1)) throw new Error('p must be in (0.5, 1)');
  let lo = 0;
  let hi = 1;
  while (studentCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (studentCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * Mean and 95 % confidence interval of `xs` (independent replications).
 * With one value the interval is that value: there is no spread to estimate
 * (the bench refuses fewer than 2 seeds for that reason).
 * @example summarize([10, 12, 11, 13, 9]).ci95 // [9.04, 12.96]
 */
export function summarize(xs: readonly number[]): Stat {
  const m = mean(xs);
  const s = sd(xs);
  const half =
    xs.length >= 2 ? (studentQuantile(0.975, xs.length - 1) * s) / Math.sqrt(xs.length) : 0;
  return {
    mean: r4(m),
    ci95: [r4(m - half), r4(m + half)],
    sd: r4(s),
    min: r4(Math.min(...xs)),
    max: r4(Math.max(...xs)),
  };
}

export interface Paired {
  /** mean of (x − y) and its 95 % paired-t interval */
  diff: Stat;
  /** mean difference relative to the mean of y (−0.18 = 18 % lower); 0 when y's mean is 0 */
  relative: number;
  /** 'lower' or 'higher' when the interval of the difference excludes 0, else 'same' */
  direction: 'lower' | 'higher' | 'same';
}

/**
 * Paired comparison of x against y over the same seeds (x[i] and y[i] share seed i).
 * @example paired([9, 10, 11], [12, 13, 14]).direction // 'lower'
 */
export function paired(x: readonly number[], y: readonly number[]): Paired {
  if (x.length !== y.length) throw new Error('paired samples must have the same length');
  const d = x.map((v, i) => v - y[i]!);
  const diff = summarize(d);
  const my = mean(y);
  const relative = my !== 0 ? r4(mean(d) / Math.abs(my)) : 0;
  const direction = diff.ci95[1] < 0 ? 'lower' : diff.ci95[0] > 0 ? 'higher' : 'same';
  return { diff, relative, direction };
}

/** True when two intervals share no point. */
export const disjoint = (a: readonly [number, number], b: readonly [number, number]): boolean =>
  a[1] < b[0] || b[1] < a[0];
