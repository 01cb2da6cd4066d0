/**
 * The aggregation takes in a reading the same way whatever object carries it: a sender that
 * reuses one frozen reading object per detector for its idle and occupied intervals (as the
 * in-process engine does) leaves the same state as one sending fresh objects or reusing a
 * mutable object, and an idle reading after an idle one (only the time moves)
 * the same as any other — including occupancy left out or sent as -0.
 */
import { describe, expect, it } from 'vitest';
import { addCounts, createAggregation } from '../../controller/aggregation.ts';
import { buildView } from '../../controller/aggregation-view.ts';
import { type Counts, type DetectorReading, detectorsOf } from '../../protocol/index.ts';
import { mulberry32 } from '../contracts/controller-loop.ts';
import { nema8 } from '../fixtures/intersections.ts';

const T0 = Date.UTC(2026, 0, 1);

describe('aggregation intake', () => {
  it('leaves the same state for shared frozen readings as for fresh ones', () => {
    const rand = mulberry32(5);
    const ids = detectorsOf(nema8).map((d) => d.id);
    // per detector, the frozen readings a sender may reuse
    const idle = ids.map((id) => Object.freeze({ id, count: 0, occupancy: 0 }));
    const occupied = ids.map((id) => Object.freeze({ id, count: 0, occupancy: 1 }));
    const odd = ids.map((id) => Object.freeze({ id, count: 0 }) as DetectorReading);
    // and a sender that reuses one object per detector, changing it between messages
    const reused = ids.map((id) => ({ id, count: 0, occupancy: 0 }));
    const shared = createAggregation(nema8);
    const fresh = createAggregation(nema8);
    let seq = 0;
    for (let t = 1; t <= 1500; t++) {
      const atMs = T0 + t * 1000;
      const readings: DetectorReading[] = [];
      // sometimes a reading is left out or two swap places (the positions change)
      const order = rand() < 0.02 ? [...ids.keys()].reverse() : [...ids.keys()];
      for (const i of order) {
        if (rand() < 0.03) continue;
        const u = rand();
        if (u < 0.7) readings.push(idle[i]!);
        else if (u < 0.85) readings.push(occupied[i]!);
        else if (u < 0.88) readings.push(odd[i]!);
        else if (u < 0.9) readings.push({ id: ids[i]!, count: 0, occupancy: -0 });
        else if (u < 0.95) {
          const r = reused[i]!;
          r.count = rand() < 0.5 ? 0 : 2;
          r.occupancy = r.count > 0 ? 0.3 : 0;
          readings.push(r);
        } else readings.push({ id: ids[i]!, count: 1 + Math.floor(rand() * 3), occupancy: 0.4 });
      }
      const from = atMs - 1000 - (rand() < 0.03 ? 30_000 : 0);
      const boot = t < 900 ? 'b1' : 'b2';
      const c: Counts = {
        v: 1,
        sensor: 's',
        boot,
        seq: seq++,
        from,
        to: atMs,
        detectors: readings,
      };
      addCounts(shared, c);
      addCounts(fresh, {
        ...c,
        detectors: readings.map((r) => ({ ...r })),
      });
      // each detector keeps its newest reading as sent (-0 and a missing occupancy included)
      for (const r of readings) {
        const d = shared.detectors.get(r.id)!;
        expect(Object.is(d.lastOccupancy, r.occupancy ?? Number.NaN), `${r.id} t=${t}`).toBe(true);
        expect([d.lastCount, d.lastToMs]).toEqual([r.count, atMs]);
      }
      if (t % 50 === 0) {
        expect(buildView(shared, atMs), `t=${t}`).toEqual(buildView(fresh, atMs));
        expect(shared.stats).toEqual(fresh.stats);
        for (const [k, d] of shared.detectors) {
          const e = fresh.detectors.get(k)!;
          // -0 and +0 apart, as toEqual on the view does not tell
          expect(Object.is(d.lastOccupancy, e.lastOccupancy), `${k} t=${t}`).toBe(true);
          expect([d.lastToMs, d.intervalMs, d.stuckMs, d.stuckGreenMs]).toEqual([
            e.lastToMs,
            e.intervalMs,
            e.stuckMs,
            e.stuckGreenMs,
          ]);
        }
      }
    }
  });
});
