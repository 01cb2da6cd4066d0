/**
 * The emulator's controller keeps its own timing whatever central control asks: never two
 * greens, green at least its minimum (before max-out), yellow and red clearance in full, and
 * control that lapses after the backup time returns it to its own plan.
 */
import { describe, expect, it } from 'vitest';
import {
  type Controls,
  createEmulatorState,
  emulatorStep,
  setControl,
  statusMasks,
} from '../../field/emulator/model.ts';
import type { IntersectionConfig } from '../../protocol/index.ts';

const config: IntersectionConfig = {
  id: 'e',
  approaches: { N: { lanes: 1 }, S: { lanes: 1 }, E: { lanes: 1 }, W: { lanes: 1 } },
  phases: [
    { id: 'ns', movements: ['N-through', 'S-through'], minGreenS: 4, maxGreenS: 20 },
    { id: 'ew', movements: ['E-through', 'W-through'], minGreenS: 6, maxGreenS: 25 },
    { id: 'nl', movements: ['N-left', 'S-right'], minGreenS: 3, maxGreenS: 10 },
  ],
  yellowS: 3,
  allRedS: 2,
  plan: { cycleS: 60, greenS: { ns: 20, ew: 20, nl: 5 } },
};

describe('cabinet emulator controller', () => {
  it('random control for 2 simulated hours: its own timing always holds', () => {
    let seed = 12345;
    const rand = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    let s = createEmulatorState(config, 0, { backupMs: 3000 });
    let last = { interval: s.interval, current: s.current, sinceMs: s.sinceMs };
    const keys: (keyof Controls)[] = ['omit', 'hold', 'forceOff', 'vehCall'];
    let changes = 0;
    for (let t = 100; t < 7_200_000; t += 100) {
      if (rand() < 0.05)
        s = setControl(s, t, keys[Math.floor(rand() * 4)]!, Math.floor(rand() * 8));
      s = emulatorStep(s, t);
      const m = statusMasks(s);
      expect(m.greens & (m.greens - 1)).toBe(0); // at most one green bit
      expect(m.greens & m.yellows).toBe(0);
      if (s.interval !== last.interval || s.current !== last.current) {
        changes++;
        const p = s.phases[last.current]!;
        const lasted = s.sinceMs - last.sinceMs;
        if (last.interval === 'green') expect(lasted).toBeGreaterThanOrEqual(p.minGreenMs);
        if (last.interval === 'yellow') expect(lasted).toBe(3000);
        if (last.interval === 'red') expect(lasted).toBe(2000);
        last = { interval: s.interval, current: s.current, sinceMs: s.sinceMs };
      }
    }
    expect(changes).toBeGreaterThan(300);
  });

  it('Hold keeps a green; ForceOff ends it at min green; VehCall chooses the next phase', () => {
    let s = createEmulatorState(config, 0);
    s = setControl(s, 0, 'hold', 0b001);
    s = setControl(s, 0, 'vehCall', 0b100);
    for (let t = 0; t <= 4000; t += 100) s = setControl(emulatorStep(s, t), t, 'hold', 0b001);
    expect(statusMasks(s).greens).toBe(0b001); // held past min green
    s = setControl(s, 4000, 'forceOff', 0b001);
    s = emulatorStep(s, 4100);
    expect(s.interval).toBe('yellow');
    expect(s.next).toBe(2); // the called phase, skipping ew
    s = emulatorStep(s, 4100 + 3000 + 2000);
    expect(statusMasks(s).greens).toBe(0b100);
  });

  it('control lapses after the backup time: the controller runs its own plan', () => {
    let s = createEmulatorState(config, 0, { backupMs: 2000 });
    s = setControl(s, 0, 'hold', 0b001);
    s = setControl(s, 0, 'omit', 0b110);
    const served = new Set<number>();
    for (let t = 0; t <= 120_000; t += 100) {
      s = emulatorStep(s, t);
      if (s.interval === 'green') served.add(s.current);
    }
    expect([...served].sort()).toEqual([0, 1, 2]); // the plan serves every phase
  });
});
