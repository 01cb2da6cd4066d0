/** Hand-built controller views for algorithm unit tests (no aggregation involved). */
import type { ControllerView, DetectorView, MovementView } from '../../controller/types.ts';
import { detectorsOf, type IntersectionConfig, servedMovements } from '../../protocol/index.ts';

export interface HandView {
  atMs?: number;
  phase: string;
  interval?: 'green' | 'yellow' | 'red-clearance';
  /** seconds the current interval has been running */
  forS: number;
  detectors?: Record<string, Partial<DetectorView>>;
  movements?: Record<string, Partial<MovementView>>;
}

export function handView(config: IntersectionConfig, h: HandView): ControllerView {
  const atMs = h.atMs ?? 1_000_000;
  const phase = config.phases.find((p) => p.id === h.phase)!;
  const sinceMs = atMs - h.forS * 1000;
  const detectors: Record<string, DetectorView> = {};
  for (const d of detectorsOf(config)) {
    detectors[d.id] = {
      id: d.id,
      kind: d.kind,
      movements: d.movements,
      lastCount: 0,
      lastOccupancy: 0,
      lastToMs: atMs,
      gapMs: 60_000,
      flowVph: { last: 0, m1: 0, m5: 0, m15: 0 },
      occupancy: { m1: 0, m5: 0, m15: 0 },
      failed: false,
      ...h.detectors?.[d.id],
    };
  }
  const movements: Record<string, MovementView> = {};
  for (const m of servedMovements(config)) {
    movements[m] = {
      movement: m,
      flowVph: { m1: 0, m5: 0, m15: 0 },
      queueVeh: 0,
      call: false,
      failed: false,
      completeness: 1,
      redMs: phase.movements.includes(m) ? 0 : 10_000,
      ...h.movements?.[m],
    };
  }
  return {
    atMs,
    config,
    signal: {
      phase: h.phase,
      interval: h.interval ?? 'green',
      sinceMs,
      minEndMs: sinceMs + phase.minGreenS * 1000,
      maxEndMs: sinceMs + phase.maxGreenS * 1000,
    },
    detectors,
    movements,
  };
}
