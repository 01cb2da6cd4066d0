/**
 * Engine behaviour: discharge only in effective green at saturation flow, stranded vehicles
 * counted, spillback blocks upstream, and the fast signal stepper gives the same signals,
 * windows and metrics as the plain one (which calls the monitor every step).
 */
import { describe, expect, it } from 'vitest';
import type { IntersectionConfig, Scenario } from '../../protocol/index.ts';
import { createSignalStepper, type Request, toSignal } from '../../signal/index.ts';
import { createSimulation, parseScenario } from '../../simulator/index.ts';
import { compileNetwork } from '../../simulator/network.ts';
import { mulberry32 } from '../../simulator/rng.ts';
import {
  createSignalStep,
  createTrack,
  createWindows,
  stepSignal,
} from '../../simulator/signals.ts';
import { nema8, twoPhase } from '../fixtures/intersections.ts';

const fourWay = (
  id: string,
  plan?: IntersectionConfig['plan'],
  nsMaxGreenS = 120,
): IntersectionConfig => ({
  id,
  approaches: { N: { lanes: 1 }, S: { lanes: 1 }, E: { lanes: 1 }, W: { lanes: 1 } },
  phases: [
    { id: 'ns', movements: ['N-through', 'S-through'], minGreenS: 5, maxGreenS: nsMaxGreenS },
    { id: 'ew', movements: ['E-through', 'W-through'], minGreenS: 5, maxGreenS: 120 },
  ],
  yellowS: 3,
  allRedS: 1,
  ...(plan ? { plan } : {}),
});

const base = (
  intersections: IntersectionConfig[],
  demand: Scenario['demand'],
  extra: Partial<Scenario> = {},
): Scenario =>
  parseScenario({ name: 't', seed: 3, durationS: 3600, intersections, demand, ...extra });

/** A fixed schedule: ns for `g` s, then ew, cycle `c` s. */
function runSchedule(s: Scenario, c: number, g: number) {
  const sim = createSimulation(s);
  const req = new Map<string, Request>();
  const ns = { phase: 'ns', controller: 'x' };
  const ew = { phase: 'ew', controller: 'x' };
  while (!sim.done()) {
    const t = ((sim.nowMs() - sim.startAtMs) / 1000) % c;
    for (const ic of s.intersections) req.set(ic.id, t < g || t >= c - 4 ? ns : ew);
    sim.step(req);
  }
  return sim;
}

describe('engine', () => {
  it('discharges only in effective green, at the saturation flow', () => {
    // 3000 veh/h on one lane is far above capacity: the queue never empties. Effective green
    // 26 + 3 − 2 − 1 = 26 s at 2 s headway = 13 vehicles per 60 s cycle, 60 cycles an hour.
    const s = base([fourWay('a')], [{ intersection: 'a', movement: 'N-through', flowVph: 3000 }]);
    const n = runSchedule(s, 60, 26)
      .report()
      .perIntersection[0]!.perApproach.find((a) => a.approach === 'N')!;
    expect(n.served).toBe(13 * 60);
    expect(n.arrived).toBe(n.served + n.queuedAtEnd);
  });

  it('counts stranded vehicles with the delay they have so far', () => {
    // The plan never serves ew, no controller asks, max green is beyond the run: E-through
    // waits the whole run.
    const s = base(
      [fourWay('a', { cycleS: 30, greenS: { ns: 26, ew: 0 } }, 600)],
      [{ intersection: 'a', movement: 'E-through', flowVph: 300 }],
      { durationS: 590 },
    );
    const sim = createSimulation(s);
    while (!sim.done()) sim.step(new Map());
    const m = sim.metrics();
    expect(m.arrived).toBeGreaterThan(30);
    expect(m.served).toBe(0);
    expect(m.queuedAtEnd).toBe(m.arrived);
    expect(m.meanDelayS).toBeGreaterThan(250);
    expect(m.p95DelayS).toBeGreaterThan(500);
    expect(m.maxWaitS).toBeGreaterThan(580);
    expect(m.stopsPerVehicle).toBeGreaterThan(0.95);
    expect(m.overrides.watchdog).toBe(1);
  });

  it('blocks upstream discharge when the downstream link is full (spillback)', () => {
    // b never serves its west approach: the link a → b fills to its storage and stays full.
    const s = base(
      [
        fourWay('a', { cycleS: 60, greenS: { ns: 26, ew: 26 } }),
        fourWay('b', { cycleS: 30, greenS: { ns: 26, ew: 0 } }, 600),
      ],
      [{ intersection: 'a', movement: 'W-through', flowVph: 600 }],
      {
        durationS: 590,
        links: [{ from: 'a', exit: 'E', to: 'b', entry: 'W', travelS: 10, storageVeh: 5 }],
      },
    );
    const sim = createSimulation(s);
    while (!sim.done()) sim.step(new Map());
    const [a, b] = sim.report().perIntersection;
    const aw = a!.perApproach.find((x) => x.approach === 'W')!;
    const bw = b!.perApproach.find((x) => x.approach === 'W')!;
    expect(aw.served).toBe(5); // exactly the link's storage got through
    expect(bw.arrived).toBe(5);
    expect(bw.maxQueueVeh).toBeLessThanOrEqual(5);
    expect(aw.queuedAtEnd).toBe(aw.arrived - 5);
    expect(aw.meanDelayS).toBeGreaterThan(200);
  });

  it('moves vehicles along links with the turning shares', () => {
    const s = base(
      [
        fourWay('a'),
        {
          ...fourWay('b'),
          approaches: { ...fourWay('b').approaches, W: { lanes: { through: 1, right: 1 } } },
          phases: [
            { id: 'ns', movements: ['N-through', 'S-through'], minGreenS: 5, maxGreenS: 60 },
            {
              id: 'ew',
              movements: ['E-through', 'W-through', 'W-right'],
              minGreenS: 5,
              maxGreenS: 60,
            },
          ],
        },
      ],
      [{ intersection: 'a', movement: 'W-through', flowVph: 400 }],
      {
        links: [
          {
            from: 'a',
            exit: 'E',
            to: 'b',
            entry: 'W',
            travelS: 20,
            turning: { through: 0.75, right: 0.25 },
          },
        ],
      },
    );
    const b = runSchedule(s, 60, 26)
      .report()
      .perIntersection[1]!.perApproach.find((x) => x.approach === 'W')!;
    const through = b.movements['W-through']!.arrived;
    const right = b.movements['W-right']!.arrived;
    expect(through + right).toBeGreaterThan(350);
    expect(right / (through + right)).toBeGreaterThan(0.2);
    expect(right / (through + right)).toBeLessThan(0.3);
  });

  it('refuses to step past the end and names unknown intersections', () => {
    const sim = createSimulation(base([fourWay('a')], [], { durationS: 2 }));
    sim.step(new Map());
    sim.step(new Map());
    expect(sim.done()).toBe(true);
    expect(() => sim.step(new Map())).toThrow(/done/);
    expect(() => sim.signal('nope')).toThrow(/nope/);
  });
});

describe('signal through the safety monitor', () => {
  /** A random but seeded request stream: repeats, changes, unknown phases and silences. */
  function requests(
    config: IntersectionConfig,
    steps: number,
    seed: number,
  ): (Request | undefined)[] {
    const rng = mulberry32(seed);
    const ids = [...config.phases.map((p) => p.id), 'no-such-phase'];
    const out: (Request | undefined)[] = [];
    let current: Request | undefined = { phase: ids[0]!, controller: 'c1' };
    let silentFor = 0;
    for (let k = 0; k < steps; k++) {
      const u = rng();
      if (silentFor > 0) silentFor--;
      else if (u < 0.01)
        silentFor = 5 + Math.floor(rng() * 20); // sometimes past the watchdog
      else if (u < 0.12)
        current = {
          phase: ids[Math.floor(rng() * ids.length)]!,
          controller: rng() < 0.9 ? 'c1' : 'c2',
        };
      out.push(silentFor > 0 ? undefined : current);
    }
    return out;
  }

  it.each([
    ['nema8', nema8],
    ['two-phase', twoPhase],
  ])('%s: the fast signal stepper gives the same run as the plain one', (_, config) => {
    const s = base([config], []);
    const fast = createSimulation(s, { durationS: 3000 });
    const slow = createSimulation(s, { durationS: 3000, signalStepper: createSignalStepper });
    const seq = requests(config, 3000, 5);
    const req = new Map<string, Request>();
    let changes = 0;
    for (const r of seq) {
      req.clear();
      if (r) req.set(config.id, r);
      const a = fast.step(req);
      const b = slow.step(req);
      expect(JSON.stringify(a.signals)).toBe(JSON.stringify(b.signals));
      expect(JSON.stringify(a.overrides)).toBe(JSON.stringify(b.overrides));
      if (a.signals[0]!.changed) changes++;
    }
    expect(changes).toBeGreaterThan(50);
    expect(JSON.stringify(fast.report())).toBe(JSON.stringify(slow.report()));
    const o = fast.metrics().overrides;
    expect(o.watchdog + o.unknownPhase + o.minGreen).toBeGreaterThan(0);
  });

  it('the fast stepper gives the monitor’s toSignal and the plain stepper’s windows at every step', () => {
    const net = compileNetwork(base([nema8], []));
    const it0 = net.intersections[0]!;
    const w = createWindows(net.movName.length);
    const w2 = createWindows(net.movName.length);
    const track = createTrack(net, it0, w, {});
    const plain = createTrack(net, it0, w2, { stepper: createSignalStepper });
    const scratch = createSignalStep();
    const scratch2 = createSignalStep();
    const seq = requests(nema8, 2000, 9);
    seq.forEach((r, k) => {
      const t0 = net.startAtMs + k * 1000;
      const out = stepSignal(net, it0, track, w, t0, t0 + 1000, r, scratch);
      const s = track.stepper;
      expect(s.signal).toEqual(toSignal(s.state, t0 + 1000, out.overrides));
      stepSignal(net, it0, plain, w2, t0, t0 + 1000, r, scratch2);
      expect(plain.stepper.signal).toEqual(s.signal);
      expect(w2).toEqual(w);
    });
  });
});
