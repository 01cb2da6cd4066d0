/**
 * The cabinet emulator's controller (pure): a standard actuated controller, one ring, in the
 * intersection's phase order, keeping its own timing whatever it is told — min green, yellow
 * change, red clearance, max green — so a steering mistake can never show two conflicting
 * greens. Phase k of the config is NTCIP phase k + 1.
 *
 * Central control (NTCIP 1202 phase control groups): Hold keeps a green phase green (until its
 * max, if another phase calls); ForceOff ends a green at the first permitted moment (min green
 * done); Omit skips a phase; VehCall places a call (latched until the phase is served).
 * Control bits are not latched forever: refreshed by the central system, they lapse after
 * `backupMs` without a set (the controller's backup time), and the controller returns to its
 * own time-of-day plan (free mode: every phase recalled, greens from the plan).
 *
 * Without local detectors, a green with no Hold ends (gaps out) as soon as its min green is
 * done and another phase calls; with no call anywhere it rests in green.
 */
import type { IntersectionConfig, Plan } from '../../protocol/index.ts';

export type Lamp = 'green' | 'yellow' | 'red';

export interface EmulatorPhase {
  id: string;
  minGreenMs: number;
  maxGreenMs: number;
  yellowMs: number;
  redClearMs: number;
}

export interface Controls {
  omit: number;
  hold: number;
  forceOff: number;
  vehCall: number;
}

export interface EmulatorState {
  readonly phases: readonly EmulatorPhase[];
  /** index of the phase timing now (during clearance: the phase ending) */
  current: number;
  interval: Lamp;
  sinceMs: number;
  /** the phase that follows the clearance under way */
  next: number;
  controls: Controls;
  /** when central control last set a control object; -Infinity: never */
  controlledAtMs: number;
  /** latched vehicle calls, one bit per phase */
  calls: number;
  backupMs: number;
  /** free-mode greens, ms, per phase (0: skipped) */
  freeGreenMs: number[];
}

export const NO_CONTROLS: Controls = { omit: 0, hold: 0, forceOff: 0, vehCall: 0 };
/** [NTCIP 1202: backup time] control lapses without a refresh for this long (default). */
export const DEFAULT_BACKUP_MS = 5_000;
/** [MMU: min yellow] the emulator never times less than 3 s of yellow either. */
const MIN_YELLOW_MS = 3_000;

const bit = (i: number) => 1 << i;

/** Free-mode green of a phase: the plan's green, else 15 s within min..max. */
function freeGreen(config: IntersectionConfig, plan: Plan | undefined, i: number): number {
  const p = config.phases[i]!;
  const g = plan?.greenS[p.id];
  if (g !== undefined) return g > 0 ? Math.max(g, p.minGreenS) * 1000 : 0;
  return Math.max(p.minGreenS, Math.min(p.maxGreenS, 15)) * 1000;
}

export function createEmulatorState(
  config: IntersectionConfig,
  atMs: number,
  options: { backupMs?: number; plan?: Plan } = {},
): EmulatorState {
  if (config.phases.length > 16) throw new Error('the emulator serves at most 16 phases');
  const phases = config.phases.map((p) => ({
    id: p.id,
    minGreenMs: p.minGreenS * 1000,
    maxGreenMs: p.maxGreenS * 1000,
    yellowMs: Math.max(config.yellowS * 1000, MIN_YELLOW_MS),
    redClearMs: config.allRedS * 1000,
  }));
  const plan = options.plan ?? config.plan;
  return {
    phases,
    current: 0,
    interval: 'green',
    sinceMs: atMs,
    next: 0,
    controls: { ...NO_CONTROLS },
    controlledAtMs: Number.NEGATIVE_INFINITY,
    calls: 0,
    backupMs: options.backupMs ?? DEFAULT_BACKUP_MS,
    freeGreenMs: config.phases.map((_, i) => freeGreen(config, plan, i)),
  };
}

/** Central control sets one control object (a refresh also restarts the backup timer). */
export function setControl(
  s: EmulatorState,
  atMs: number,
  key: keyof Controls,
  mask: number,
): EmulatorState {
  const controls = { ...s.controls, [key]: mask & 0xffff };
  const calls = key === 'vehCall' ? s.calls | (mask & allMask(s)) : s.calls;
  return { ...s, controls, calls, controlledAtMs: atMs };
}

const allMask = (s: EmulatorState) => (1 << s.phases.length) - 1;

/** True while central control holds (set within the backup time). */
export const underControl = (s: EmulatorState, atMs: number) =>
  atMs - s.controlledAtMs <= s.backupMs;

/** The next phase after `from` in ring order that `want` accepts, or -1. */
function nextWhere(s: EmulatorState, from: number, want: (i: number) => boolean): number {
  const n = s.phases.length;
  for (let k = 1; k <= n; k++) {
    const i = (from + k) % n;
    if (want(i)) return i;
  }
  return -1;
}

/**
 * Advances the controller to `atMs`, every interval boundary at its exact time.
 * @example let s = createEmulatorState(config, 0); s = setControl(s, 0, 'vehCall', 0b10); s = emulatorStep(s, 10_000);
 */
export function emulatorStep(prev: EmulatorState, atMs: number): EmulatorState {
  const s: EmulatorState = { ...prev, controls: { ...prev.controls } };
  for (let guard = 0; guard < 64; guard++) {
    const phase = s.phases[s.current]!;
    if (s.interval === 'green') {
      let endAt: number | undefined;
      let next = -1;
      if (!underControl(s, atMs)) {
        // Free mode: the controller's own plan, every phase recalled. A green that began
        // under central control runs at least until that control lapsed.
        const lapse = underControl(s, s.sinceMs) ? s.controlledAtMs + s.backupMs : s.sinceMs;
        const green = Math.max(s.freeGreenMs[s.current]!, phase.minGreenMs);
        const end = Math.max(s.sinceMs + green, lapse);
        next = nextWhere(s, s.current, (i) => s.freeGreenMs[i]! > 0);
        if (next >= 0 && next !== s.current && atMs >= end) endAt = end;
      } else {
        const ctl = s.controls;
        const elapsed = atMs - s.sinceMs;
        const others = (s.calls | ctl.vehCall) & ~ctl.omit & ~bit(s.current) & allMask(s);
        const forced = (ctl.forceOff & bit(s.current)) !== 0;
        const held = (ctl.hold & bit(s.current)) !== 0 && !forced;
        const maxOut = elapsed >= phase.maxGreenMs && others !== 0;
        // [NEMA: min green] nothing ends a green before its minimum.
        if (elapsed >= phase.minGreenMs && (maxOut || (!held && (forced || others !== 0)))) {
          next = nextWhere(s, s.current, (i) => (others & bit(i)) !== 0);
          if (next < 0) next = nextWhere(s, s.current, (i) => (ctl.omit & bit(i)) === 0);
          if (next >= 0 && next !== s.current) endAt = atMs;
        }
      }
      if (endAt === undefined) break;
      s.next = next;
      s.interval = 'yellow';
      s.sinceMs = endAt;
      continue;
    }
    if (s.interval === 'yellow') {
      const end = s.sinceMs + phase.yellowMs;
      if (atMs < end) break;
      s.interval = 'red';
      s.sinceMs = end;
      continue;
    }
    const end = s.sinceMs + phase.redClearMs;
    if (atMs < end) break;
    s.current = s.next;
    s.interval = 'green';
    s.sinceMs = end;
    s.calls &= ~bit(s.current); // [NTCIP 1202] a call is served when its phase goes green
  }
  return s;
}

/** The lamps of every phase now, as phaseStatusGroup bitmasks (bit 0 = phase 1). */
export function statusMasks(s: EmulatorState): {
  greens: number;
  yellows: number;
  reds: number;
  phaseOns: number;
  phaseNexts: number;
  vehCalls: number;
} {
  const all = allMask(s);
  const me = bit(s.current);
  const greens = s.interval === 'green' ? me : 0;
  const yellows = s.interval === 'yellow' ? me : 0;
  return {
    greens,
    yellows,
    reds: all & ~greens & ~yellows,
    phaseOns: s.interval === 'red' ? 0 : me,
    phaseNexts: s.interval === 'green' ? 0 : bit(s.next),
    vehCalls: s.calls,
  };
}

/** Lamps by phase id. */
export function lamps(s: EmulatorState): Record<string, Lamp> {
  const m = statusMasks(s);
  const out: Record<string, Lamp> = {};
  s.phases.forEach((p, i) => {
    out[p.id] = m.greens & bit(i) ? 'green' : m.yellows & bit(i) ? 'yellow' : 'red';
  });
  return out;
}
