/**
 * The SUMO export, pure parts: the same vehicles as OpenPhase's engine per seed, a traffic-light
 * link for every served movement, links as edges, the plans as SUMO programs, and the driver
 * conventions mapped onto SUMO's vehicle type.
 */
import { describe, expect, it } from 'vitest';
import { carModel, detectorLanes, vehicleTypeDrivers } from '../../engines/sumo/additional.ts';
import { sumoNetwork } from '../../engines/sumo/network.ts';
import { sumoVehicles } from '../../engines/sumo/routes.ts';
import { runScenario } from '../../loop/index.ts';
import { loadScenario, type Scenario } from '../../simulator/index.ts';

describe('the SUMO export', () => {
  it.each([1, 2, 3])('writes the vehicles OpenPhase’s engine sees, seed %i', async (seed) => {
    const scenario = await loadScenario('four-phase-unbalanced');
    const short = { ...scenario, durationS: 900 };
    const op = runScenario(short, { controller: 'builtin:fixed-time', seed });
    const { vehicles, leadS } = sumoVehicles(short, sumoNetwork(short), seed, 1);
    expect(vehicles.length).toBe(op.metrics.arrived);
    // each reaches its stop line at free flow at its arrival time, after SUMO's lead
    expect(leadS).toBe(Math.ceil((300 - 5) / (50 / 3.6)));
    expect(vehicles.every((v) => v.departS >= 0 && v.arriveS < 900)).toBe(true);
    expect(vehicles.map((v) => v.departS)).toEqual(
      [...vehicles.map((v) => v.departS)].sort((a, b) => a - b),
    );
  });

  it('gives every served movement a traffic-light link and every link an edge', async () => {
    const scenario = await loadScenario('grid-3x3');
    const sn = sumoNetwork(scenario);
    sn.net.intersections.forEach((it, i) => {
      const linked = new Set(sn.tlsLinks[i]);
      for (let l = 0; l < it.movements.length; l++)
        expect(linked.has(it.movementBase + l)).toBe(true);
    });
    for (const l of scenario.links ?? [])
      expect(sn.xml.edges).toContain(`id="${l.from}__${l.exit}__${l.to}"`);
    // inner intersections have no boundary edges
    expect(sn.xml.edges).not.toContain('id="r1c1__N__in"');
    // a route follows links: the edge a vehicle leaves by is the next one's approach
    const { vehicles } = sumoVehicles(scenario, sn, 1, 1);
    expect(vehicles.some((v) => v.passages.length >= 3)).toBe(true);
  });

  it('writes a plan as SUMO’s own program only when asked (runs without TraCI)', async () => {
    const scenario = await loadScenario('two-phase');
    expect(sumoNetwork(scenario).xml.tls).toContain('<phase duration="86400" state="rrrr"/>');
    const own = sumoNetwork(scenario, { fixedTimePrograms: true }).xml.tls;
    // links E, N, S, W through; ns green 26 s, yellow 3, all-red 1, then ew
    expect(own).toContain('<phase duration="26" state="rGGr"/>');
    expect(own).toContain('<phase duration="3" state="ryyr"/>');
    expect(own).toContain('<phase duration="26" state="GrrG"/>');
  });

  it('maps the driver conventions onto SUMO’s car', async () => {
    const base = await loadScenario('two-phase');
    const hcm = vehicleTypeDrivers(base);
    expect(hcm).toEqual({ yellowUsedS: 2, startUpLostS: 2, advanceOcclusion: true });
    const car = carModel(1800, 50, hcm);
    expect(car.tauS).toBeCloseTo(1.484, 3);
    expect(car.accel).toBeCloseTo(1.65, 3);
    // SUMO's drivers already go on within v / (2 decel) = 1.54 s of the line
    expect(car.driveAfterYellowS).toBeCloseTo(2 - 50 / 3.6 / 9, 3);
    const none = carModel(1800, 50, { ...hcm, yellowUsedS: 0, startUpLostS: 9 });
    expect(none.driveAfterYellowS).toBe(0);
    expect(none.accel).toBe(1.2); // the slowest calibrated start
    const open = { ...base, drivers: { advanceOcclusion: false } } as Scenario;
    const xml = detectorLanes(sumoNetwork(open), vehicleTypeDrivers(open)).xml;
    expect(xml).toMatch(/inductionLoop id="[^"]+" lane="a__N__in_0" pos="0.5"/);
    const occluded = detectorLanes(sumoNetwork(base), hcm).xml;
    expect(occluded).toMatch(/inductionLoop id="[^"]+" lane="a__N__in_0" pos="240"/);
  });
});
