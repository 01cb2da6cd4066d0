/**
 * Generators for grids and corridors of identical four-leg intersections (pure). The bundled
 * `grid-3x3`, `arterial-corridor` and `city` scenarios and the benchmark's 10×10 and 1,000
 * intersection networks come from here, so they stay consistent.
 */
import type { IntersectionConfig, Scenario } from '../protocol/index.ts';

type Flow = number | [number, number][];

export interface GridOptions {
  name: string;
  description?: string;
  rows: number;
  cols: number;
  seed?: number;
  durationS?: number;
  countIntervalS?: number;
  /** seconds between neighbours at free flow (default 25) */
  travelS?: number;
  /** lanes per approach, shared by its three movements (default 2) */
  lanes?: number;
  /** lanes on the east-west arterial, when it differs (corridors) */
  arterialLanes?: number;
  /** external flow per boundary approach, veh/h, by the leg it enters on */
  entryVph: { N: Flow; S: Flow; E: Flow; W: Flow };
  /** turning shares of every approach (default 0.15 / 0.7 / 0.15) */
  turning?: { left: number; through: number; right: number };
  /** fixed-time plan of every intersection (default cycle 60, 26 s each) */
  plan?: { cycleS: number; greenS: { ns: number; ew: number }; offsetStepS?: number };
}

export const gridId = (r: number, c: number) => `r${r}c${c}`;

function intersection(
  id: string,
  lanesNS: number,
  lanesEW: number,
  plan: GridOptions['plan'],
  offsetS: number,
): IntersectionConfig {
  const all = (a: string) => [`${a}-left`, `${a}-through`, `${a}-right`];
  const p = plan ?? { cycleS: 60, greenS: { ns: 26, ew: 26 } };
  return {
    id,
    approaches: {
      N: { lanes: lanesNS },
      S: { lanes: lanesNS },
      E: { lanes: lanesEW },
      W: { lanes: lanesEW },
    },
    phases: [
      {
        id: 'ns',
        movements: [...all('N'), ...all('S')],
        permissive: ['N-left', 'S-left'],
        minGreenS: 7,
        maxGreenS: 60,
      },
      {
        id: 'ew',
        movements: [...all('E'), ...all('W')],
        permissive: ['E-left', 'W-left'],
        minGreenS: 7,
        maxGreenS: 60,
      },
    ],
    yellowS: 3,
    allRedS: 1,
    plan: {
      cycleS: p.cycleS,
      greenS: { ...p.greenS },
      ...(offsetS > 0 ? { offsetS: offsetS % p.cycleS } : {}),
    },
  };
}

const OPPOSITE = { N: 'S', S: 'N', E: 'W', W: 'E' } as const;

/** A rows × cols grid; legs on the edge take external demand, inner legs are links. */
export function gridScenario(o: GridOptions): Scenario {
  const lanes = o.lanes ?? 2;
  const turning = o.turning ?? { left: 0.15, through: 0.7, right: 0.15 };
  const travelS = o.travelS ?? 25;
  const intersections: IntersectionConfig[] = [];
  const demand: Scenario['demand'] = [];
  const links: NonNullable<Scenario['links']> = [];
  const split = (f: Flow, share: number): Flow =>
    typeof f === 'number' ? Math.round(f * share) : f.map(([t, v]) => [t, Math.round(v * share)]);
  for (let r = 0; r < o.rows; r++) {
    for (let c = 0; c < o.cols; c++) {
      const id = gridId(r, c);
      const offset = (o.plan?.offsetStepS ?? 0) * c;
      intersections.push(intersection(id, lanes, o.arterialLanes ?? lanes, o.plan, offset));
      // neighbour of each leg: N is the row above (r − 1), W the column to the left
      const nb = { N: [r - 1, c], S: [r + 1, c], E: [r, c + 1], W: [r, c - 1] } as const;
      for (const leg of ['N', 'S', 'E', 'W'] as const) {
        const [nr, nc] = nb[leg];
        if (nr >= 0 && nr < o.rows && nc >= 0 && nc < o.cols) {
          // vehicles leave by this leg and arrive at the neighbour on its opposite leg
          links.push({
            from: id,
            exit: leg,
            to: gridId(nr, nc),
            entry: OPPOSITE[leg],
            travelS,
            turning,
          });
        } else {
          for (const t of ['left', 'through', 'right'] as const) {
            demand.push({
              intersection: id,
              movement: `${leg}-${t}`,
              flowVph: split(o.entryVph[leg], turning[t]),
            });
          }
        }
      }
    }
  }
  return {
    name: o.name,
    ...(o.description ? { description: o.description } : {}),
    seed: o.seed ?? 1,
    durationS: o.durationS ?? 3600,
    stepS: 1,
    ...(o.countIntervalS ? { countIntervalS: o.countIntervalS } : {}),
    arrivals: 'poisson',
    saturationFlowVphpl: 1800,
    drivers: { yellowUsedS: 2, startUpLostS: 2 },
    intersections,
    demand,
    links,
  };
}
