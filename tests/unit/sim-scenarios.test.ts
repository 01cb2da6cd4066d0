/**
 * The bundled scenarios: they load, every vehicle is accounted for per movement
 * (arrived = served + queuedAtEnd) with real built-in controllers, runs are deterministic,
 * adaptive control beats the fixed plans where the scenarios say it should, and bad scenario
 * files fail with path-named problems.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../loop/index.ts';
import {
  listBundledScenarios,
  loadScenario,
  parseScenario,
  parseScenarioText,
  ScenarioError,
} from '../../simulator/index.ts';

const BUNDLED = [
  'arterial-corridor',
  'city',
  'detector-faults',
  'four-phase-unbalanced',
  'grid-3x3',
  'peak-surge',
  'two-phase',
];

describe('bundled scenarios', () => {
  it('are all listed, at most an hour long', async () => {
    expect(listBundledScenarios()).toEqual(BUNDLED);
    for (const name of BUNDLED)
      expect((await loadScenario(name)).durationS).toBeLessThanOrEqual(3600);
    const city = await loadScenario('city');
    expect(city.intersections.length).toBeGreaterThanOrEqual(12);
    expect((await loadScenario('arterial-corridor')).intersections).toHaveLength(4);
    expect((await loadScenario('grid-3x3')).intersections).toHaveLength(9);
  });

  it.each(BUNDLED)(
    '%s: arrived = served + queuedAtEnd for every movement',
    { timeout: 30_000 },
    async (name) => {
      const r = runScenario(await loadScenario(name), { controller: 'builtin:actuated' });
      let movements = 0;
      for (const p of r.perIntersection) {
        for (const a of p.perApproach) {
          expect(a.arrived).toBe(a.served + a.queuedAtEnd);
          for (const m of Object.values(a.movements)) {
            expect(m.arrived).toBe(m.served + m.queuedAtEnd);
            movements++;
          }
        }
        expect(p.arrived).toBe(p.served + p.queuedAtEnd);
      }
      expect(movements).toBeGreaterThan(0);
      expect(r.metrics.arrived).toBe(r.metrics.served + r.metrics.queuedAtEnd);
      expect(r.metrics.arrived).toBeGreaterThan(1000);
      expect(r.metrics.overrides.conflict).toBe(0);
    },
  );

  it('same seed → identical JSON; another seed → different', async () => {
    const s = await loadScenario('grid-3x3');
    const a = JSON.stringify(runScenario(s, { controller: 'builtin:actuated', durationS: 900 }));
    const b = JSON.stringify(runScenario(s, { controller: 'builtin:actuated', durationS: 900 }));
    const c = JSON.stringify(
      runScenario(s, { controller: 'builtin:actuated', durationS: 900, seed: 2 }),
    );
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(JSON.parse(c).seed).toBe(2);
  });

  it.each(['four-phase-unbalanced', 'peak-surge'])(
    '%s: actuated and max-pressure clearly beat the fixed plan',
    async (name) => {
      const s = await loadScenario(name);
      const delay = (c: string) =>
        runScenario(s, { controller: `builtin:${c}` }).metrics.meanDelayS;
      const fixed = delay('fixed-time');
      expect(delay('actuated')).toBeLessThan(0.8 * fixed);
      expect(delay('max-pressure')).toBeLessThan(0.8 * fixed);
    },
  );
});

describe('scenario errors', () => {
  const valid = () => ({
    name: 'x',
    seed: 1,
    durationS: 60,
    intersections: [
      {
        id: 'a',
        approaches: { N: { lanes: 1 }, S: { lanes: 1 }, E: { lanes: 1 }, W: { lanes: 1 } },
        phases: [
          { id: 'ns', movements: ['N-through', 'S-through'], minGreenS: 5, maxGreenS: 60 },
          { id: 'ew', movements: ['E-through', 'W-through'], minGreenS: 5, maxGreenS: 60 },
        ],
        yellowS: 3,
        allRedS: 1,
      },
    ],
    demand: [{ intersection: 'a', movement: 'N-through', flowVph: 300 }],
  });
  const problems = (value: unknown) => {
    try {
      parseScenario(value);
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioError);
      return (e as ScenarioError).problems;
    }
    throw new Error('expected a ScenarioError');
  };

  it('name the path of each problem', () => {
    expect(problems({ ...valid(), durationS: 'long' })).toContainEqual(
      expect.objectContaining({ path: '/durationS' }),
    );
    const bad = valid();
    bad.intersections[0]!.phases[0]!.minGreenS = 90;
    bad.demand.push({ intersection: 'b', movement: 'N-through', flowVph: 1 });
    expect(problems(bad).map((p) => p.path)).toEqual([
      '/intersections/0/phases/0/minGreenS',
      '/demand/1/intersection',
    ]);
    expect(
      problems({
        ...valid(),
        faults: [{ detector: 'a/nope', kind: 'stuck-on', fromS: 0, toS: 1 }],
      }),
    ).toEqual([
      expect.objectContaining({
        path: '/faults/0/detector',
        message: expect.stringMatching(/no detector 'nope'/),
      }),
    ]);
    const twoA = {
      ...valid(),
      intersections: [valid().intersections[0]!, { ...valid().intersections[0]!, id: 'b' }],
    };
    const link = { from: 'a', exit: 'E', to: 'b', entry: 'W', travelS: 10 };
    expect(problems({ ...twoA, links: [link, { ...link, entry: 'N' }] })).toContainEqual(
      expect.objectContaining({ path: '/links/1/exit' }),
    );
  });

  it('report YAML syntax errors with the line, and unreadable files by name', async () => {
    const e = (() => {
      try {
        parseScenarioText('name: x\nseed: [1,\n', 'broken.yaml');
      } catch (err) {
        return err as ScenarioError;
      }
    })()!;
    expect(e).toBeInstanceOf(ScenarioError);
    expect(e.problems[0]!.message).toMatch(/line \d+/);
    await expect(loadScenario('no-such-scenario')).rejects.toThrow(/two-phase/);
  });
});
