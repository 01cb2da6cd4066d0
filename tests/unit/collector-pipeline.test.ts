/**
 * The sink framework with a real on-disk spool and a scripted sink (a real implementation of the
 * one-method Sink interface whose availability the test switches): batching, acknowledgement
 * only once durable, spool and in-order replay, bisection down to the refused point, the spool
 * bound.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodePoint, encodePoints, parseLine, pointOf } from '../../collector/line-protocol.ts';
import { createPipeline } from '../../collector/pipeline.ts';
import { int, type Point } from '../../collector/point.ts';
import { type Sink, SinkError } from '../../collector/sinks/types.ts';
import { createSpool } from '../../collector/spool.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function tmp() {
  const d = mkdtempSync(join(tmpdir(), 'op-pipeline-'));
  dirs.push(d);
  return d;
}

/** A sink that stores points as lines, can be taken down, and refuses points tagged "BAD". */
function scriptedSink() {
  const stored: string[] = [];
  const calls: number[] = [];
  let down = false;
  let gate: Promise<void> | undefined;
  const sink: Sink = {
    name: 'scripted',
    async write(points) {
      calls.push(points.length);
      await gate;
      if (down) throw new SinkError('connect ECONNREFUSED', 'retryable');
      const bad = encodePoints(points).filter((p) => p.includes('BAD'));
      if (bad.length > 0) {
        throw new SinkError(
          `partial write: unable to parse '${bad[0]}' dropped=${bad.length}`,
          'permanent',
          400,
        );
      }
      stored.push(...encodePoints(points));
    },
  };
  return {
    sink,
    stored,
    calls,
    setDown: (v: boolean) => {
      down = v;
    },
    hold() {
      let open!: () => void;
      gate = new Promise<void>((r) => {
        open = r;
      });
      return () => {
        gate = undefined;
        open();
      };
    },
  };
}

const pts = (from: number, n: number, tag = 'ok'): Point[] =>
  Array.from({ length: n }, (_, i) => ({
    measurement: 'm',
    tags: { t: tag },
    fields: { v: int(from + i) },
    timeMs: from + i,
  }));
/** The same points as the lines a line-protocol sink stores. */
const lines = (from: number, n: number, tag = 'ok') => encodePoints(pts(from, n, tag));
const asPoints = (ls: string[]) => ls.map((l) => pointOf(parseLine(l)!));

describe('pipeline', () => {
  it('batches by size and acknowledges in order once written', async () => {
    const s = scriptedSink();
    const dead: string[] = [];
    const p = createPipeline({
      sink: s.sink,
      spool: createSpool({ dir: tmp() }),
      batchSize: 5,
      flushMs: 60_000,
      idleFlushMs: 0,
      deadLetter: async (l) => void dead.push(...encodePoints(l)),
    });
    const acked: number[] = [];
    const release = s.hold();
    for (let i = 0; i < 12; i++) p.push(pts(i, 1), () => acked.push(i));
    await new Promise((r) => setTimeout(r, 20));
    expect(acked).toEqual([]); // the sink has not answered: nothing is durable yet
    release();
    await p.flush();
    expect(s.calls).toEqual([5, 5, 2]);
    expect(acked).toEqual([...Array(12).keys()]);
    expect(s.stored).toEqual(lines(0, 12));
    await p.close();
    await p.close();
  });

  it('cuts a batch after flushMs or when input goes quiet', async () => {
    const s = scriptedSink();
    const p = createPipeline({
      sink: s.sink,
      spool: createSpool({ dir: tmp() }),
      batchSize: 1000,
      flushMs: 50,
      idleFlushMs: 0,
      deadLetter: async () => {},
    });
    let acked = false;
    p.push(pts(0, 3), () => {
      acked = true;
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(acked).toBe(true);
    expect(s.calls).toEqual([3]);
    await p.close();
  });

  it('spools on failure, acknowledges, and replays in order when the sink is back', async () => {
    const s = scriptedSink();
    const dir = tmp();
    const spool = createSpool({ dir });
    spool.open();
    let spooled = 0;
    let replayed = 0;
    const p = createPipeline({
      sink: s.sink,
      spool,
      batchSize: 10,
      idleFlushMs: 0,
      backoff: { initialMs: 10, maxMs: 40 },
      deadLetter: async () => {},
      events: {
        spooled: (n) => {
          spooled += n;
        },
        replayed: (n) => {
          replayed += n;
        },
      },
    });
    s.setDown(true);
    let acked = 0;
    for (let i = 0; i < 100; i++) p.push(pts(i, 1), () => acked++);
    await p.flush();
    expect(acked).toBe(100); // durable in the spool
    expect(spooled).toBe(100);
    expect(readdirSync(dir).filter((f) => f.endsWith('.lp'))).toHaveLength(10);
    for (let i = 100; i < 130; i++) p.push(pts(i, 1), () => acked++);
    await p.flush();
    s.setDown(false);
    await p.drained();
    expect(acked).toBe(130);
    expect(replayed).toBe(130);
    expect(s.stored).toEqual(lines(0, 130)); // in order, nothing twice
    expect(spool.batches()).toBe(0);
    await p.close();
  });

  it('keeps arrival order in the spool when concurrent writes fail out of order', async () => {
    const stored: string[] = [];
    let down = true;
    const sink: Sink = {
      name: 'slow-first',
      async write(points) {
        // the first batch fails late, the second fails at once
        const first = points[0] && encodePoint(points[0]);
        if (down && first?.includes('v=0i')) await new Promise((r) => setTimeout(r, 50));
        if (down) throw new SinkError('timeout', 'retryable');
        stored.push(...encodePoints(points));
      },
    };
    const dir = tmp();
    const spool = createSpool({ dir });
    const p = createPipeline({
      sink,
      spool,
      batchSize: 3,
      idleFlushMs: 0,
      maxInflightWrites: 2,
      backoff: { initialMs: 10, maxMs: 20 },
      deadLetter: async () => {},
    });
    p.push(pts(0, 3));
    p.push(pts(3, 3));
    await p.flush();
    expect(encodePoints(await spool.read(spool.oldest()!))).toEqual(lines(0, 3));
    down = false;
    await p.drained();
    expect(stored).toEqual(lines(0, 6));
    await p.close();
  });

  it('replays a spool left by a previous run', async () => {
    const dir = tmp();
    const old = createSpool({ dir });
    old.open();
    await old.append(pts(0, 3));
    await old.append(pts(3, 3));
    const s = scriptedSink();
    const spool = createSpool({ dir });
    spool.open();
    const p = createPipeline({ sink: s.sink, spool, deadLetter: async () => {} });
    p.resume();
    p.push(pts(6, 2));
    await p.drained();
    expect(s.stored).toEqual(lines(0, 8));
    await p.close();
  });

  it('dead-letters only the refused points, not the batch', async () => {
    const s = scriptedSink();
    const dead: string[] = [];
    const p = createPipeline({
      sink: s.sink,
      spool: createSpool({ dir: tmp() }),
      batchSize: 1000,
      idleFlushMs: 0,
      deadLetter: async (l) => void dead.push(...encodePoints(l)),
    });
    const batch = lines(0, 200);
    batch[37] = 'm,t=BAD v=1i 1000000';
    batch[150] = 'm,t=BAD v=2i 2000000';
    p.push(asPoints(batch));
    await p.flush();
    expect(dead).toEqual(['m,t=BAD v=1i 1000000', 'm,t=BAD v=2i 2000000']);
    expect(s.stored.filter((l, i, a) => a.indexOf(l) === i)).toHaveLength(198);
    expect(new Set(s.stored)).toEqual(new Set(batch.filter((l) => !l.includes('BAD'))));
    // All refused at once (InfluxDB says dropped=N for all N): no bisection.
    s.calls.length = 0;
    p.push(pts(0, 8, 'BAD'));
    await p.flush();
    expect(s.calls).toEqual([8]);
    expect(dead).toHaveLength(10);
    await p.close();
  });

  it('releases each batch once, after it is written, spooled or dead-lettered, before its acks', async () => {
    const s = scriptedSink();
    const spool = createSpool({ dir: tmp() });
    spool.open();
    const released: string[][] = [];
    const log: string[] = [];
    const p = createPipeline({
      sink: s.sink,
      spool,
      batchSize: 4,
      flushMs: 60_000,
      idleFlushMs: 0,
      backoff: { initialMs: 10, maxMs: 40 },
      deadLetter: async () => {},
      released: (points) => {
        released.push(encodePoints(points));
        log.push(`released ${points.length}`);
      },
    });
    // written (the sink held: nothing released while it has not answered)
    const open = s.hold();
    for (let i = 0; i < 4; i++) p.push(pts(i, 1), () => log.push(`ack ${i}`));
    await new Promise((r) => setTimeout(r, 20));
    expect(released).toEqual([]);
    open();
    await p.flush();
    expect(released).toEqual([lines(0, 4)]);
    expect(log).toEqual(['released 4', 'ack 0', 'ack 1', 'ack 2', 'ack 3']);
    // refused in part: bisected, dead-lettered and written, released once as the whole batch
    const batch = lines(10, 4);
    batch[1] = 'm,t=BAD v=1i 1000000';
    p.push(asPoints(batch));
    await p.flush();
    expect(released.at(-1)).toEqual(batch);
    // spooled: released once spooled, not again when replayed
    s.setDown(true);
    p.push(pts(20, 4));
    await p.flush();
    expect(released).toHaveLength(3);
    expect(released.at(-1)).toEqual(lines(20, 4));
    s.setDown(false);
    await p.drained();
    expect(released).toHaveLength(3);
    await p.close();
  });

  it('stops accepting at the spool bound and resumes once replayed', async () => {
    const s = scriptedSink();
    const spool = createSpool({ dir: tmp(), maxBytes: 2000 });
    spool.open();
    const p = createPipeline({
      sink: s.sink,
      spool,
      batchSize: 10,
      idleFlushMs: 0,
      backoff: { initialMs: 10, maxMs: 20 },
      deadLetter: async () => {},
    });
    s.setDown(true);
    let i = 0;
    while (p.accepting() && i < 10_000) {
      p.push(pts(i++, 1));
      await p.flush();
    }
    expect(p.accepting()).toBe(false);
    expect(spool.full()).toBe(true);
    expect(i).toBeLessThan(200);
    const resumed = new Promise<void>((r) => p.whenAccepting(r));
    s.setDown(false);
    await resumed;
    await p.drained();
    expect(s.stored).toEqual(lines(0, i));
    await p.close();
  });
});
