/** actuated: min green, gap-out after the passage time, max-out under constant calls, skip, recall. */
import { describe, expect, it } from 'vitest';
import { createActuated } from '../../controller/algorithms/actuated.ts';
import { nema8, twoPhase } from '../fixtures/intersections.ts';
import { handView } from './algorithm-view.ts';

// twoPhase: ns and ew, min 5 s, max 40 s; default detectors {group}-stop / {group}-advance.
const ewCalls = { 'E-through': { call: true, queueVeh: 3 }, 'W-through': { call: true } };

describe('actuated', () => {
  it('holds min green even when the stop bar has gapped out and another phase calls', () => {
    const a = createActuated(twoPhase, { passageS: 2 });
    expect(a.decide(handView(twoPhase, { phase: 'ns', forS: 4, movements: ewCalls }))).toBe('ns');
  });

  it('extends while vehicles cross the stop bar within the passage time', () => {
    const a = createActuated(twoPhase, { passageS: 2 });
    const v = handView(twoPhase, {
      phase: 'ns',
      forS: 12,
      movements: ewCalls,
      detectors: { 'N-through-stop': { gapMs: 1000 }, 'S-through-stop': { gapMs: 30_000 } },
    });
    expect(a.decide(v)).toBe('ns');
  });

  it('gaps out once no vehicle has crossed for the passage time, to the calling phase', () => {
    const a = createActuated(twoPhase, { passageS: 2 });
    const v = handView(twoPhase, {
      phase: 'ns',
      forS: 12,
      movements: ewCalls,
      detectors: { 'N-through-stop': { gapMs: 2000 }, 'S-through-stop': { gapMs: 5000 } },
    });
    expect(a.decide(v)).toBe('ew');
  });

  it('rests in green when it gaps out but no other phase calls', () => {
    const a = createActuated(twoPhase, { passageS: 2 });
    expect(a.decide(handView(twoPhase, { phase: 'ns', forS: 20 }))).toBe('ns');
  });

  it('maxes out under constant calls: changes 1 s before max green, not earlier', () => {
    const busy = { 'N-through-stop': { gapMs: 0 }, 'S-through-stop': { gapMs: 0 } };
    const a = createActuated(twoPhase, { passageS: 2 });
    expect(
      a.decide(handView(twoPhase, { phase: 'ns', forS: 38, movements: ewCalls, detectors: busy })),
    ).toBe('ns');
    expect(
      a.decide(handView(twoPhase, { phase: 'ns', forS: 39, movements: ewCalls, detectors: busy })),
    ).toBe('ew');
  });

  it('keeps asking for the phase it changes to through yellow and red clearance', () => {
    const a = createActuated(twoPhase, { passageS: 2 });
    expect(a.decide(handView(twoPhase, { phase: 'ns', forS: 20, movements: ewCalls }))).toBe('ew');
    expect(
      a.decide(
        handView(twoPhase, { phase: 'ns', interval: 'yellow', forS: 1, movements: ewCalls }),
      ),
    ).toBe('ew');
    expect(
      a.decide(handView(twoPhase, { phase: 'ns', interval: 'red-clearance', forS: 0.5 })),
    ).toBe('ew');
  });

  it('skips phases with no call (NEMA 8-phase: 2+6 goes straight to 4+8)', () => {
    const a = createActuated(nema8, { passageS: 2 });
    const v = handView(nema8, {
      phase: 'p26',
      forS: 20,
      movements: { 'E-through': { call: true }, 'W-through': { call: true } },
    });
    expect(a.decide(v)).toBe('p48');
  });

  it('serves concurrent pairs: lefts first when both lefts and throughs call', () => {
    const a = createActuated(nema8, { passageS: 2 });
    const calls = Object.fromEntries(
      ['E-left', 'W-left', 'E-through', 'W-through'].map((m) => [m, { call: true }]),
    );
    expect(a.decide(handView(nema8, { phase: 'p26', forS: 20, movements: calls }))).toBe('p37');
  });

  it('a movement whose detectors failed holds its green while its queue guess is unserved', () => {
    const a = createActuated(twoPhase, { passageS: 2 });
    const failed = { failed: true, gapMs: 60_000 };
    const v = handView(twoPhase, {
      phase: 'ns',
      forS: 10,
      movements: { ...ewCalls, 'N-through': { failed: true, call: true, queueVeh: 4 } },
      detectors: { 'N-through-stop': failed, 'N-through-advance': failed },
    });
    expect(a.decide(v)).toBe('ns');
  });
});
