/**
 * Helpers shared by the reference algorithms (pure): green timing, calls per phase, the next
 * phase to serve, and the "target" memory that keeps asking for a change until the safety
 * monitor has made it (so a decision that lands during the change never looks stale).
 */
import type { IntersectionConfig, Phase } from '../../protocol/index.ts';
import type { ControllerView } from '../types.ts';

/** Changes are asked for this long before max green, so the monitor never has to max out. */
export const MAX_OUT_MARGIN_MS = 1000;

export function phaseOf(config: IntersectionConfig, id: string): Phase | undefined {
  return config.phases.find((p) => p.id === id);
}

/** ms the current phase has been green (0 during yellow and red clearance). */
export function greenElapsedMs(view: ControllerView): number {
  return view.signal.interval === 'green' ? view.atMs - view.signal.sinceMs : 0;
}

/** The phase after `id` in service order (what the monitor serves after a max-out). */
export function nextInOrder(config: IntersectionConfig, id: string): string {
  const i = config.phases.findIndex((p) => p.id === id);
  return config.phases[(i + 1) % config.phases.length]!.id;
}

/** Movements of `phase` calling for service and not green in the current phase. */
export function callingMovements(view: ControllerView, phase: Phase): Set<string> {
  const current = phaseOf(view.config, view.signal.phase);
  const out = new Set<string>();
  for (const m of phase.movements) {
    if (current?.movements.includes(m)) continue;
    if (view.movements[m]?.call) out.add(m);
  }
  return out;
}

/**
 * The next phase to serve, skipping phases with no call: the first phase after the current
 * one in service order with a call, replaced by a later phase whose calls are a strict superset
 * (so NEMA-style stages run as concurrent pairs, 1+5 → 2+6, rather than one ring at a time).
 * Undefined when no other phase calls.
 */
export function nextCalledPhase(view: ControllerView): string | undefined {
  const phases = view.config.phases;
  const start = phases.findIndex((p) => p.id === view.signal.phase);
  let best: { id: string; calls: Set<string> } | undefined;
  for (let k = 1; k < phases.length; k++) {
    const p = phases[(start + k) % phases.length]!;
    const calls = callingMovements(view, p);
    if (calls.size === 0) continue;
    if (!best) best = { id: p.id, calls };
    else if (calls.size > best.calls.size && [...best.calls].every((m) => calls.has(m)))
      best = { id: p.id, calls };
  }
  return best?.id;
}

/**
 * True when a movement of `phase` has a failed detector and its guessed queue (aggregation.ts)
 * is not yet served: a guess has no feedback to show it is falling behind, so the green is held
 * (a time-based recall) rather than cut short.
 */
export function blindQueueUnserved(view: ControllerView, phase: Phase): boolean {
  for (const m of phase.movements) {
    const mv = view.movements[m];
    if (!mv?.call || mv.queueVeh < 0.5) continue;
    for (const d of Object.values(view.detectors))
      if (d.failed && d.movements.includes(m)) return true;
  }
  return false;
}

/**
 * The memory of a change under way. `pending(view)` returns the phase to keep asking for,
 * or undefined when the algorithm should decide afresh (the current green is its own).
 */
export function createTarget() {
  let target: string | undefined;
  let setAtMs = 0;
  return {
    set(phase: string, atMs: number): string {
      target = phase;
      setAtMs = atMs;
      return phase;
    },
    /** reads only the signal's phase, interval and since, and the config */
    pending(view: {
      signal: Pick<ControllerView['signal'], 'phase' | 'interval' | 'sinceMs'>;
      config: ControllerView['config'];
    }): string | undefined {
      const { phase, interval, sinceMs } = view.signal;
      if (interval !== 'green') return target ?? nextInOrder(view.config, phase);
      // Reached, or a green began after we asked (the monitor chose): decide afresh.
      if (target === phase || sinceMs > setAtMs) target = undefined;
      return target;
    },
  };
}
