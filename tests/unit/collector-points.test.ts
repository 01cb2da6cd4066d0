/** Protocol messages → points: enrichment, every measurement, and rejects with their reason. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodePoints } from '../../collector/line-protocol.ts';
import { int, type Point } from '../../collector/point.ts';
import { createSeriesCache, gapPoint, type MapContext, toPoints } from '../../collector/points.ts';
import { indexConfig, REJECT_LIMITS } from '../../collector/schema.ts';
import { createLineEncoder } from '../../collector/sinks/line-encoder.ts';
import { nema8, twoPhase } from '../fixtures/intersections.ts';

const ctx = (known = true): MapContext => ({
  root: 'traffic',
  intersections: new Map(known ? [['two', indexConfig(twoPhase)]] : []),
  receivedMs: 1_764_340_009_000,
  rejectSeq: 7,
});

const counts = {
  v: 1,
  sensor: 's1',
  boot: 'b1',
  seq: 42,
  from: 1_764_340_000_000,
  to: 1_764_340_001_000,
  detectors: [
    { id: 'N-through-stop', count: 3, occupancy: 0.25, speedKmh: 31.5 },
    { id: 'mystery', count: 1 },
  ],
  actuations: [{ id: 'N-through-stop', onMs: 1_764_340_000_300, offMs: 1_764_340_000_420 }],
};
const json = (v: unknown) => Buffer.from(JSON.stringify(v));

describe('toPoints', () => {
  it('maps counts to one point per detector, enriched from the config, at `from`', () => {
    const r = toPoints('traffic/v1/two/counts/s1', json(counts), ctx());
    expect(r.kind).toBe('counts');
    expect(r.rejected).toBeUndefined();
    expect(r.counts).toEqual({
      intersection: 'two',
      sensor: 's1',
      boot: 'b1',
      seq: 42,
      fromMs: counts.from,
    });
    expect(r.points[0]).toEqual({
      measurement: 'counts',
      tags: {
        intersection: 'two',
        detector: 'N-through-stop',
        approach: 'N',
        movement: 'N-through',
        sensor: 's1',
      },
      fields: {
        count: int(3),
        occupancy: 0.25,
        speedKmh: 31.5,
        seq: int(42),
        intervalMs: int(counts.to - counts.from),
      },
      timeMs: counts.from,
    });
    // An unknown detector is still written, with the tags that can be known.
    expect(r.points[1]?.tags).toMatchObject({
      intersection: 'two',
      detector: 'mystery',
      sensor: 's1',
    });
    expect(r.points[1]?.tags.approach).toBeUndefined();
    expect(r.points[2]).toMatchObject({
      measurement: 'actuations',
      fields: { offMs: int(1_764_340_000_420), durationMs: int(120) },
      timeMs: 1_764_340_000_300,
    });
    expect(r.unenriched).toBe(1);
    expect(encodePoints(r.points)[0]).toBe(
      `counts,approach=N,detector=N-through-stop,intersection=two,movement=N-through,sensor=s1 count=3i,occupancy=0.25,speedKmh=31.5,seq=42i,intervalMs=${counts.to - counts.from}i 1764340000000000000`,
    );
  });

  it('writes counts of an intersection with no known config, counted as unenriched', () => {
    const r = toPoints('traffic/v1/two/counts/s1', json(counts), ctx(false));
    expect(r.points).toHaveLength(3);
    expect(r.unenriched).toBe(3);
  });

  it('folds unknown detector ids past the bound into `_other`, keeping the id as a field', () => {
    // the shell's bounded set is full: no new unknown id gets a series
    const r = toPoints('traffic/v1/two/counts/s1', json(counts), {
      ...ctx(),
      admitUnknown: () => false,
    });
    expect(r.points[0]?.tags.detector).toBe('N-through-stop'); // known: never folded
    expect(r.points[1]?.tags.detector).toBe('_other');
    expect(r.points[1]?.fields.detectorId).toBe('mystery');
    expect(r.unenriched).toBe(1);
  });

  it('maps signal (one point per interval change) and its overrides', () => {
    const signal = {
      v: 1,
      t: 1_764_340_001_000,
      phase: 'ns',
      interval: 'green',
      sinceMs: 1_764_339_990_000,
      minEndMs: 1_764_339_995_000,
      maxEndMs: 1_764_340_050_000,
      movements: { 'N-through': 'protected-Movement-Allowed' },
      controller: 'ctl-1',
      overrides: [{ kind: 'minGreen', atMs: 1_764_340_000_500, requested: 'ew' }],
    };
    const r = toPoints('traffic/v1/two/signal', json(signal), ctx());
    expect(r.points).toEqual([
      {
        measurement: 'signal',
        tags: { intersection: 'two', phase: 'ns', interval: 'green' },
        fields: {
          controller: 'ctl-1',
          t: int(signal.t),
          minEndMs: int(signal.minEndMs),
          maxEndMs: int(signal.maxEndMs),
        },
        timeMs: signal.sinceMs,
      },
      {
        measurement: 'overrides',
        tags: { intersection: 'two', kind: 'minGreen' },
        fields: { requested: 'ew', detail: undefined, phase: 'ns', controller: 'ctl-1' },
        timeMs: 1_764_340_000_500,
      },
    ]);
  });

  it('maps decisions and status', () => {
    const d = toPoints(
      'traffic/v1/two/decision',
      json({ v: 1, controller: 'ctl-1', seq: 5, t: 1000, phase: 'ew' }),
      ctx(),
    );
    expect(d.points[0]).toMatchObject({
      measurement: 'decisions',
      tags: { intersection: 'two', controller: 'ctl-1' },
      fields: { phase: 'ew', seq: int(5) },
      timeMs: 1000,
    });
    const s = toPoints(
      'traffic/v1/two/status/s1',
      json({ v: 1, online: false, device: 's1' }),
      ctx(),
    );
    expect(s.points[0]).toMatchObject({
      measurement: 'sensor_status',
      tags: { intersection: 'two', device: 's1' },
      fields: { online: false },
      timeMs: ctx().receivedMs,
    });
  });

  it('learns configs and writes nothing for them', () => {
    const r = toPoints('traffic/v1/two/config', json(twoPhase), ctx(false));
    expect(r.config?.id).toBe('two');
    expect(r.points).toEqual([]);
    const wrong = toPoints('traffic/v1/other/config', json(twoPhase), ctx(false));
    expect(wrong.rejected?.reason).toBe('bad-config');
  });

  it('rejects every kind of bad input with a reason, never throws', () => {
    const cases: Array<[string, string | Buffer, string]> = [
      ['traffic/v1/two/nonsense', '{}', 'bad-topic'],
      ['elsewhere/x', '{}', 'bad-topic'],
      ['traffic/v1/two/counts/s1', Buffer.alloc(70_000, 32), 'too-large'],
      ['traffic/v1/two/counts/s1', '', 'empty'],
      ['traffic/v1/two/counts/s1', Buffer.from([0xff, 0xfe, 0x7b]), 'not-utf8'],
      ['traffic/v1/two/counts/s1', '[[[[[[[[[[[[]]]]]]]]]]]]', 'too-deep'],
      ['traffic/v1/two/counts/s1', '{"v":1,', 'not-json'],
      ['traffic/v1/two/counts/s1', '42', 'not-object'],
      ['traffic/v1/two/counts/s1', JSON.stringify({ ...counts, seq: -1 }), 'schema'],
      ['traffic/v1/two/counts/s1', JSON.stringify({ ...counts, from: counts.to }), 'schema'],
      ['traffic/v1/two/counts/s2', JSON.stringify(counts), 'sensor-mismatch'],
      [
        'traffic/v1/two/status/x',
        JSON.stringify({ v: 1, online: true, device: 'y' }),
        'device-mismatch',
      ],
      ['traffic/v1/two/config', '{"id":"two"}', 'bad-config'],
    ];
    for (const [topic, payload, reason] of cases) {
      const r = toPoints(topic, payload, ctx());
      expect(r.rejected?.reason, `${topic} ${String(payload).slice(0, 30)}`).toBe(reason);
      expect(r.points).toHaveLength(1);
      const p = r.points[0]!;
      expect(p.measurement).toBe('rejected');
      expect(p.tags.reason).toBe(reason);
      expect(p.subMsNs).toBe(7);
      expect(String(p.fields.payload).length).toBeLessThanOrEqual(REJECT_LIMITS.payload);
      expect(encodePoints(r.points)).toHaveLength(1);
    }
  });

  it('makes the ingest_gaps point', () => {
    const p = gapPoint({
      intersection: 'two',
      sensor: 's1',
      boot: 'b1',
      fromSeq: 10,
      toSeq: 19,
      missing: 10,
      atMs: 5000,
    });
    expect(encodePoints([p])).toEqual([
      'ingest_gaps,intersection=two,sensor=s1 boot="b1",fromSeq=10i,toSeq=19i,missing=10i 5000000000',
    ]);
  });
});

/** What a `/write` body must be: the lines joined by newlines, UTF-8. */
const bodyOf = (points: Point[]) => Buffer.from(encodePoints(points).join('\n'), 'utf8');

describe('the line encoder of the InfluxDB sinks (cached series keys) equals encodePoints', () => {
  const id = fc.stringMatching(/^[A-Za-z0-9_-]{1,12}$/);
  const reading = fc.record(
    {
      id: fc.oneof(fc.constantFrom('N-through-stop', 'S-through-advance', 'E-through-stop'), id),
      count: fc.integer({ min: 0, max: 100_000 }),
      occupancy: fc.oneof(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1, 0.1)),
      speedKmh: fc.double({ min: 0, max: 400, noNaN: true }),
    },
    { requiredKeys: ['id', 'count'] },
  );
  const message = fc.record(
    {
      v: fc.constant(1),
      sensor: fc.constantFrom('s1', 's2'),
      boot: id,
      seq: fc.oneof(fc.nat(), fc.constant(Number.MAX_SAFE_INTEGER)),
      from: fc.integer({ min: 0, max: 4_000_000_000_000 }),
      to: fc.constant(4_000_000_000_001),
      detectors: fc.uniqueArray(reading, { selector: (r) => r.id, maxLength: 12 }),
      actuations: fc.array(fc.record({ id, onMs: fc.constant(1000), offMs: fc.constant(1500) }), {
        maxLength: 2,
      }),
    },
    { requiredKeys: ['v', 'sensor', 'boot', 'seq', 'from', 'to', 'detectors'] },
  );

  it('for the points of any valid counts message, series tags kept or not (property)', () => {
    const encoder = createLineEncoder(5); // tiny: the bound is crossed again and again
    const indexes = new Map([
      ['two', indexConfig(twoPhase)],
      ['nema', indexConfig({ ...nema8, id: 'nema' })],
    ]);
    const series = createSeriesCache(7); // tiny too
    fc.assert(
      fc.property(
        message,
        fc.constantFrom('two', 'nema', 'none'),
        fc.boolean(),
        (m, ic, admitAll) => {
          const c: MapContext = {
            ...ctx(),
            intersections: indexes,
            admitUnknown: admitAll ? undefined : (_i, d) => d.length % 2 === 0,
          };
          const topic = `traffic/v1/${ic}/counts/${m.sensor}`;
          const payload = Buffer.from(JSON.stringify(m));
          const got = toPoints(topic, payload, c);
          expect(got.rejected).toBeUndefined();
          expect(encoder.encode(got.points)).toEqual(encodePoints(got.points));
          expect(encoder.body(got.points)).toEqual(bodyOf(got.points));
          expect(Buffer.concat(encoder.pieces(got.points))).toEqual(bodyOf(got.points));
          // the same message again, its series' tags kept from the first time: the same points
          toPoints(topic, payload, { ...c, series });
          const kept = toPoints(topic, payload, { ...c, series });
          const bare = (ps: Point[]) => ps.map(({ series: _, ...p }) => p);
          expect(bare(kept.points)).toEqual(bare(got.points));
          expect(kept.unenriched).toBe(got.unenriched);
          for (const p of kept.points) if (p.series) expect(p.series).toBe(p.tags);
          expect(encoder.body(kept.points)).toEqual(bodyOf(got.points));
          expect(Buffer.concat(encoder.pieces(kept.points))).toEqual(bodyOf(got.points));
        },
      ),
      { numRuns: 400 },
    );
  });

  it('for every other kind and every reject', () => {
    const encoder = createLineEncoder();
    const cases: Array<[string, string]> = [
      [
        'traffic/v1/two/decision',
        JSON.stringify({ v: 1, controller: 'c', seq: 5, t: 1, phase: 'ns' }),
      ],
      ['traffic/v1/two/status/s1', JSON.stringify({ v: 1, online: true, device: 's1' })],
      ['traffic/v1/two/config', JSON.stringify(twoPhase)],
      ['traffic/v1/two/counts/s2', JSON.stringify(counts)],
      ['traffic/v1/two/counts/s1', '{"v":1,'],
      ['traffic/v1/two/nonsense', '{}'],
      ['traffic/v1/two/counts/s1', JSON.stringify(counts)],
    ];
    for (const [topic, payload] of cases) {
      const { points } = toPoints(topic, payload, ctx());
      expect(encoder.encode(points), topic).toEqual(encodePoints(points));
      expect(encoder.body(points), topic).toEqual(bodyOf(points));
      expect(Buffer.concat(encoder.pieces(points)), topic).toEqual(bodyOf(points));
    }
  });

  it('gives new series keys when an intersection gets a (new) config', () => {
    const encoder = createLineEncoder();
    const topic = 'traffic/v1/two/counts/s1';
    const payload = JSON.stringify({ ...counts, actuations: undefined });
    const before = toPoints(topic, payload, ctx(false));
    expect(encoder.encode(before.points)[0]).toMatch(
      /^counts,detector=N-through-stop,intersection=two,sensor=s1 /,
    );
    expect(before.unenriched).toBe(2);
    const after = toPoints(topic, payload, ctx(true));
    expect(encoder.encode(after.points)[0]).toMatch(
      /^counts,approach=N,detector=N-through-stop,intersection=two,movement=N-through,sensor=s1 /,
    );
    expect(after.unenriched).toBe(1);
    expect(encoder.size()).toBe(3); // the unknown detector keeps its series
  });

  it('for any points: tags in any order, shared and other keys, values that need escaping (property)', () => {
    const encoder = createLineEncoder(7);
    const text = fc.oneof(
      fc.constantFrom('a', 'b', 'N 1', 'x,y=z', '', 'Zürich', 'Zürich→東京 𝄞', 'a"b\\c\nd'),
      fc.string(),
      fc.string({ unit: 'binary' }), // lone surrogates too
    );
    const point = fc.record({
      measurement: fc.constantFrom('m', 'n n', 'counts'),
      tags: fc.dictionary(
        fc.constantFrom('a', 'b', 'c', 'k y', ''),
        fc.option(text, { nil: undefined }),
      ),
      fields: fc.dictionary(
        fc.constantFrom('v', 'w', 'f,=k'),
        fc.oneof(
          fc.double(),
          // plain numbers the encoder writes as digits (safe integers) or not, and their edges
          fc.integer(),
          fc.constantFrom(-0, 0.1, 0.25, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 1e21, -1e-7),
          fc.integer().map(int),
          fc.boolean(),
          text,
          fc.constant(undefined),
        ),
      ),
      timeMs: fc.oneof(fc.constant(1_764_340_000_000), fc.integer({ min: 0, max: 4e12 })),
      subMsNs: fc.option(fc.integer({ min: 0, max: 999_999 }), { nil: undefined }),
    }) as fc.Arbitrary<Point>;
    fc.assert(
      fc.property(fc.array(point, { maxLength: 20 }), (points) => {
        expect(encoder.encode(points)).toEqual(encodePoints(points));
        expect(encoder.body(points)).toEqual(bodyOf(points));
        expect(Buffer.concat(encoder.pieces(points))).toEqual(bodyOf(points));
      }),
      { numRuns: 500 },
    );
  });
});
