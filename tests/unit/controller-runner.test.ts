/** The service's pure runner: discovery, one decision per new signal, bounds, bad input. */
import { describe, expect, it } from 'vitest';
import { createRunner } from '../../controller/runner.ts';
import { topics } from '../../protocol/index.ts';
import { createMonitor, toSignal } from '../../signal/index.ts';
import { twoPhase } from '../fixtures/intersections.ts';

const T = topics('traffic');
const a = { ...twoPhase, id: 'a' };
const sig = (tMs: number) => JSON.stringify(toSignal(createMonitor(a, 0), tMs));

describe('controller runner', () => {
  it('answers a signal that came before the config once the config arrives', () => {
    const r = createRunner({ algorithm: 'fixed-time', intersections: 'all', controllerId: 'c' });
    expect(r.handle(T.signal('a'), sig(1000))).toEqual({});
    const out = r.handle(T.config('a'), JSON.stringify(a));
    expect(out.discovered).toBe('a');
    expect(out.decision?.decision).toMatchObject({ v: 1, controller: 'c', seq: 0, t: 1000 });
    expect(out.decision?.topic).toBe(T.decision('a'));
  });

  it('answers each newer signal once; repeats and older ones are stale', () => {
    const r = createRunner({ algorithm: 'actuated', intersections: ['a'], controllerId: 'c' });
    r.handle(T.config('a'), JSON.stringify(a));
    expect(r.handle(T.signal('a'), sig(2000)).decision?.decision.seq).toBe(0);
    expect(r.handle(T.signal('a'), sig(2000))).toEqual({});
    expect(r.handle(T.signal('a'), sig(1000))).toEqual({});
    expect(r.handle(T.signal('a'), sig(3000)).decision?.decision).toMatchObject({
      seq: 1,
      t: 3000,
    });
    expect(r.stats().stale).toBe(2);
  });

  it('ignores intersections outside its list and counts bad messages without throwing', () => {
    const r = createRunner({ algorithm: 'actuated', intersections: ['a'], controllerId: 'c' });
    r.handle(T.config('b'), JSON.stringify({ ...a, id: 'b' }));
    r.handle(T.config('a'), '{"not":"a config"}');
    r.handle(T.config('a'), JSON.stringify({ ...a, id: 'x' })); // id differs from the topic
    r.handle(T.config('a'), JSON.stringify(a));
    r.handle(T.counts('a', 's1'), '\u0000garbage');
    r.handle(
      T.counts('a', 's1'),
      JSON.stringify({ v: 1, sensor: 's2', boot: 'b', seq: 0, from: 0, to: 1000, detectors: [] }),
    );
    r.handle(T.signal('a'), '[]');
    r.handle('elsewhere/topic', '{}');
    expect(r.stats()).toMatchObject({
      intersections: 1,
      ignored: 2,
      invalid: { config: 2, counts: 2, signal: 1 },
    });
  });

  it('restarts the controller on a changed config but keeps seq counting', () => {
    const r = createRunner({ algorithm: 'actuated', intersections: 'all', controllerId: 'c' });
    r.handle(T.config('a'), JSON.stringify(a));
    r.handle(T.signal('a'), sig(1000));
    expect(r.handle(T.config('a'), JSON.stringify(a))).toEqual({}); // the same retained config
    r.handle(T.config('a'), JSON.stringify({ ...a, name: 'renamed' }));
    expect(r.stats().configs).toBe(2);
    expect(r.handle(T.signal('a'), sig(2000)).decision?.decision.seq).toBe(1);
  });

  it('forgets an intersection whose config is cleared; a later config starts it afresh', () => {
    const r = createRunner({ algorithm: 'actuated', intersections: 'all', controllerId: 'c' });
    r.handle(T.config('a'), JSON.stringify(a));
    r.handle(T.signal('a'), sig(5000));
    expect(r.handle(T.signal('a'), sig(6000)).decision?.decision.seq).toBe(1);
    expect(r.handle(T.config('a'), '')).toEqual({});
    expect(r.intersections()).toEqual([]);
    expect(r.stats()).toMatchObject({ intersections: 0, invalid: { config: 0 } });
    // as at its first: discovered again, seq from 0, an earlier time answered (a new run)
    expect(r.handle(T.config('a'), JSON.stringify(a)).discovered).toBe('a');
    expect(r.handle(T.signal('a'), sig(1000)).decision?.decision).toMatchObject({
      seq: 0,
      t: 1000,
    });
    expect(r.handle(T.config('b'), new Uint8Array(0))).toEqual({}); // never seen: nothing to do
    expect(r.intersections()).toEqual(['a']);
  });

  it('throws on an unknown algorithm before any I/O', () => {
    expect(() =>
      createRunner({ algorithm: 'magic', intersections: 'all', controllerId: 'c' }).handle(
        T.config('a'),
        JSON.stringify(a),
      ),
    ).toThrow(/unknown algorithm 'magic'/);
  });
});
