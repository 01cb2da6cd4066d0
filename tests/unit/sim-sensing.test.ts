/**
 * Emulated detectors and their faults: counts match the vehicles exactly, occupancy and
 * actuations are consistent, every message is valid protocol v1, and a fault changes what the
 * controller sees but never what the vehicles do.
 */
import { describe, expect, it } from 'vitest';
import { type Counts, validateCounts } from '../../protocol/index.ts';
import type { Request } from '../../signal/index.ts';
import {
  type CountsOut,
  createSimulation,
  loadScenario,
  type Scenario,
} from '../../simulator/index.ts';

function run(scenario: Scenario, opts: { actuations?: boolean } = {}) {
  const sim = createSimulation(scenario, opts);
  const req = new Map<string, Request>();
  const ns = { phase: 'ns', controller: 'x' };
  const ew = { phase: 'ew', controller: 'x' };
  const messages: (CountsOut & { atMs: number })[] = [];
  while (!sim.done()) {
    const t = ((sim.nowMs() - sim.startAtMs) / 1000) % 60;
    req.set('a', t < 28 || t >= 56 ? ns : ew);
    const out = sim.step(req);
    for (const c of out.counts) messages.push({ ...c, atMs: out.atMs });
  }
  return { sim, messages };
}

const reading = (m: Counts, id: string) => m.detectors.find((d) => d.id === id);

describe('detectors', () => {
  it('count every arrival (advance) and departure (stop bar), with valid messages', async () => {
    const scenario = { ...(await loadScenario('two-phase')), durationS: 1200 };
    const { sim, messages } = run(scenario, { actuations: true });
    const report = sim.report().perIntersection[0]!;
    expect(messages).toHaveLength(1200); // one sensor, one message per 1 s interval
    let prevTo = sim.startAtMs;
    messages.forEach((c, k) => {
      const v = validateCounts(c.message);
      expect(v.ok, JSON.stringify(!v.ok && v.problems)).toBe(true);
      expect(c.sensor).toBe('a-det');
      expect(c.message.seq).toBe(k);
      expect(c.message.from).toBe(prevTo);
      expect(c.deliverAtMs).toBe(c.message.to);
      prevTo = c.message.to;
    });
    for (const approach of report.perApproach) {
      const g = `${approach.approach}-through`;
      const sum = (id: string) =>
        messages.reduce((s, c) => s + (reading(c.message, id)?.count ?? 0), 0);
      expect(sum(`${g}-advance`)).toBe(approach.arrived);
      expect(sum(`${g}-stop`)).toBe(approach.served);
    }
    // A queue standing on the stop bar during red keeps it occupied for the whole interval.
    const full = messages.filter((c) => reading(c.message, 'N-through-stop')!.occupancy === 1);
    expect(full.length).toBeGreaterThan(60);
    const acts = messages.flatMap((c) => c.message.actuations ?? []);
    expect(acts.length).toBeGreaterThan(500);
    expect(acts.every((a) => a.offMs >= a.onMs)).toBe(true);
  });
});

describe('faults', () => {
  it('change what the controller sees, never what the vehicles do', async () => {
    const faulty = await loadScenario('detector-faults');
    const clean = { ...faulty, faults: [] };
    const a = run(faulty);
    const b = run(clean);
    // the traffic is identical, to the byte
    expect(JSON.stringify(a.sim.report())).toBe(JSON.stringify(b.sim.report()));
    expect(JSON.stringify(a.sim.queueSeries())).toBe(JSON.stringify(b.sim.queueSeries()));
    // …while the sensing is not
    const at = (list: typeof a.messages, fromS: number) =>
      list.filter((c) => c.message.from === a.sim.startAtMs + fromS * 1000);
    const fromS = (c: CountsOut) => (c.message.from - a.sim.startAtMs) / 1000;
    // stuck-on 600–1200 s: N stop bar occupied, counting nothing
    const stuck = a.messages
      .filter((c) => fromS(c) >= 600 && fromS(c) < 1200)
      .map((c) => reading(c.message, 'N-through-stop')!);
    expect(stuck.every((r) => r.occupancy === 1 && r.count === 0)).toBe(true);
    expect(
      b.messages
        .filter((c) => fromS(c) >= 600 && fromS(c) < 1200)
        .some((c) => reading(c.message, 'N-through-stop')!.count > 0),
    ).toBe(true);
    // stuck-off 900–1800 s: S advance silent
    expect(
      a.messages
        .filter((c) => fromS(c) >= 900 && fromS(c) < 1500)
        .every((c) => reading(c.message, 'S-through-advance')!.count === 0),
    ).toBe(true);
    // dropout 1500–1620 s: no message at all, and the seq gap shows the loss
    expect(a.messages.filter((c) => fromS(c) >= 1500 && fromS(c) < 1620)).toHaveLength(0);
    const after = at(a.messages, 1620)[0]!;
    expect(after.message.seq).toBe(1620);
    // duplicate 2000–2300 s: each message twice; late 2400–2700 s: 3 s late
    expect(at(a.messages, 2100)).toHaveLength(2);
    expect(at(b.messages, 2100)).toHaveLength(1);
    const late = at(a.messages, 2500)[0]!;
    expect(late.deliverAtMs).toBe(late.message.to + 3000);
    expect(late.atMs).toBeGreaterThanOrEqual(late.deliverAtMs);
    // noise on E advance: counts differ somewhere, totals stay close
    const eSum = (list: typeof a.messages) =>
      list.reduce((s, c) => s + (reading(c.message, 'E-through-advance')?.count ?? 0), 0);
    expect(eSum(a.messages)).not.toBe(eSum(b.messages));
    expect(Math.abs(eSum(a.messages) / eSum(b.messages) - 1)).toBeLessThan(0.25);
  });
});

describe('steps without counts', () => {
  it.each(['detector-faults', 'grid-3x3'])(
    '%s: { counts: false } makes no messages and changes nothing else, then or later',
    async (name) => {
      const scenario = { ...(await loadScenario(name)), durationS: 1200 };
      const ids = scenario.intersections.map((i) => i.id);
      const go = (skip: (tS: number) => boolean) => {
        const sim = createSimulation(scenario, { actuations: true });
        const req = new Map<string, Request>();
        const msgs: string[] = [];
        const signals: string[] = [];
        while (!sim.done()) {
          const tS = (sim.nowMs() - sim.startAtMs) / 1000;
          const r = { phase: tS % 60 < 28 || tS % 60 >= 56 ? 'ns' : 'ew', controller: 'x' };
          for (const id of ids) req.set(id, r);
          const off = skip(tS);
          const out = sim.step(req, { counts: !off });
          if (off) expect(out.counts).toEqual([]);
          else msgs.push(JSON.stringify(out.counts));
          signals.push(JSON.stringify(out.signals));
        }
        return { report: JSON.stringify(sim.report()), msgs, signals };
      };
      const all = go(() => false);
      const some = go((tS) => tS >= 300 && tS < 700);
      expect(some.report).toBe(all.report);
      expect(some.signals).toEqual(all.signals);
      // every step that made its messages made the same ones (seq included)
      expect(some.msgs).toEqual(all.msgs.filter((_, k) => k < 300 || k >= 700));
      expect(some.msgs.some((m) => m.includes('"actuations":[{'))).toBe(true);
    },
  );
});
