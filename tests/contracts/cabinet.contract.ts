/**
 * The cabinet adapter contract: one suite every adapter in field/cabinet/registry.ts passes
 * (tests/integration/cabinet-adapters.test.ts runs it on each).
 *
 * - it applies a permitted request: the cabinet ends up showing the permitted green;
 * - it reports the actual signal state: what `read` returns is what the cabinet shows;
 * - it never reports a state the cabinet did not show: a permit the cabinet has not (yet)
 *   followed is not reported, and a cabinet that is away reads as `undefined`, not a guess;
 * - it survives the cabinet going away and coming back;
 * - `close()` twice is fine.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CabinetAdapter, Lamp, Permit } from '../../field/cabinet/types.ts';
import type { IntersectionConfig } from '../../protocol/index.ts';

export interface CabinetHarness {
  adapter: CabinetAdapter;
  /** what the cabinet's heads show now, straight from the cabinet; undefined while it is away */
  truth(): Record<string, Lamp> | undefined;
  /** the cabinet goes away (power, network) */
  stop(): Promise<void>;
  /** and comes back */
  restart(): Promise<void>;
  /** releases the cabinet (the adapter is closed by the suite) */
  dispose(): Promise<void>;
}

export interface CabinetContract {
  name: string;
  /** an intersection with phases `ns` then `ew`, short min greens */
  config: IntersectionConfig;
  setup(config: IntersectionConfig): Promise<CabinetHarness>;
  /** how long the cabinet may take to follow a permit (its own clearances), ms */
  followMs: number;
}

export const contractConfig = (): IntersectionConfig => ({
  v: 1,
  id: 'cab',
  approaches: { N: { lanes: 1 }, S: { lanes: 1 }, E: { lanes: 1 }, W: { lanes: 1 } },
  phases: [
    { id: 'ns', movements: ['N-through', 'S-through'], minGreenS: 2, maxGreenS: 30 },
    { id: 'ew', movements: ['E-through', 'W-through'], minGreenS: 2, maxGreenS: 30 },
  ],
  yellowS: 3,
  allRedS: 1,
  plan: { cycleS: 20, greenS: { ns: 6, ew: 6 } },
});

const greenOf = (lamps: Record<string, Lamp> | undefined) =>
  lamps ? Object.keys(lamps).filter((k) => lamps[k] === 'green') : [];

/** Applies the permit every 200 ms (as the gateway does) until `until` holds. */
async function steer(
  h: CabinetHarness,
  permit: Omit<Permit, 'atMs'>,
  until: () => Promise<boolean>,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await h.adapter.apply({ ...permit, atMs: Date.now() });
    if (await until()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the cabinet did not reach the state within ${timeoutMs} ms`);
}

/** read() while the cabinet holds still: the truth before and after agree. */
async function stableRead(h: CabinetHarness) {
  for (let k = 0; k < 20; k++) {
    const before = h.truth();
    const got = await h.adapter.read();
    const after = h.truth();
    if (JSON.stringify(before) === JSON.stringify(after)) return { got, truth: after };
  }
  throw new Error('the cabinet never held still for one read');
}

export function runCabinetContract(c: CabinetContract): void {
  describe(`cabinet adapter contract: ${c.name}`, () => {
    let h: CabinetHarness | undefined;
    const open = async () => {
      h = await c.setup(c.config);
      await h.adapter.start();
      return h;
    };
    afterEach(async () => {
      await h?.adapter.close();
      await h?.dispose();
      h = undefined;
    });

    it('applies a permitted request: the permitted green comes up', async () => {
      const x = await open();
      for (const phase of ['ew', 'ns']) {
        await steer(
          x,
          { phase, interval: 'green' },
          async () => greenOf((await x.adapter.read())?.phases).join() === phase,
          c.followMs,
        );
        expect(greenOf(x.truth())).toEqual([phase]);
      }
    });

    it('reports the actual signal state, through a change', async () => {
      const x = await open();
      const seen = new Set<string>();
      const deadline = Date.now() + c.followMs;
      let target = 'ew';
      while (Date.now() < deadline && seen.size < 2) {
        await x.adapter.apply({ phase: target, interval: 'green', atMs: Date.now() });
        const { got, truth } = await stableRead(x);
        expect(got?.phases).toEqual(truth);
        for (const p of greenOf(truth)) seen.add(p);
        if (greenOf(truth).includes('ew')) target = 'ns';
        await new Promise((r) => setTimeout(r, 150));
      }
      expect([...seen].sort()).toEqual(['ew', 'ns']);
    });

    it('never reports a state the cabinet did not show', async () => {
      const x = await open();
      // whatever is asked, every read equals what the heads show at that moment
      for (let k = 0; k < 10; k++) {
        await x.adapter.apply({ phase: k % 2 ? 'ns' : 'ew', interval: 'green', atMs: Date.now() });
        const { got, truth } = await stableRead(x);
        expect(got?.phases).toEqual(truth);
        // never two greens, and only lamps of the config's phases
        expect(greenOf(got?.phases).length).toBeLessThanOrEqual(1);
        expect(Object.keys(got?.phases ?? {}).sort()).toEqual(['ew', 'ns']);
      }
      // a cabinet that is away reads as nothing, not as what it showed last
      await x.stop();
      expect(await x.adapter.read()).toBeUndefined();
    });

    it('survives the cabinet going away and coming back', async () => {
      const x = await open();
      expect(await x.adapter.read()).toBeDefined();
      await x.stop();
      expect(await x.adapter.apply({ phase: 'ew', interval: 'green', atMs: Date.now() })).toBe(
        false,
      );
      expect(await x.adapter.read()).toBeUndefined();
      await x.restart();
      await vi.waitFor(
        async () => {
          const r = await x.adapter.read();
          expect(r).toBeDefined();
        },
        { timeout: 10_000, interval: 200 },
      );
      await steer(
        x,
        { phase: 'ew', interval: 'green' },
        async () => greenOf((await x.adapter.read())?.phases).join() === 'ew',
        c.followMs,
      );
      const { got, truth } = await stableRead(x);
      expect(got?.phases).toEqual(truth);
    });

    it('close() twice is fine, and a closed adapter reads nothing', async () => {
      const x = await open();
      await x.adapter.close();
      await x.adapter.close();
      expect(await x.adapter.read()).toBeUndefined();
      expect(await x.adapter.apply({ phase: 'ew', interval: 'green', atMs: Date.now() })).toBe(
        false,
      );
    });
  });
}
