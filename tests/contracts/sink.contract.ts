/**
 * The sink contract: one suite every sink passes (influx-v1 against a real InfluxDB 1.6.7,
 * the embedded store read back through `influx -import` into that InfluxDB, influx-v2 against a
 * local HTTP server that records the requests and keeps points by InfluxDB's rule). Every sink
 * runs every test: nothing is skipped.
 *
 * `sink` names the registered sink the run covers (collector/sinks/registry.ts): a test walks
 * the registry and fails for a sink no run covers (tests/unit/collector-sink-registry.test.ts).
 *
 * @example runSinkContract({ sink: 'embedded', name: 'embedded (files)', create: async () => harness })
 */
import { describe, expect, it } from 'vitest';
import { createLineMapper } from '../../collector/counts-lines.ts';
import { LinePoint } from '../../collector/line-point.ts';
import { type FieldValue, int, type Point } from '../../collector/point.ts';
import { indexConfig } from '../../collector/schema.ts';
import type { SinkKind } from '../../collector/sinks/registry.ts';
import { isPermanent, type Sink, SinkError } from '../../collector/sinks/types.ts';
import { twoPhase } from '../fixtures/intersections.ts';

/** A point as the backend gives it back: integers and floats both as numbers. */
export interface StoredPoint {
  tags: Record<string, string>;
  fields: Record<string, number | string | boolean>;
  /** epoch ns as text */
  timeNs: string;
}

export interface SinkHarness {
  sink: Sink;
  /** Every point the backend holds in `measurement`, sorted by time. */
  readBack(measurement: string): Promise<StoredPoint[]>;
  /** A sink of the same kind whose backend cannot be reached. */
  unreachable(): Sink;
  /** Releases the backend's resources for this test. */
  dispose(): Promise<void>;
}

export const CONTRACT_TESTS = [
  'writes points and reads them back with their tags, fields and exact time',
  'points kept as lines (the counts fast lane) read back as the points they stand for',
  'escapes what line protocol needs escaped',
  'writing the same point twice leaves one point',
  'an empty batch is a no-op',
  'a point whose field type conflicts with the stored one is refused as a permanent error',
  'a point with no usable field is left out',
  'an unreachable backend is a retryable error',
  'close is safe to call twice',
] as const;
export type ContractTest = (typeof CONTRACT_TESTS)[number];

export interface SinkContractOptions {
  /** the registered sink this run covers */
  sink: SinkKind;
  /** what the run is against, e.g. `influx-v1 (real InfluxDB 1.6.7)` */
  name: string;
  create(): Promise<SinkHarness>;
}

const plain = (v: FieldValue): number | string | boolean => (typeof v === 'object' ? v.int : v);

function expectStored(stored: StoredPoint[], points: Point[]) {
  expect(stored).toHaveLength(points.length);
  points.forEach((p, i) => {
    const s = stored[i]!;
    expect(s.timeNs).toBe(`${BigInt(p.timeMs) * 1_000_000n + BigInt(p.subMsNs ?? 0)}`);
    const tags = Object.fromEntries(
      Object.entries(p.tags).filter((e): e is [string, string] => !!e[1]),
    );
    expect(s.tags).toEqual(tags);
    const fields = Object.fromEntries(
      Object.entries(p.fields)
        .filter((e): e is [string, FieldValue] => e[1] !== undefined)
        .map(([k, v]) => [k, plain(v)]),
    );
    expect(s.fields).toEqual(fields);
  });
}

export function runSinkContract(opts: SinkContractOptions) {
  const test = (name: ContractTest, fn: (h: SinkHarness) => Promise<void>) => {
    it(name, async () => {
      const h = await opts.create();
      try {
        await fn(h);
      } finally {
        await h.dispose();
      }
    });
  };

  describe(`sink contract: ${opts.name}`, () => {
    test('writes points and reads them back with their tags, fields and exact time', async (h) => {
      const points: Point[] = Array.from({ length: 50 }, (_, i) => ({
        measurement: 'contract',
        tags: { intersection: 'a', detector: `d${i % 5}`, sensor: 's1' },
        fields: { count: int(i), occupancy: i / 100, ok: i % 2 === 0, note: `n${i}` },
        timeMs: 1_764_340_000_000 + i * 1000,
        subMsNs: i,
      }));
      await h.sink.write(points);
      expectStored(await h.readBack('contract'), points);
    });

    test('points kept as lines (the counts fast lane) read back as the points they stand for', async (h) => {
      const map = createLineMapper();
      const ctx = {
        root: 'traffic',
        intersections: new Map([['two', indexConfig(twoPhase)]]),
        receivedMs: 0,
        rejectSeq: 0,
      };
      const detectors = ['N-through-stop', 'S-through-stop', 'E-through-advance'];
      const points: Point[] = [];
      for (let i = 0; i < 12; i++) {
        const from = 1_764_340_000_000 + i * 1000;
        const reading = { id: detectors[i % 3], count: i, occupancy: i / 16, speedKmh: 30 + i };
        const payload = Buffer.from(
          JSON.stringify({
            v: 1,
            sensor: 's1',
            boot: 'b',
            seq: i,
            from,
            to: from + 1000,
            detectors: [reading],
          }),
        );
        points.push(...map('traffic/v1/two/counts/s1', payload, ctx).points);
      }
      for (const p of points) expect(p).toBeInstanceOf(LinePoint);
      await h.sink.write(points);
      expectStored(await h.readBack('counts'), points);
    });

    test('escapes what line protocol needs escaped', async (h) => {
      const points: Point[] = [
        {
          measurement: 'esc',
          tags: { 'tag key': 'a,b=c d', unicode: 'Zürich→東京', slash: 'x/y' },
          fields: { 'f,=k': 'say "hi" \\ back', n: -1.5e-7 },
          timeMs: 1_764_340_000_000,
        },
        {
          measurement: 'esc',
          tags: { 'tag key': '=', unicode: '"quoted"', slash: ' lead' },
          fields: { 'f,=k': '', n: 1e21 },
          timeMs: 1_764_340_001_000,
        },
      ];
      await h.sink.write(points);
      expectStored(await h.readBack('esc'), points);
    });

    test('writing the same point twice leaves one point', async (h) => {
      const p: Point = {
        measurement: 'dup',
        tags: { sensor: 's1' },
        fields: { count: int(3) },
        timeMs: 1_764_340_000_000,
      };
      await h.sink.write([p]);
      await h.sink.write([p, { ...p }]);
      expectStored(await h.readBack('dup'), [p]);
    });

    test('an empty batch is a no-op', async (h) => {
      await h.sink.write([]);
      expect(await h.readBack('contract')).toEqual([]);
    });

    test('a point whose field type conflicts with the stored one is refused as a permanent error', async (h) => {
      const first: Point = {
        measurement: 'conflict',
        tags: { sensor: 's1' },
        fields: { v: int(1) },
        timeMs: 1_764_340_000_000,
      };
      await h.sink.write([first]);
      const err = await h.sink
        .write([{ ...first, fields: { v: 'text' }, timeMs: first.timeMs + 1000 }])
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(SinkError);
      expect(isPermanent(err)).toBe(true);
      expectStored(await h.readBack('conflict'), [first]);
    });

    test('a point with no usable field is left out', async (h) => {
      const kept: Point = {
        measurement: 'nofield',
        tags: { sensor: 's1' },
        fields: { v: 1 },
        timeMs: 1_764_340_000_000,
      };
      await h.sink.write([
        {
          ...kept,
          fields: { v: undefined, w: Number.NaN, x: int(2 ** 60) },
          timeMs: kept.timeMs - 1000,
        },
        kept,
      ]);
      await h.sink.write([{ ...kept, fields: {} }]);
      expectStored(await h.readBack('nofield'), [kept]);
    });

    test('an unreachable backend is a retryable error', async (h) => {
      const sink = h.unreachable();
      const err = await sink
        .write([{ measurement: 'x', tags: {}, fields: { v: 1 }, timeMs: 0 }])
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeInstanceOf(SinkError);
      expect(isPermanent(err)).toBe(false);
      await sink.close?.();
    });

    test('close is safe to call twice', async (h) => {
      await h.sink.write([{ measurement: 'c', tags: {}, fields: { v: 1 }, timeMs: 0 }]);
      await h.sink.close?.();
      await h.sink.close?.();
    });
  });
}
