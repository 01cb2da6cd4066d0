/**
 * Property tests of the safety monitor over 100,000 random decision sequences (garbage
 * phases, valid phases, long silences) on the NEMA 8-phase and a two-phase intersection:
 * no conflicting greens, every yellow and red clearance at least its configured length,
 * every green at least min green.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type IntersectionConfig, movementsConflict, type Override } from '../../protocol/index.ts';
import {
  createMonitor,
  MIN_YELLOW_S,
  type MonitorState,
  monitorStep,
  movementStates,
} from '../../signal/index.ts';
import { nema8, twoPhase } from '../fixtures/intersections.ts';

type Seg = {
  phase: string;
  interval: MonitorState['interval'];
  sinceMs: number;
  next?: string | undefined;
};

interface Trace {
  segments: Seg[];
  overrides: Override[];
  violations: string[];
}

const GREEN = new Set(['protected-Movement-Allowed', 'permissive-Movement-Allowed']);

function runSequence(
  config: IntersectionConfig,
  steps: { dtMs: number; request: string | null }[],
): Trace {
  let s: MonitorState = createMonitor(config, 0);
  let t = 0;
  const trace: Trace = {
    segments: [{ phase: s.phase, interval: s.interval, sinceMs: s.sinceMs, next: s.next }],
    overrides: [],
    violations: [],
  };
  for (const step of steps) {
    t += step.dtMs;
    const r = monitorStep(
      s,
      t,
      step.request === null ? undefined : { phase: step.request, controller: 'c' },
    );
    s = r.state;
    trace.overrides.push(...r.overrides);
    trace.segments.push(...r.transitions);
    // No two conflicting movements green at once, checked on what the heads show.
    const states = movementStates(s);
    const green = Object.keys(states).filter((m) => GREEN.has(states[m]!));
    const phaseOf = (m: string) => config.phases.filter((p) => p.movements.includes(m));
    for (let i = 0; i < green.length; i++) {
      for (let j = i + 1; j < green.length; j++) {
        const a = green[i]!;
        const b = green[j]!;
        const together = phaseOf(a).some(
          (p) =>
            p.movements.includes(b) &&
            ((p.permissive ?? []).includes(a) || (p.permissive ?? []).includes(b)),
        );
        if (movementsConflict(config, a, b) && !together)
          trace.violations.push(`t=${t}: ${a} and ${b} green together`);
      }
    }
  }
  return trace;
}

/**
 * Movement-level clearance: a movement leaving green shows clearance (yellow) for at least
 * the yellow time, and no movement turns green until every conflicting movement has been
 * out of yellow for the all-red time.
 */
function movementViolations(config: IntersectionConfig, segments: Seg[]): string[] {
  const out: string[] = [];
  const yellowMs = Math.max(config.yellowS, MIN_YELLOW_S) * 1000;
  const base = createMonitor(config, 0);
  const prev = new Map<string, string>();
  const yellowSince = new Map<string, number>();
  const redSince = new Map<string, number>();
  for (const seg of segments) {
    const states = movementStates({
      ...base,
      phase: seg.phase,
      interval: seg.interval,
      next: seg.next,
      sinceMs: seg.sinceMs,
    });
    for (const [m, st] of Object.entries(states)) {
      const before = prev.get(m) ?? 'stop-And-Remain';
      const wasGreen = GREEN.has(before);
      const isGreen = GREEN.has(st);
      if (wasGreen && !isGreen && !st.endsWith('clearance'))
        out.push(`${m} left green without clearance at ${seg.sinceMs}`);
      if (!before.endsWith('clearance') && st.endsWith('clearance'))
        yellowSince.set(m, seg.sinceMs);
      if (before.endsWith('clearance') && !st.endsWith('clearance')) {
        const d = seg.sinceMs - (yellowSince.get(m) ?? 0);
        if (d < yellowMs) out.push(`${m} yellow lasted ${d} ms`);
        redSince.set(m, seg.sinceMs);
      }
      if (!wasGreen && isGreen) {
        for (const c of Object.keys(states)) {
          if (!movementsConflict(config, m, c)) continue;
          const cState = prev.get(c) ?? 'stop-And-Remain';
          if (cState.endsWith('clearance'))
            out.push(`${m} green while conflicting ${c} in clearance`);
          const r = redSince.get(c);
          if (r !== undefined && seg.sinceMs - r < config.allRedS * 1000)
            out.push(`${m} green ${seg.sinceMs - r} ms after ${c} cleared`);
        }
      }
    }
    for (const [m, st] of Object.entries(states)) prev.set(m, st);
  }
  return out;
}

/** Interval durations from consecutive segments must respect the clearance and min green. */
function durationViolations(config: IntersectionConfig, segments: Seg[]): string[] {
  const out: string[] = [];
  const yellowMs = Math.max(config.yellowS, MIN_YELLOW_S) * 1000;
  for (let i = 0; i + 1 < segments.length; i++) {
    const a = segments[i]!;
    const b = segments[i + 1]!;
    const d = b.sinceMs - a.sinceMs;
    if (a.interval === 'green') {
      const minMs = config.phases.find((p) => p.id === a.phase)!.minGreenS * 1000;
      if (d < minMs) out.push(`green ${a.phase} lasted ${d} ms < ${minMs}`);
      if (b.interval !== 'yellow')
        out.push(`green ${a.phase} ended without yellow (→ ${b.interval})`);
    } else if (a.interval === 'yellow') {
      // A step may cover yellow and red together; then the red started exactly at yellow's end.
      if (d < yellowMs) out.push(`yellow lasted ${d} ms < ${yellowMs}`);
      if (config.allRedS > 0 && b.interval === 'green' && d < yellowMs + config.allRedS * 1000) {
        out.push(`yellow+red lasted ${d} ms, below ${yellowMs + config.allRedS * 1000}`);
      }
    } else if (a.interval === 'red-clearance') {
      if (d < config.allRedS * 1000) out.push(`red clearance lasted ${d} ms`);
      if (b.interval !== 'green') out.push(`red clearance went to ${b.interval}`);
    }
  }
  return out;
}

function arbSteps(config: IntersectionConfig) {
  const phases = config.phases.map((p) => p.id);
  const request = fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...phases) },
    { weight: 1, arbitrary: fc.constantFrom('nope', '', 'p99', 'NS', '../x') },
    { weight: 1, arbitrary: fc.string({ maxLength: 8 }) },
    { weight: 3, arbitrary: fc.constant(null) },
  );
  const dt = fc.oneof(
    { weight: 8, arbitrary: fc.integer({ min: 100, max: 2000 }) },
    { weight: 1, arbitrary: fc.integer({ min: 2000, max: 60_000 }) }, // long silences
  );
  return fc.array(fc.record({ dtMs: dt, request }), { minLength: 1, maxLength: 60 });
}

describe.each([
  ['NEMA 8-phase', nema8],
  ['two-phase', twoPhase],
])('safety monitor on %s', (_name, config) => {
  it('never shows conflicting greens and holds every clearance and min green (50,000 sequences)', () => {
    fc.assert(
      fc.property(arbSteps(config), (steps) => {
        const trace = runSequence(config, steps);
        const problems = [
          ...trace.violations,
          ...durationViolations(config, trace.segments),
          ...movementViolations(config, trace.segments),
        ];
        return problems.length === 0;
      }),
      { numRuns: 50_000, seed: 20261128 },
    );
  }, 240_000);
});

describe('safety monitor rules', () => {
  it('refuses unknown phases with an unknownPhase override', () => {
    const s = createMonitor(twoPhase, 0);
    const r = monitorStep(s, 1000, { phase: 'zz', controller: 'c' });
    expect(r.overrides.map((o) => o.kind)).toEqual(['unknownPhase']);
    expect(r.state.phase).toBe('ns');
  });

  it('holds min green, then changes through yellow and all red', () => {
    let s = createMonitor(twoPhase, 0);
    let r = monitorStep(s, 1000, { phase: 'ew', controller: 'c' });
    expect(r.overrides.map((o) => o.kind)).toEqual(['minGreen']);
    expect(r.state.interval).toBe('green');
    s = r.state;
    r = monitorStep(s, 5000, { phase: 'ew', controller: 'c' });
    expect(r.state.interval).toBe('yellow');
    expect(r.state.sinceMs).toBe(5000);
    r = monitorStep(r.state, 8000);
    expect(r.state.interval).toBe('red-clearance');
    r = monitorStep(r.state, 8999);
    expect(r.state.interval).toBe('red-clearance');
    r = monitorStep(r.state, 9000);
    expect(r.state).toMatchObject({ phase: 'ew', interval: 'green', sinceMs: 9000 });
  });

  it('ends a green at max green and reports maxGreen', () => {
    let s = createMonitor(twoPhase, 0);
    const kinds: string[] = [];
    for (let t = 1000; t <= 41_000; t += 1000) {
      const r = monitorStep(s, t, { phase: 'ns', controller: 'c' });
      kinds.push(...r.overrides.map((o) => o.kind));
      s = r.state;
    }
    expect(kinds).toContain('maxGreen');
    expect(s.interval).toBe('yellow');
    expect(s.sinceMs).toBe(40_000);
  });

  it('runs the fallback plan after watchdogS of silence and hands control back', () => {
    let s = createMonitor(twoPhase, 0);
    const kinds: string[] = [];
    let fallbackSeen = false;
    for (let t = 1000; t <= 120_000; t += 1000) {
      const r = monitorStep(
        s,
        t,
        t < 3000 || t > 100_000 ? { phase: 'ns', controller: 'c' } : undefined,
      );
      kinds.push(...r.overrides.map((o) => o.kind));
      s = r.state;
      if (t === 12_000) expect(s.inFallback).toBe(true);
      if (s.inFallback && s.phase === 'ew') fallbackSeen = true;
    }
    expect(kinds.filter((k) => k === 'watchdog')).toHaveLength(1);
    expect(fallbackSeen).toBe(true);
    expect(s.inFallback).toBe(false);
    expect(s.controller).toBe('c');
  });
});
