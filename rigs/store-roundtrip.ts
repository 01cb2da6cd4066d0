/**
 * The round trip of `openphase scenario from-store`, for its test and its benchmark: a bundled
 * scenario given a day shape and per-movement detectors, simulated in-process with the counts
 * messages kept (as its sensors would publish them), the true arrivals per movement and hour (from
 * advance detectors on every movement), and the hourly flows of a rebuilt scenario's profiles.
 *
 * Intersections named `stopBarOnly` publish only their stop-bar readings (and a config with only
 * stop-bar detectors): the vehicles are the same, only what the store sees changes.
 */
import { runScenario } from '../loop/index.ts';
import {
  type Counts,
  type Detector,
  type IntersectionConfig,
  type Scenario,
  servedMovements,
} from '../protocol/index.ts';
import { expectedVehicles, profileOf } from '../simulator/demand.ts';

const HOUR_MS = 3_600_000;

/** Every served movement gets an advance and a stop-bar detector of its own. */
export function perMovementDetectors(config: IntersectionConfig): Detector[] {
  return servedMovements(config).flatMap((m) => [
    { id: `${m}-adv`, movements: [m], kind: 'advance' as const, distanceM: 60 },
    { id: `${m}-stop`, movements: [m], kind: 'stop-bar' as const, distanceM: 0 },
  ]);
}

/** The config the store learns: stop-bar detectors only for a stop-bar-only intersection. */
export function publishedConfig(
  config: IntersectionConfig,
  stopBarOnly: boolean,
): IntersectionConfig {
  const detectors = perMovementDetectors(config).filter(
    (d) => !stopBarOnly || d.kind === 'stop-bar',
  );
  return { ...config, v: 1, detectors };
}

/**
 * The scenario for one simulated day window: per-movement detectors, each constant flow shaped
 * per hour (`shape[h]` × flow from hour h), counts every `countIntervalS`, starting at `startAtMs`.
 */
export function dayScenario(
  base: Scenario,
  o: {
    shape: readonly number[];
    startAtMs: number;
    countIntervalS: number;
    faults?: Scenario['faults'];
  },
): Scenario {
  const hourS = 3600;
  return {
    ...base,
    durationS: o.shape.length * hourS,
    startAtMs: o.startAtMs,
    countIntervalS: o.countIntervalS,
    intersections: base.intersections.map((c) => ({
      ...c,
      detectors: perMovementDetectors(c as IntersectionConfig),
    })),
    demand: base.demand.map((d) => {
      if (typeof d.flowVph !== 'number') throw new Error('dayScenario shapes constant flows only');
      const f = d.flowVph;
      return {
        ...d,
        flowVph: o.shape.flatMap((s, h) => [
          [h * hourS, f * s],
          [(h + 1) * hourS - 1, f * s],
        ]) as [number, number][],
      };
    }),
    ...(o.faults ? { faults: o.faults } : {}),
  };
}

export interface SimulatedDay {
  /** the counts messages, as published (stop-bar-only intersections without advance readings) */
  messages: [topic: string, payload: string][];
  /** true arrivals per `intersection/movement`, per hour of the window */
  truth: Map<string, number[]>;
  arrived: number;
}

/**
 * Runs `scenario` with the fixed-time controller and keeps its counts messages and truths. The
 * truth is read from a run without the scenario's faults (same seed, same vehicles: faults change
 * only what the sensors report), so a sensor outage hides nothing from it.
 */
export function simulateDay(
  scenario: Scenario,
  stopBarOnly: ReadonlySet<string>,
  root = 'traffic',
): SimulatedDay {
  const run = simulateRun(scenario, stopBarOnly, root);
  if (!scenario.faults?.length) return run;
  const { faults: _f, ...clean } = scenario;
  const twin = simulateRun(clean, stopBarOnly, root);
  if (twin.arrived !== run.arrived) throw new Error('the clean twin did not see the same vehicles');
  return { ...run, truth: twin.truth };
}

function simulateRun(
  scenario: Scenario,
  stopBarOnly: ReadonlySet<string>,
  root = 'traffic',
): SimulatedDay {
  const start = scenario.startAtMs!;
  const hours = Math.round(scenario.durationS / 3600);
  const truth = new Map<string, number[]>();
  const messages: SimulatedDay['messages'] = [];
  const r = runScenario(scenario, {
    controller: 'builtin:fixed-time',
    onStep(out) {
      for (const c of out.counts) {
        const h = Math.floor((c.message.from - start) / HOUR_MS);
        for (const d of c.message.detectors) {
          if (!d.id.endsWith('-adv') || d.count === 0) continue;
          const key = `${c.intersection}/${d.id.slice(0, -4)}`;
          let row = truth.get(key);
          if (!row) {
            row = new Array(hours).fill(0);
            truth.set(key, row);
          }
          row[h]! += d.count;
        }
        const message: Counts = stopBarOnly.has(c.intersection)
          ? { ...c.message, detectors: c.message.detectors.filter((d) => !d.id.endsWith('-adv')) }
          : c.message;
        messages.push([`${root}/v1/${c.intersection}/counts/${c.sensor}`, JSON.stringify(message)]);
      }
    },
  });
  return { messages, truth, arrived: r.metrics.arrived };
}

/** Vehicles per hour of a rebuilt scenario's demand, per `intersection/movement`. */
export function rebuiltHourly(scenario: Scenario): Map<string, number[]> {
  const hours = Math.round(scenario.durationS / 3600);
  const out = new Map<string, number[]>();
  for (const d of scenario.demand) {
    const p = profileOf(d.flowVph);
    out.set(
      `${d.intersection}/${d.movement}`,
      Array.from(
        { length: hours },
        (_, h) => expectedVehicles(p, (h + 1) * 3600) - expectedVehicles(p, h * 3600),
      ),
    );
  }
  return out;
}

/** Per movement and hour: the relative error of the rebuilt flow against the truth. */
export function hourlyErrors(
  truth: ReadonlyMap<string, number[]>,
  rebuilt: ReadonlyMap<string, number[]>,
): { key: string; hour: number; truth: number; rebuilt: number; error: number }[] {
  const out = [];
  for (const [key, t] of truth) {
    const r = rebuilt.get(key) ?? [];
    for (let h = 0; h < t.length; h++) {
      const rebuiltVeh = r[h] ?? 0;
      out.push({
        key,
        hour: h,
        truth: t[h]!,
        rebuilt: rebuiltVeh,
        error: t[h]! > 0 ? (rebuiltVeh - t[h]!) / t[h]! : rebuiltVeh > 0 ? 1 : 0,
      });
    }
  }
  return out;
}
