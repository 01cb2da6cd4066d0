/** The dashboard's pure core: the state reducer, the counts query parameters, the city layout. */
import { describe, expect, it } from 'vitest';
import { parseRange } from '../../dashboard/query.ts';
import type { IntersectionState } from '../../dashboard/source.ts';
import { MAX_TIMELINE, reduce } from '../../dashboard/state.ts';
import { layout } from '../../dashboard/web/layout.ts';
import { type Counts, parseTopic, type Signal } from '../../protocol/index.ts';
import { twoPhase } from '../fixtures/intersections.ts';

const config = { ...twoPhase, id: 'a' };
const T = Date.UTC(2026, 0, 1);
const signal = (
  t: number,
  phase: string,
  interval: Signal['interval'] = 'green',
  overrides: Signal['overrides'] = [],
): Signal => ({
  v: 1,
  t,
  phase,
  interval,
  sinceMs: t,
  minEndMs: t,
  maxEndMs: t + 60_000,
  movements: {
    'N-through': phase === 'ns' ? 'protected-Movement-Allowed' : 'stop-And-Remain',
    'E-through': phase === 'ew' ? 'protected-Movement-Allowed' : 'stop-And-Remain',
  },
  controller: 'c1',
  overrides,
});
const counts = (seq: number, adv: number, stop: number, boot = 'b1'): Counts => ({
  v: 1,
  sensor: 'a-det',
  boot,
  seq,
  from: T + seq * 1000,
  to: T + (seq + 1) * 1000,
  detectors: [
    { id: 'N-through-advance', count: adv },
    { id: 'N-through-stop', count: stop },
  ],
});

function feed(s: IntersectionState | undefined, topic: string, value: unknown, retained = false) {
  const payload = typeof value === 'string' ? value : JSON.stringify(value);
  return reduce(s, {
    topic: parseTopic(`traffic/v1/a/${topic}`)!,
    payload,
    retained,
    receivedMs: T,
  });
}

describe('reduce', () => {
  it('keeps config, signal and counts, and emits compact live events', () => {
    let out = feed(undefined, 'config', config, true);
    expect(out.events).toEqual([{ k: 'cfg', i: 'a' }]);
    out = feed(out.next, 'signal', signal(T, 'ns'), true);
    expect(out.events).toEqual([
      {
        k: 'sig',
        i: 'a',
        t: T,
        p: 'ns',
        iv: 'green',
        m: { 'N-through': 'G', 'E-through': 'r' },
        c: 'c1',
      },
    ]);
    // the same heads again (the signal is published every tick): no event
    out = feed(out.next, 'signal', signal(T + 1000, 'ns'));
    expect(out.events).toEqual([]);
    out = feed(out.next, 'counts/a-det', counts(0, 3, 1));
    expect(out.events).toEqual([
      {
        k: 'cnt',
        i: 'a',
        t: T + 1000,
        a: { N: 4, S: 0, E: 0, W: 0 },
        q: { N: 2, S: 0, E: 0, W: 0 },
      },
    ]);
    expect(out.next?.lastSignalMs).toBe(T + 1000);
  });

  it('never lets a queue go negative, nor count a duplicate interval twice', () => {
    let s = feed(undefined, 'config', config).next;
    s = feed(s, 'counts/a-det', counts(0, 5, 0)).next;
    const dup = feed(s, 'counts/a-det', counts(0, 5, 0));
    expect(dup.events).toEqual([]);
    expect(dup.next?.queues.N).toBe(5);
    s = feed(s, 'counts/a-det', counts(1, 0, 9)).next;
    expect(s?.queues.N).toBe(0);
    // a restarted sensor (new boot) starts its seq again and is counted
    s = feed(s, 'counts/a-det', counts(0, 2, 0, 'b2')).next;
    expect(s?.queues.N).toBe(2);
  });

  it('counts overrides once: a retained copy on resubscribe does not repeat them', () => {
    const ov = [{ kind: 'maxGreen' as const, atMs: T }];
    let out = feed(undefined, 'signal', signal(T, 'ns', 'green', ov));
    expect(out.overrides).toHaveLength(1);
    expect(out.events).toContainEqual({ k: 'ovr', i: 'a', o: ov });
    out = feed(out.next, 'signal', signal(T, 'ns', 'green', ov), true);
    expect(out.overrides).toHaveLength(0);
    expect(out.next?.overrides).toBe(1);
    // a retained signal seen first is history from before the dashboard: not counted
    expect(feed(undefined, 'signal', signal(T, 'ns', 'green', ov), true).overrides).toEqual([]);
  });

  it('ignores stale signals and bounds the timeline', () => {
    let s = feed(undefined, 'signal', signal(T + 5000, 'ns')).next;
    const stale = feed(s, 'signal', signal(T, 'ew'));
    expect(stale.next?.signal?.phase).toBe('ns');
    expect(stale.events).toEqual([]);
    for (let k = 1; k <= MAX_TIMELINE + 10; k++) {
      s = feed(s, 'signal', signal(T + 5000 + k * 1000, k % 2 ? 'ew' : 'ns')).next;
    }
    expect(s?.timeline).toHaveLength(MAX_TIMELINE);
    expect(s?.timeline.at(-1)?.t).toBe(T + 5000 + (MAX_TIMELINE + 10) * 1000);
  });

  it('rejects bad messages without losing state', () => {
    const s = feed(undefined, 'config', config).next;
    for (const [topic, value] of [
      ['signal', 'not json'],
      ['counts/a-det', { v: 1 }],
      ['counts/other', counts(0, 1, 1)], // sensor id differs from the topic
      ['config', { ...config, id: 'b' }], // config of another intersection
      ['status/x', { v: 1, online: true, device: 'y' }],
    ] as const) {
      const out = feed(s, topic, value);
      expect(out.rejected, topic).toBe(true);
      expect(out.next).toBe(s);
    }
  });

  it('tracks device status and forgets an intersection whose config is cleared', () => {
    let out = feed(undefined, 'config', config, true);
    out = feed(out.next, 'status/a-det', { v: 1, online: true, role: 'sensor' }, true);
    expect(out.events).toEqual([{ k: 'st', i: 'a', d: 'a-det', on: true }]);
    out = feed(out.next, 'status/a-det', { v: 1, online: false });
    expect(out.next?.devices['a-det']?.online).toBe(false);
    out = feed(out.next, 'config', '', true);
    expect(out.next).toBeUndefined();
    expect(out.events).toEqual([{ k: 'del', i: 'a' }]);
  });
});

describe('parseRange', () => {
  const end = T + 3600_000;
  it('defaults to the 15 minutes before the newest data, in at most 180 buckets', () => {
    expect(parseRange({}, end)).toEqual({
      ok: true,
      fromMs: end - 900_000,
      toMs: end,
      everyMs: 5000,
    });
  });
  it('takes epoch ms, ISO 8601 and durations', () => {
    expect(
      parseRange({ from: '2026-01-01T00:00:00Z', to: String(T + 60_000), every: '10s' }, end),
    ).toEqual({ ok: true, fromMs: T, toMs: T + 60_000, everyMs: 10_000 });
    expect(parseRange({ every: '1m' }, end)).toMatchObject({ everyMs: 60_000 });
    expect(parseRange({ every: '1500' }, end)).toMatchObject({ everyMs: 1500 });
  });
  it('names the bad parameter', () => {
    expect(parseRange({ from: 'soon' }, end)).toMatchObject({ ok: false, parameter: 'from' });
    expect(parseRange({ to: '12:00' }, end)).toMatchObject({ ok: false, parameter: 'to' });
    expect(parseRange({ every: '-1s' }, end)).toMatchObject({ ok: false, parameter: 'every' });
    expect(parseRange({ from: String(end) }, end)).toMatchObject({ ok: false, parameter: 'from' });
    expect(parseRange({ from: '0' }, end)).toMatchObject({ ok: false, parameter: 'from' });
    expect(parseRange({ every: '1' }, end)).toMatchObject({ ok: false, parameter: 'every' });
  });
});

describe('layout', () => {
  it('places grid ids by row and column', () => {
    expect(layout([{ id: 'r1c2' }, { id: 'r0c0' }])).toEqual([
      { id: 'r0c0', x: 0, y: 0 },
      { id: 'r1c2', x: 2, y: 1 },
    ]);
  });
  it('projects locations, north up', () => {
    const at = (id: string, lat: number, lon: number) => ({
      id,
      config: { ...config, id, location: { lat, lon } },
    });
    const p = layout([at('south', 52.0, 13.0), at('north', 52.01, 13.0)]);
    expect(p.find((q) => q.id === 'north')!.y).toBeLessThan(p.find((q) => q.id === 'south')!.y);
  });
  it('fills a square grid otherwise', () => {
    const p = layout(['a', 'b', 'c', 'd', 'e'].map((id) => ({ id })));
    expect(p.map((q) => [q.x, q.y])).toEqual([
      [0, 0],
      [1, 0],
      [2, 0],
      [0, 1],
      [1, 1],
    ]);
  });
});
