/**
 * The counts fast lane (collector/counts-lines.ts) is a second implementation of `toPoints`:
 * for any message — valid, odd in form, or invalid — it must give the same result (kind, reject
 * and reason, counts key, unenriched), the same points read through `Point`, and the same lines
 * through `encodePoints` and the sinks' encoder. Its points kept as lines must read back as the
 * points they stand for, and survive the spool.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createLineMapper } from '../../collector/counts-lines.ts';
import { countsScan, scanCounts } from '../../collector/counts-scan.ts';
import { LinePoint } from '../../collector/line-point.ts';
import { encodePoint, encodePoints } from '../../collector/line-protocol.ts';
import type { Point } from '../../collector/point.ts';
import { createSeriesCache, type MapContext, toPoints } from '../../collector/points.ts';
import { indexConfig } from '../../collector/schema.ts';
import { createLineEncoder } from '../../collector/sinks/line-encoder.ts';
import { createSpool } from '../../collector/spool.ts';
import { nema8, twoPhase } from '../fixtures/intersections.ts';
import { countsAt } from '../helpers/counts.ts';

const NOW = 1_764_340_009_000;
const ctx = (): MapContext => ({
  root: 'traffic',
  intersections: new Map([
    ['two', indexConfig(twoPhase)],
    ['nema', indexConfig({ ...nema8, id: 'nema' })],
  ]),
  receivedMs: NOW,
  rejectSeq: 7,
  series: createSeriesCache(),
  topics: new Map(),
});

/** What a reader of `Point` sees: undefined tags and fields are "none". */
const plain = (p: Point) => ({
  measurement: p.measurement,
  tags: Object.fromEntries(
    Object.entries(p.tags)
      .filter(([, v]) => v !== undefined && v !== '')
      .sort(([a], [b]) => a.localeCompare(b)),
  ),
  fields: Object.entries(p.fields).filter(([, v]) => v !== undefined),
  timeMs: p.timeMs,
  subMsNs: p.subMsNs ?? 0,
});
const bodyOf = (points: readonly Point[]) => Buffer.from(encodePoints(points).join('\n'), 'utf8');

function expectSame(topic: string, payload: Buffer, c: MapContext, map = createLineMapper()) {
  const fast = map(topic, payload, c);
  const careful = toPoints(topic, payload, c);
  expect(fast.kind).toBe(careful.kind);
  expect(fast.rejected).toEqual(careful.rejected);
  expect(fast.counts).toEqual(careful.counts);
  expect(fast.unenriched).toBe(careful.unenriched);
  expect(fast.config).toEqual(careful.config);
  expect(fast.points.map(plain)).toEqual(careful.points.map(plain));
  expect(encodePoints(fast.points)).toEqual(encodePoints(careful.points));
  expect(createLineEncoder().body(fast.points)).toEqual(bodyOf(careful.points));
  const mixed = [...careful.points, ...fast.points, ...careful.points];
  expect(Buffer.concat(createLineEncoder().pieces(mixed))).toEqual(bodyOf(mixed));
  expect(createLineEncoder().encode(fast.points)).toEqual(encodePoints(careful.points));
  return fast;
}

const DETECTORS = ['N-through-stop', 'N-through-advance', 'S-through-stop', 'E-through-stop'];

/** A counts message of sensor s1 as the bench and sensors send it: 1–4 readings, count by detector. */
const sensorMessage = (seq: number, count: (d: number) => number) =>
  countsAt(
    NOW,
    's1',
    seq,
    DETECTORS.slice(0, 1 + (seq % 4)).map((id, d) => ({
      id,
      count: count(d),
      occupancy: ((seq + d) % 10) / 10,
      speedKmh: 30 + d,
    })),
  );
const id = fc.oneof(
  { arbitrary: fc.constantFrom(...DETECTORS), weight: 12 },
  { arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{1,8}$/), weight: 1 },
);
/** Numbers as sensors write them, and some a careful reader must see to. */
const occupancy = fc.oneof(
  fc.double({ min: 0, max: 1, noNaN: true }),
  fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000),
  fc.integer({ min: 0, max: 10 }).map((n) => n / 10),
  fc.constantFrom(0, 1, 0.1, 0.25, 0.000001, 1e-7, 0.0000015, -0, 1.5, 0.123456789012345),
);
const speed = fc.oneof(
  fc.double({ min: 0, max: 400, noNaN: true }),
  fc.integer({ min: 0, max: 4000 }).map((n) => n / 10),
  fc.integer({ min: 0, max: 400 }),
  fc.constantFrom(0, 400, 400.5, 401, 30, 123456789.5),
);
const reading = fc.record(
  {
    id,
    count: fc.oneof(
      { arbitrary: fc.integer({ min: 0, max: 100_000 }), weight: 8 },
      { arbitrary: fc.constantFrom(100_001, -1, 2.5), weight: 1 },
    ),
    occupancy,
    speedKmh: speed,
  },
  { requiredKeys: ['id', 'count'] },
);
const message = fc
  .record(
    {
      v: fc.constantFrom(1, 1, 1, 1, 1, 1, 2),
      sensor: fc.constantFrom('s1', 's1', 's1', 's1', 's1', 's2'),
      boot: fc.oneof(id, fc.constant('b1')),
      seq: fc.oneof(fc.nat(), fc.constantFrom(0, Number.MAX_SAFE_INTEGER, 2 ** 53, -1)),
      from: fc.oneof(
        { arbitrary: fc.integer({ min: NOW - 1e7, max: NOW + 1e7 }), weight: 4 },
        { arbitrary: fc.integer({ min: 0, max: 4e12 }), weight: 1 },
        { arbitrary: fc.constantFrom(0, NOW, NOW - 90_000_000), weight: 1 },
      ),
      len: fc.oneof(
        { arbitrary: fc.integer({ min: 1, max: 60_000 }), weight: 8 },
        { arbitrary: fc.constantFrom(0, -1000), weight: 1 },
      ),
      detectors: fc.uniqueArray(reading, { selector: (r) => r.id, maxLength: 5 }),
      actuations: fc.constantFrom(
        undefined,
        undefined,
        undefined,
        [],
        [{ id: 'N-through-stop', onMs: 1, offMs: 2 }],
      ),
    },
    { requiredKeys: ['v', 'sensor', 'boot', 'seq', 'from', 'len', 'detectors'] },
  )
  .map(({ len, ...m }) => ({ ...m, to: m.from + len }) as Record<string, unknown>);

/** The same message written differently, or spoiled. */
const forms: Array<(m: Record<string, unknown>) => string> = [
  (m) => JSON.stringify(m),
  (m) => JSON.stringify(m),
  (m) => JSON.stringify(m),
  (m) => JSON.stringify(m),
  (m) => JSON.stringify(m, null, 2),
  (m) => JSON.stringify(Object.fromEntries(Object.entries(m).reverse())),
  (m) =>
    JSON.stringify({
      ...m,
      detectors: (m.detectors as Record<string, unknown>[]).map((d) =>
        Object.fromEntries(Object.entries(d).reverse()),
      ),
    }),
  (m) => ` \t${JSON.stringify(m)}\r\n`,
  (m) => JSON.stringify(m).replace('{', '{"v":1,'), // a key twice
  (m) => JSON.stringify(m).replace('{', '{"extra":1,'),
  (m) => JSON.stringify(m).replace('"seq":', '"seq":0'),
  (m) => JSON.stringify(m).replace(/"count":(\d+)/, '"count":$1.0'),
  (m) => JSON.stringify(m).replace(/"count":(\d+)/, '"count":$1e0'),
  (m) => JSON.stringify(m).replace(/"occupancy":([\d.]+)/, '"occupancy":$10'),
  (m) => JSON.stringify(m).replace(/"speedKmh":([\d.]+)/, '"speedKmh":$1E0'),
  (m) => JSON.stringify(m).replace('"boot":"', '"boot":"\\u0041'),
  (m) => JSON.stringify(m).replace('"detectors":[', '"detectors":[{},'),
  (m) => JSON.stringify(m).replace(/,"to":/, ',"to" :'),
  (m) => `${JSON.stringify(m)}x`,
  (m) => JSON.stringify(m).slice(0, -1),
  (m) => JSON.stringify(m).replace('"v":1', '"v":1.0'),
  (m) => `${JSON.stringify(m)} `,
  (m) => JSON.stringify(m).replace('"id":"', `"id":"${'a'.repeat(60)}`), // 61+ characters
  (m) => JSON.stringify(m).replace('"boot":"', `"boot":"${'b'.repeat(63)}`),
];

/** The keys in the order a sensor's JSON.stringify of a Counts object writes them. */
const SENSOR_ORDER = ['v', 'sensor', 'boot', 'seq', 'from', 'to', 'detectors', 'actuations'];
const inSensorOrder = (m: Record<string, unknown>) =>
  Object.fromEntries(SENSOR_ORDER.filter((k) => k in m).map((k) => [k, m[k]]));

describe('the counts fast lane equals toPoints', () => {
  it('for any counts message, in any form, valid or not (property)', () => {
    const map = createLineMapper({ maxKeys: 5, chunkBytes: 2048 }); // tiny: bounds crossed often
    let lines = 0;
    fc.assert(
      fc.property(
        message,
        fc.integer({ min: 0, max: forms.length - 1 }),
        fc.constantFrom('two', 'two', 'two', 'nema', 'none'),
        fc.boolean(),
        fc.boolean(),
        (m, form, ic, window, sensorOrder) => {
          const c = ctx();
          if (window) c.timeWindow = { nowMs: NOW, windowMs: 86_400_000 };
          const payload = Buffer.from(forms[form]!(sensorOrder ? inSensorOrder(m) : m), 'utf8');
          const got = expectSame(`traffic/v1/${ic}/counts/s1`, payload, c, map);
          if (got.points[0] instanceof LinePoint) lines++;
        },
      ),
      { numRuns: 1500 },
    );
    expect(lines).toBeGreaterThan(15); // the lane itself was tested, not only its way out
  });

  it('for plain valid messages of known detectors, every point a line (property)', () => {
    const map = createLineMapper({ maxKeys: 3, chunkBytes: 1024 });
    const plainReading = fc.record(
      {
        id: fc.constantFrom(...DETECTORS),
        count: fc.integer({ min: 0, max: 100_000 }),
        occupancy: fc.integer({ min: 0, max: 1000 }).map((n) => n / 1000),
        speedKmh: fc.integer({ min: 0, max: 4000 }).map((n) => n / 10),
      },
      { requiredKeys: ['id', 'count'] },
    );
    fc.assert(
      fc.property(
        fc.uniqueArray(plainReading, { selector: (r) => r.id, maxLength: 4 }),
        fc.nat(),
        fc.integer({ min: NOW - 1e7, max: NOW + 1e7 }),
        fc.integer({ min: 1, max: 900_000 }),
        (detectors, seq, from, len) => {
          const m = { v: 1, sensor: 's1', boot: 'b1', seq, from, to: from + len, detectors };
          const c = ctx();
          c.timeWindow = { nowMs: NOW };
          const got = expectSame(
            'traffic/v1/two/counts/s1',
            Buffer.from(JSON.stringify(m)),
            c,
            map,
          );
          for (const p of got.points) expect(p).toBeInstanceOf(LinePoint);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('for messages as the bench and sensors send them: every point a line', () => {
    const map = createLineMapper({ chunkBytes: 4096 }); // runs of lines cross chunks
    const all: Point[] = [];
    for (let seq = 0; seq < 50; seq++) {
      const m = sensorMessage(seq, (d) => (seq + d) % 7);
      const got = expectSame(
        'traffic/v1/two/counts/s1',
        Buffer.from(JSON.stringify(m)),
        ctx(),
        map,
      );
      expect(got.points.length).toBe(m.detectors.length);
      for (const p of got.points) expect(p).toBeInstanceOf(LinePoint);
      all.push(...got.points);
    }
    // a batch of many messages: runs of kept lines, copied or handed out as views
    expect(createLineEncoder().body(all)).toEqual(bodyOf(all));
    const pieces = createLineEncoder().pieces(all);
    expect(Buffer.concat(pieces)).toEqual(bodyOf(all));
    expect(pieces.length).toBeLessThan(all.length / 10);
  });

  it('for every other kind and every reject', () => {
    const counts = {
      v: 1,
      sensor: 's1',
      boot: 'b1',
      seq: 42,
      from: NOW,
      to: NOW + 1000,
      detectors: [{ id: 'N-through-stop', count: 3 }],
    };
    const cases: Array<[string, string | Buffer]> = [
      [
        'traffic/v1/two/decision',
        JSON.stringify({ v: 1, controller: 'c', seq: 5, t: 1, phase: 'ns' }),
      ],
      ['traffic/v1/two/status/s1', JSON.stringify({ v: 1, online: true, device: 's1' })],
      ['traffic/v1/two/config', JSON.stringify(twoPhase)],
      ['traffic/v1/two/counts/s2', JSON.stringify(counts)],
      ['traffic/v1/two/counts/s1', JSON.stringify(counts)],
      ['traffic/v1/none/counts/s1', JSON.stringify(counts)],
      ['traffic/v1/two/counts/s1', '{"v":1,'],
      ['traffic/v1/two/counts/s1', ''],
      ['traffic/v1/two/counts/s1', Buffer.alloc(70_000, 32)],
      ['traffic/v1/two/counts/s1', Buffer.from([0xff, 0xfe, 0x7b])],
      ['traffic/v1/two/counts/s1', '[[[[[[[[[[[[]]]]]]]]]]]]'],
      ['traffic/v1/two/counts/s1', '42'],
      ['traffic/v1/two/nonsense', '{}'],
      ['elsewhere/x', '{}'],
    ];
    for (const [topic, payload] of cases) {
      expectSame(topic, Buffer.from(payload), ctx());
    }
  });

  it('gives new series keys when an intersection gets a new config', () => {
    const map = createLineMapper();
    const payload = Buffer.from(
      JSON.stringify({
        v: 1,
        sensor: 's1',
        boot: 'b',
        seq: 1,
        from: NOW,
        to: NOW + 1000,
        detectors: [{ id: 'N-through-stop', count: 1 }],
      }),
    );
    const c = ctx();
    expectSame('traffic/v1/two/counts/s1', payload, c, map);
    const other = indexConfig({ ...nema8, id: 'two' });
    (c.intersections as Map<string, unknown>).set('two', other);
    const after = expectSame('traffic/v1/two/counts/s1', payload, c, map);
    expect(encodePoints(after.points)[0]).toMatch(/^counts,approach=N,detector=N-through-stop,/);
  });
});

describe('points kept as lines', () => {
  const m = {
    v: 1,
    sensor: 's1',
    boot: 'b1',
    seq: 3,
    from: NOW,
    to: NOW + 1000,
    detectors: DETECTORS.map((id, k) => ({ id, count: k, occupancy: 0.5, speedKmh: 42.5 })),
  };
  const points = () =>
    createLineMapper()('traffic/v1/two/counts/s1', Buffer.from(JSON.stringify(m)), ctx()).points;

  it('read back as the points they stand for', () => {
    for (const p of points()) {
      expect(p).toBeInstanceOf(LinePoint);
      const e = p.encoded!;
      expect(encodePoint(p)).toBe(e.bytes.toString('utf8', e.start, e.end));
    }
  });

  it('go through the spool and come back as the same lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'op-spool-lines-'));
    try {
      const spool = createSpool({ dir });
      spool.open();
      const ps = points();
      await spool.append(ps);
      const back = await spool.read(spool.oldest()!);
      expect(encodePoints(back)).toEqual(encodePoints(ps));
      expect(spool.bytes()).toBe(bodyOf(ps).length + 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('chunks used again', () => {
  const message = (seq: number) => sensorMessage(seq, (d) => (seq * 7 + d) % 1000);
  const lineOf = (p: Point) => {
    const e = p.encoded!;
    return e.bytes.toString('utf8', e.start, e.end);
  };

  it('a point not released keeps its line; released ones make room (property)', () => {
    // Messages are mapped and their points released in batches, in any order and any grouping:
    // every point still held must read as the line it was made with, and chunks must be used
    // again (so the test would see a line written over).
    let reused = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.record({ map: fc.integer({ min: 1, max: 12 }) }),
            fc.record({ release: fc.array(fc.nat(), { minLength: 1, maxLength: 6 }) }),
          ),
          { minLength: 5, maxLength: 60 },
        ),
        (ops) => {
          const map = createLineMapper({ chunkBytes: 2048 });
          const c = ctx();
          const held: { points: Point[]; lines: string[] }[] = [];
          const buffers = new Set<Buffer>();
          let last: Buffer | undefined;
          let seq = 0;
          for (const op of ops) {
            if ('map' in op) {
              for (let k = 0; k < op.map; k++) {
                const m = message(seq++);
                const r = map('traffic/v1/two/counts/s1', Buffer.from(JSON.stringify(m)), c);
                const b = r.points[0]!.encoded!.bytes;
                if (b !== last && buffers.has(b)) reused++; // an earlier chunk, taken again
                buffers.add(b);
                last = r.points.at(-1)!.encoded!.bytes;
                held.push({ points: r.points, lines: r.points.map(lineOf) });
              }
            } else {
              // a batch: some held messages' points, released once
              const batch: Point[] = [];
              for (const i of op.release) {
                if (held.length === 0) break;
                batch.push(...held.splice(i % held.length, 1)[0]!.points);
              }
              map.release(batch);
            }
            for (const h of held) expect(h.points.map(lineOf)).toEqual(h.lines);
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(reused).toBeGreaterThan(50);
  });

  it('a chunk whose lines are all released is written over, and only then', () => {
    const map = createLineMapper({ chunkBytes: 2048 });
    const c = ctx();
    const first = map('traffic/v1/two/counts/s1', Buffer.from(JSON.stringify(message(3))), c);
    const line = lineOf(first.points[0]!);
    const chunk = first.points[0]!.encoded!.bytes;
    let seq = 4;
    const mapUntilNewChunk = () => {
      for (;;) {
        const r = map('traffic/v1/two/counts/s1', Buffer.from(JSON.stringify(message(seq++))), c);
        if (r.points[0]!.encoded!.bytes !== chunk) return r;
        map.release(r.points);
      }
    };
    // not released: the next chunks are new ones, the line stays
    const later = mapUntilNewChunk();
    expect(lineOf(first.points[0]!)).toBe(line);
    map.release(later.points);
    for (let k = 0; k < 40; k++) {
      const r = mapUntilNewChunk();
      expect(r.points[0]!.encoded!.bytes).not.toBe(chunk);
      map.release(r.points);
    }
    expect(lineOf(first.points[0]!)).toBe(line);
    // released: its chunk is taken again (once the chunk being filled is full and held)
    map.release(first.points);
    let reused = false;
    for (let k = 0; k < 40 && !reused; k++) {
      const r = map('traffic/v1/two/counts/s1', Buffer.from(JSON.stringify(message(seq++))), c);
      reused = r.points[0]!.encoded!.bytes === chunk;
    }
    expect(reused).toBe(true);
  });

  it('releasing points of other kinds, or of no chunk, changes nothing', () => {
    const map = createLineMapper({ chunkBytes: 2048 });
    const c = ctx();
    const r = map('traffic/v1/two/counts/s1', Buffer.from(JSON.stringify(message(1))), c);
    const lines = r.points.map(lineOf);
    map.release(
      toPoints('traffic/v1/two/counts/s1', Buffer.from(JSON.stringify(message(2))), c).points,
    );
    map.release([]);
    for (let k = 0; k < 200; k++) {
      const o = map('traffic/v1/two/counts/s1', Buffer.from(JSON.stringify(message(10 + k))), c);
      map.release(o.points);
    }
    expect(r.points.map(lineOf)).toEqual(lines);
  });
});

describe('the counts scanner', () => {
  it('takes the plain form and leaves the rest', () => {
    const s = countsScan();
    const ok = (t: string) => scanCounts(Buffer.from(t), s);
    expect(ok('{"v":1,"sensor":"s1","boot":"b","seq":0,"from":0,"to":1000,"detectors":[]}')).toBe(
      true,
    );
    expect(
      ok(
        '{"v":1,"sensor":"s1","boot":"b","seq":0,"from":0,"to":1000,"detectors":[],"actuations":[]}',
      ),
    ).toBe(true);
    expect(ok('{"v":1,"sensor":"s1","boot":"b","seq":0,"from":5,"to":5,"detectors":[]}')).toBe(
      false,
    );
    expect(
      ok(
        '{"v":1,"sensor":"s1","boot":"b","seq":0,"from":0,"to":1000,"detectors":[{"id":"a","count":1},{"id":"a","count":2}]}',
      ),
    ).toBe(false);
  });
});
