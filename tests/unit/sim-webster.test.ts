/**
 * The engine against textbook results (Webster 1958): a single fixed-time approach, Poisson
 * arrivals over many seeded hours → Webster's delay formula within ±15 %; uniform arrivals →
 * the uniform-delay term alone within ±10 %. Effective green here is the simulator's:
 * green + yellow − startupLostS − yellowUnusedS, the same g the formulas use.
 */
import { describe, expect, it } from 'vitest';
import type { Request } from '../../signal/index.ts';
import { createSimulation, parseScenario } from '../../simulator/index.ts';

const S = 1800; // veh/h/lane
const Y = 3;
const AR = 1;
const L1 = 2;
const E = 1;

/** Webster 1958, eq. for the average delay per vehicle on an approach (three terms). */
function webster(c: number, g: number, qVph: number) {
  const lambda = g / c;
  const q = qVph / 3600;
  const x = q / ((lambda * S) / 3600);
  const uniform = (c * (1 - lambda) ** 2) / (2 * (1 - lambda * x));
  const random = (x * x) / (2 * q * (1 - x));
  const correction = 0.65 * Math.cbrt(c / (q * q)) * x ** (2 + 5 * lambda);
  return { x, uniform, full: uniform + random - correction };
}

/** Mean delay on N-through of a two-phase intersection run on a fixed schedule. */
function simulate(
  c: number,
  greenNs: number,
  qVph: number,
  arrivals: 'poisson' | 'uniform',
  hours: number,
  seed: number,
) {
  const greenEw = c - greenNs - 2 * (Y + AR);
  const scenario = parseScenario({
    name: 'webster',
    seed,
    durationS: hours * 3600,
    arrivals,
    saturationFlowVphpl: S,
    startupLostS: L1,
    yellowUnusedS: E,
    intersections: [
      {
        id: 'a',
        approaches: { N: { lanes: 1 }, S: { lanes: 1 }, E: { lanes: 1 }, W: { lanes: 1 } },
        phases: [
          { id: 'ns', movements: ['N-through', 'S-through'], minGreenS: 5, maxGreenS: 200 },
          { id: 'ew', movements: ['E-through', 'W-through'], minGreenS: 5, maxGreenS: 200 },
        ],
        yellowS: Y,
        allRedS: AR,
      },
    ],
    demand: [{ intersection: 'a', movement: 'N-through', flowVph: qVph }],
  });
  const sim = createSimulation(scenario);
  const ns: Request = { phase: 'ns', controller: 'schedule' };
  const ew: Request = { phase: 'ew', controller: 'schedule' };
  const requests = new Map<string, Request>();
  while (!sim.done()) {
    // a fixed-time plan: ns green [0, G), then ew from G + Y + AR for greenEw seconds
    const t = ((sim.nowMs() - sim.startAtMs) / 1000) % c;
    requests.set('a', t < greenNs || t >= greenNs + Y + AR + greenEw ? ns : ew);
    sim.step(requests);
  }
  const n = sim.report().perIntersection[0]!.perApproach.find((a) => a.approach === 'N')!;
  return { delay: n.meanDelayS, arrived: n.arrived };
}

// [cycle s, green s, flow veh/h]: effective green g = G + Y − L1 − E = G
const POINTS: [number, number, number][] = [
  [60, 26, 240], // x ≈ 0.31
  [60, 26, 500], // x ≈ 0.64
  [90, 40, 600], // x ≈ 0.75
  [120, 55, 700], // x ≈ 0.85
];

describe('Webster check', () => {
  it.each(POINTS)(
    'Poisson arrivals, c=%i s, G=%i s, q=%i veh/h: within ±15 % of Webster',
    (c, g, q) => {
      const w = webster(c, g + Y - L1 - E, q);
      expect(w.x).toBeGreaterThan(0.29);
      expect(w.x).toBeLessThan(0.86);
      const r = simulate(c, g, q, 'poisson', 40, 1);
      expect(r.arrived).toBeGreaterThan(q * 40 * 0.95);
      expect(r.delay / w.full).toBeGreaterThan(0.85);
      expect(r.delay / w.full).toBeLessThan(1.15);
    },
  );

  it.each(POINTS)(
    'uniform arrivals, c=%i s, G=%i s, q=%i veh/h: within ±10 % of the uniform-delay term',
    (c, g, q) => {
      const w = webster(c, g + Y - L1 - E, q);
      // Uniform headways fix where vehicles fall in the cycle; average over seeds (random phase).
      let sum = 0;
      let n = 0;
      for (let seed = 1; seed <= 12; seed++) {
        const r = simulate(c, g, q, 'uniform', 1, seed);
        sum += r.delay * r.arrived;
        n += r.arrived;
      }
      expect(sum / n / w.uniform).toBeGreaterThan(0.9);
      expect(sum / n / w.uniform).toBeLessThan(1.1);
    },
  );
});
