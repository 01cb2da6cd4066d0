/** Loss accounting per (sensor, boot): gaps after a reorder window, restarts, duplicates. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLossTracker, type SeqMessage } from '../../collector/loss.ts';

const msg = (seq: number, boot = 'b1', sensor = 's1'): SeqMessage => ({
  intersection: 'a',
  sensor,
  boot,
  seq,
  fromMs: 1000 * seq,
});

describe('loss tracker', () => {
  it('a sensor that skips seqs 10–19 produces one gap record of 10', () => {
    const t = createLossTracker({ windowMs: 2000 });
    const gaps = [];
    for (let s = 0; s < 40; s++) {
      if (s >= 10 && s <= 19) continue;
      gaps.push(...t.observe(msg(s), s * 10).gaps);
    }
    expect(gaps).toEqual([]); // still inside the reorder window
    gaps.push(...t.tick(1000));
    expect(gaps).toEqual([]);
    gaps.push(...t.tick(5000));
    expect(gaps).toEqual([
      {
        intersection: 'a',
        sensor: 's1',
        boot: 'b1',
        fromSeq: 10,
        toSeq: 19,
        missing: 10,
        atMs: 20_000,
      },
    ]);
    expect(t.tick(60_000)).toEqual([]);
  });

  it('a restart with a new boot is not a gap', () => {
    const t = createLossTracker();
    const gaps = [];
    for (let s = 0; s < 50; s++) gaps.push(...t.observe(msg(s), s).gaps);
    for (let s = 0; s < 50; s++) gaps.push(...t.observe(msg(s, 'b2'), 100 + s).gaps);
    gaps.push(...t.tick(100_000), ...t.drain());
    expect(gaps).toEqual([]);
  });

  it('reordering inside the window is not a gap; duplicates and late arrivals are counted', () => {
    const t = createLossTracker({ windowMs: 1000 });
    const order = [0, 2, 1, 3, 3, 5, 4, 6];
    const obs = order.map((s, i) => t.observe(msg(s), i));
    expect(obs.flatMap((o) => o.gaps)).toEqual([]);
    expect(obs.filter((o) => o.duplicate)).toHaveLength(1);
    t.observe(msg(9), 10);
    expect(t.tick(2000)).toMatchObject([{ fromSeq: 7, toSeq: 8, missing: 2 }]);
    expect(t.observe(msg(8), 2001)).toEqual({ gaps: [], duplicate: false, late: true });
    expect(t.observe(msg(9), 2002)).toEqual({ gaps: [], duplicate: true, late: false });
  });

  it('declares a hole once more than windowMessages came past it', () => {
    const t = createLossTracker({ windowMs: 60_000, windowMessages: 5 });
    t.observe(msg(0), 0);
    const gaps = [];
    for (let s = 3; s < 10; s++) gaps.push(...t.observe(msg(s), 1).gaps);
    expect(gaps).toMatchObject([{ fromSeq: 1, toSeq: 2, missing: 2 }]);
  });

  it('bounds the streams it tracks', () => {
    const t = createLossTracker({ maxStreams: 10 });
    for (let i = 0; i < 100; i++) t.observe(msg(0, `b${i}`), i);
    expect(t.streams()).toBe(10);
  });

  it('at the bound, forgets the stream least recently seen', () => {
    const t = createLossTracker({ maxStreams: 2, windowMs: 60_000 });
    t.observe(msg(0, 'b1', 'x'), 0);
    t.observe(msg(0, 'b1', 'y'), 0);
    t.observe(msg(1, 'b1', 'x'), 0); // x seen after y
    t.observe(msg(0, 'b1', 'z'), 0); // a third stream: y goes
    expect(t.streams()).toBe(2);
    t.observe(msg(3, 'b1', 'x'), 0); // x kept: seq 2 is a hole
    t.observe(msg(5, 'b1', 'y'), 0); // y starts again here (and z goes): no hole
    expect(t.drain()).toMatchObject([{ sensor: 'x', fromSeq: 2, toSeq: 2, missing: 1 }]);
  });

  it('keeps the streams of one sensor apart by boot, whichever came last', () => {
    const t = createLossTracker({ windowMs: 60_000 });
    t.observe(msg(0, 'b1'), 0);
    t.observe(msg(0, 'b2'), 0);
    t.observe(msg(1, 'b1'), 0);
    t.observe(msg(3, 'b1'), 0);
    t.observe(msg(2, 'b2'), 0);
    expect(t.observe(msg(1, 'b1'), 0).duplicate).toBe(true);
    // least recently seen first: b1's duplicate came last
    expect(t.drain()).toMatchObject([
      { boot: 'b2', fromSeq: 1, toSeq: 1 },
      { boot: 'b1', fromSeq: 2, toSeq: 2 },
    ]);
  });

  it('counts exactly the dropped messages of any shuffled stream (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.boolean(), { minLength: 2, maxLength: 300 }),
        fc.integer({ min: 0, max: 1000 }),
        (keep, seed) => {
          keep[0] = true; // the first message defines the stream
          keep[keep.length - 1] = true; // and the last one closes every hole
          const t = createLossTracker({ windowMs: 100, windowMessages: 10_000 });
          const seqs = keep.flatMap((k, i) => (k ? [i] : []));
          // Local shuffle: swap neighbours deterministically from the seed.
          for (let i = 1; i < seqs.length - 1; i++) {
            if ((seed + i) % 3 === 0) [seqs[i], seqs[i + 1]] = [seqs[i + 1]!, seqs[i]!];
          }
          let missing = 0;
          seqs.forEach((s, i) => {
            missing += t.observe(msg(s), i).gaps.reduce((n, g) => n + g.missing, 0);
          });
          missing += t.tick(1_000_000).reduce((n, g) => n + g.missing, 0);
          expect(missing).toBe(keep.filter((k) => !k).length);
        },
      ),
      { numRuns: 300, seed: 6 },
    );
  });
});

describe('loss tracker resync (after a session takeover)', () => {
  it('the messages another client took are not a gap; later holes still are', () => {
    const t = createLossTracker({ windowMs: 1000 });
    for (let s = 0; s < 10; s++) t.observe(msg(s), s);
    t.observe(msg(12), 10); // a hole 10..11 is open …
    t.resync(); // … when the session is taken over: what we saw is not the whole stream
    const gaps = [];
    for (let s = 40; s < 50; s++) gaps.push(...t.observe(msg(s), 100 + s).gaps);
    gaps.push(...t.tick(10_000));
    expect(gaps).toEqual([]);
    t.observe(msg(55), 10_001);
    expect(t.tick(20_000)).toMatchObject([{ fromSeq: 50, toSeq: 54, missing: 5 }]);
  });
});

describe('loss tracker: a missing tail (issue 18.4)', () => {
  it("declares the seqs up to a status' lastSeq that never came as one tail gap", () => {
    const t = createLossTracker({ windowMs: 1000 });
    for (let s = 0; s < 7; s++) t.observe(msg(s), s);
    expect(t.tick(100_000)).toEqual([]); // nothing after seq 6: no hole can be seen
    t.expect(msg(9), 200_000);
    expect(t.tick(200_500)).toEqual([]); // within the window: 7..9 may still come
    expect(t.tick(201_000)).toMatchObject([
      { fromSeq: 7, toSeq: 9, missing: 3, tail: true, sensor: 's1', boot: 'b1' },
    ]);
    expect(t.tick(300_000)).toEqual([]); // declared once
    expect(t.observe(msg(8), 300_001).late).toBe(true);
  });

  it('no tail gap when the tail arrives within the window, or the status is old news', () => {
    const t = createLossTracker({ windowMs: 1000 });
    for (let s = 0; s < 7; s++) t.observe(msg(s), s);
    t.expect(msg(9), 100);
    for (let s = 7; s < 10; s++) t.observe(msg(s), 200 + s);
    expect(t.tick(5000)).toEqual([]);
    t.expect(msg(5), 6000); // an older lastSeq (a retained status seen again)
    expect(t.tick(10_000)).toEqual([]);
    t.expect(msg(3, 'other-boot'), 10_000); // a stream never seen: nothing to say
    expect(t.tick(20_000)).toEqual([]);
  });

  it('an open hole and the tail are both declared, in order', () => {
    const t = createLossTracker({ windowMs: 1000 });
    for (const s of [0, 1, 2, 5, 6]) t.observe(msg(s), s);
    t.expect(msg(8), 10);
    expect(t.tick(2000)).toMatchObject([
      { fromSeq: 3, toSeq: 4, missing: 2 },
      { fromSeq: 7, toSeq: 8, missing: 2, tail: true },
    ]);
  });
});
