/** Counts messages for tests: one sensor's second number `seq` after `t0`, as sensors send them. */
import type { Counts } from '../../protocol/index.ts';

export function countsAt(
  t0: number,
  sensor: string,
  seq: number,
  detectors: Counts['detectors'],
  boot = 'b1',
): Counts {
  return {
    v: 1,
    sensor,
    boot,
    seq,
    from: t0 + seq * 1000,
    to: t0 + (seq + 1) * 1000,
    detectors,
  };
}
