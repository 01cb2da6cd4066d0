/**
 * Signal state machine + safety monitor (pure), modelled on a NEMA TS2 Malfunction
 * Management Unit. It turns "I want phase P" into what the heads actually show:
 * min green, yellow change, red clearance, max green, unknown phases refused, and a
 * watchdog that runs the fallback plan when decisions stop. Every intervention is an
 * override of a named kind. Time only enters as `atMs` arguments.
 *
 * Transitions happen at exact interval boundaries (sinceMs + duration), not at the step that
 * notices them, so a coarse caller step never shortens a yellow or a red clearance.
 */
import {
  type IntersectionConfig,
  type MovementState,
  movementsConflict,
  type Override,
  type OverrideKind,
  type Phase,
  protectedMovements,
  type Signal,
  servedMovements,
} from '../protocol/index.ts';
import type { Request } from './request.ts';

/** [MMU: min yellow] never shorter than 3 s whatever the config says. */
export const MIN_YELLOW_S = 3;
export const DEFAULT_WATCHDOG_S = 10;
export const FALLBACK_CONTROLLER = 'fallback';

export interface MonitorOptions {
  /** seconds without a valid decision before the fallback plan runs (default config.watchdogS ?? 10) */
  watchdogS?: number;
}

export interface MonitorState {
  readonly config: IntersectionConfig;
  readonly watchdogMs: number;
  readonly phaseIndex: ReadonlyMap<string, number>;
  /** phases whose protected movements are pairwise conflict-free (checked once) */
  readonly safePhases: ReadonlySet<string>;
  /** phase timing now; during clearance, the phase ending */
  phase: string;
  interval: 'green' | 'yellow' | 'red-clearance';
  sinceMs: number;
  /** the phase that follows the clearance under way (fixed at the yellow's start) */
  next: string | undefined;
  /** the latest valid request, if any */
  requested: string | undefined;
  controller: string;
  lastValidMs: number;
  inFallback: boolean;
  /** overrides already reported for this green, so a held request is counted once */
  reported: string[];
}

export interface StepResult {
  state: MonitorState;
  overrides: Override[];
  /** true when the phase or interval changed during this step */
  changed: boolean;
  /** every interval entered during this step, in order, with its exact start */
  transitions: {
    phase: string;
    interval: MonitorState['interval'];
    sinceMs: number;
    next: string | undefined;
  }[];
}

function phaseById(state: MonitorState, id: string): Phase | undefined {
  const i = state.phaseIndex.get(id);
  return i === undefined ? undefined : state.config.phases[i];
}

function yellowMs(config: IntersectionConfig): number {
  return Math.max(config.yellowS, MIN_YELLOW_S) * 1000;
}

/** Phases whose own protected movements conflict can never be served (config not validated). */
function phaseIsSafe(config: IntersectionConfig, phase: Phase): boolean {
  const prot = protectedMovements(phase);
  for (let a = 0; a < prot.length; a++) {
    for (let b = a + 1; b < prot.length; b++) {
      if (movementsConflict(config, prot[a]!, prot[b]!)) return false;
    }
  }
  return true;
}

/** Fallback green of a phase: the config's plan, else a modest fixed green within min..max. */
export function fallbackGreenS(config: IntersectionConfig, phase: Phase): number {
  const planned = config.plan?.greenS[phase.id];
  if (planned !== undefined) return planned > 0 ? Math.max(planned, phase.minGreenS) : 0;
  return Math.max(phase.minGreenS, Math.min(phase.maxGreenS, 15));
}

/** The next safe phase after `id` in service order that the fallback plan gives green. */
function nextPhase(state: MonitorState, id: string, skipZeroGreen: boolean): string {
  const phases = state.config.phases;
  const start = state.phaseIndex.get(id) ?? -1;
  for (let k = 1; k <= phases.length; k++) {
    const p = phases[(start + k) % phases.length]!;
    if (!state.safePhases.has(p.id)) continue;
    if (skipZeroGreen && fallbackGreenS(state.config, p) <= 0) continue;
    return p.id;
  }
  return id;
}

/**
 * A new monitor: the first safe phase green from `atMs`, watchdog armed from `atMs`.
 * @example let s = createMonitor(config, 0); ({ state: s } = monitorStep(s, 1000, { phase: 'ew', controller: 'c' }));
 */
export function createMonitor(
  config: IntersectionConfig,
  atMs: number,
  options: MonitorOptions = {},
): MonitorState {
  const phaseIndex = new Map(config.phases.map((p, i) => [p.id, i]));
  const safePhases = new Set(config.phases.filter((p) => phaseIsSafe(config, p)).map((p) => p.id));
  const first = config.phases.find((p) => safePhases.has(p.id));
  if (!first) throw new Error(`intersection '${config.id}' has no phase that is safe to serve`);
  return {
    config,
    watchdogMs: (options.watchdogS ?? config.watchdogS ?? DEFAULT_WATCHDOG_S) * 1000,
    phaseIndex,
    safePhases,
    phase: first.id,
    interval: 'green',
    sinceMs: atMs,
    next: undefined,
    requested: undefined,
    controller: FALLBACK_CONTROLLER,
    lastValidMs: atMs,
    inFallback: false,
    reported: [],
  };
}

/**
 * Advances the monitor to `atMs`, applying an optional request first.
 * Pure: the input state is not modified.
 */
export function monitorStep(prev: MonitorState, atMs: number, request?: Request): StepResult {
  const s = copyState(prev);
  const overrides: Override[] = [];
  // reportOnce / enterInterval are module-level: a closure made on every call is costly here.
  const transitions: StepResult['transitions'] = [];

  if (request) {
    const wanted = phaseById(s, request.phase);
    if (!wanted) {
      overrides.push({
        kind: 'unknownPhase',
        atMs,
        requested: request.phase.slice(0, 64),
        detail: 'no such phase; request ignored',
      });
    } else if (!s.safePhases.has(wanted.id)) {
      // [MMU: conflict] a phase whose own movements conflict is never shown.
      overrides.push({
        kind: 'conflict',
        atMs,
        requested: wanted.id,
        detail: 'phase holds conflicting movements; refused',
      });
    } else {
      s.requested = wanted.id;
      s.controller = request.controller;
      s.lastValidMs = atMs;
      if (s.inFallback) s.inFallback = false; // decisions are back: the controller resumes
    }
  }

  // [MMU: watchdog] no valid decision for watchdogS → fallback plan until one arrives.
  if (!s.inFallback && atMs - s.lastValidMs >= s.watchdogMs) {
    s.inFallback = true;
    s.requested = undefined;
    overrides.push({
      kind: 'watchdog',
      atMs,
      detail: `no valid decision for ${s.watchdogMs / 1000} s; fallback plan runs`,
    });
  }

  // Advance through every boundary due by atMs.
  for (let guard = 0; guard < 64; guard++) {
    const phase = phaseById(s, s.phase)!;
    if (s.interval === 'green') {
      const elapsed = atMs - s.sinceMs;
      let desired: string;
      if (s.inFallback) {
        const greenMs = fallbackGreenS(s.config, phase) * 1000;
        desired = elapsed >= greenMs ? nextPhase(s, s.phase, true) : s.phase;
      } else {
        desired = s.requested ?? s.phase;
      }
      const maxMs = phase.maxGreenS * 1000;
      const minMs = phase.minGreenS * 1000;
      if (desired === s.phase && elapsed >= maxMs) {
        // [MMU: max green] end the green, serve the next phase in order.
        if (!s.inFallback)
          reportOnce(
            s,
            overrides,
            atMs,
            'maxGreen',
            `green of '${s.phase}' reached maxGreenS ${phase.maxGreenS}`,
            s.phase,
          );
        desired = nextPhase(s, s.phase, false);
        if (desired === s.phase) break; // a single-phase intersection rests in green
        const endAt = s.sinceMs + maxMs;
        startChange(s, desired, endAt);
        enterInterval(s, transitions);
        continue;
      }
      if (desired !== s.phase) {
        if (elapsed < minMs) {
          // [MMU: min green] hold the green; the change starts when min green ends.
          if (!s.inFallback)
            reportOnce(
              s,
              overrides,
              atMs,
              'minGreen',
              `'${s.phase}' holds its ${phase.minGreenS} s minimum green`,
              desired,
            );
          break;
        }
        startChange(s, desired, Math.max(s.sinceMs + minMs, Math.min(atMs, s.sinceMs + maxMs)));
        enterInterval(s, transitions);
        continue;
      }
      break;
    }
    if (s.interval === 'yellow') {
      const end = s.sinceMs + yellowMs(s.config);
      if (atMs < end) break;
      if (s.config.allRedS > 0) {
        s.interval = 'red-clearance';
        s.sinceMs = end;
      } else {
        startGreen(s, end);
      }
      enterInterval(s, transitions);
      continue;
    }
    // red-clearance
    const end = s.sinceMs + s.config.allRedS * 1000;
    if (atMs < end) break;
    startGreen(s, end);
    enterInterval(s, transitions);
  }
  return { state: s, overrides, changed: transitions.length > 0, transitions };
}

/**
 * A copy of the state to step from. A literal in createMonitor's field order, not a spread:
 * every state then has one hidden class and copying is a few stores (a spread of states whose
 * fields changed type along the way went through the slow generic clone). `reported` is
 * shared: it is replaced, never changed in place.
 */
function copyState(p: MonitorState): MonitorState {
  return {
    config: p.config,
    watchdogMs: p.watchdogMs,
    phaseIndex: p.phaseIndex,
    safePhases: p.safePhases,
    phase: p.phase,
    interval: p.interval,
    sinceMs: p.sinceMs,
    next: p.next,
    requested: p.requested,
    controller: p.controller,
    lastValidMs: p.lastValidMs,
    inFallback: p.inFallback,
    reported: p.reported,
  };
}

/** Reports an override once per green (per kind and requested phase). */
function reportOnce(
  s: MonitorState,
  overrides: Override[],
  atMs: number,
  kind: OverrideKind,
  detail: string,
  requested?: string,
): void {
  const key = `${kind}:${requested ?? ''}`;
  if (s.reported.includes(key)) return;
  // a new array, never a push: the previous state shares the old one and stays as it was
  s.reported = [...s.reported, key];
  overrides.push({ kind, atMs, ...(requested !== undefined ? { requested } : {}), detail });
}

function enterInterval(s: MonitorState, transitions: StepResult['transitions']): void {
  transitions.push({ phase: s.phase, interval: s.interval, sinceMs: s.sinceMs, next: s.next });
}

function startChange(s: MonitorState, next: string, atMs: number): void {
  s.next = next;
  s.interval = 'yellow';
  s.sinceMs = atMs;
}

function startGreen(s: MonitorState, atMs: number): void {
  s.phase = s.next ?? s.phase;
  s.next = undefined;
  s.interval = 'green';
  s.sinceMs = atMs;
  s.reported = [];
}

/** Movements green now, including those that carry over from the ending phase into `next`. */
export function movementStates(s: MonitorState): Record<string, MovementState> {
  const out: Record<string, MovementState> = {};
  for (const m of servedMovements(s.config)) out[m] = 'stop-And-Remain';
  const phase = phaseById(s, s.phase)!;
  const permissive = new Set(phase.permissive ?? []);
  const next = s.next ? phaseById(s, s.next) : undefined;
  const nextProtected = new Set(next ? protectedMovements(next) : []);
  const nextPermissive = new Set(next?.permissive ?? []);
  for (const m of phase.movements) {
    const isPermissive = permissive.has(m);
    if (s.interval === 'green') {
      out[m] = isPermissive ? 'permissive-Movement-Allowed' : 'protected-Movement-Allowed';
    } else if (!isPermissive && nextProtected.has(m)) {
      // An overlap: protected in both phases, it stays green through the change.
      out[m] = 'protected-Movement-Allowed';
    } else if (isPermissive && nextPermissive.has(m)) {
      out[m] = 'permissive-Movement-Allowed';
    } else if (s.interval === 'yellow') {
      out[m] = isPermissive ? 'permissive-clearance' : 'protected-clearance';
    }
  }
  return out;
}

/** Earliest and latest end of the current interval, epoch ms. */
export function intervalBounds(s: MonitorState): { minEndMs: number; maxEndMs: number } {
  const phase = phaseById(s, s.phase)!;
  if (s.interval === 'green') {
    return {
      minEndMs: s.sinceMs + phase.minGreenS * 1000,
      maxEndMs: s.sinceMs + phase.maxGreenS * 1000,
    };
  }
  const d = s.interval === 'yellow' ? yellowMs(s.config) : s.config.allRedS * 1000;
  return { minEndMs: s.sinceMs + d, maxEndMs: s.sinceMs + d };
}

/** The `signal` message for the state at `atMs`. */
export function toSignal(s: MonitorState, atMs: number, overrides: Override[] = []): Signal {
  return {
    v: 1,
    t: atMs,
    phase: s.phase,
    interval: s.interval,
    sinceMs: s.sinceMs,
    ...intervalBounds(s),
    movements: movementStates(s),
    controller: s.inFallback ? FALLBACK_CONTROLLER : s.controller,
    overrides: overrides.slice(-16),
  };
}
