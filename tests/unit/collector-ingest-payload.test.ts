/**
 * The collector's MQTT input hands each message's payload as a view of the socket's one read
 * buffer, which the next read writes over (collector/mqtt-in.ts). So what the collector does with
 * a message (collector/ingest.ts: the counts lane, the careful path, configs, rejections, loss)
 * must take what it keeps of the payload before `onMessage` returns. Here every payload is
 * written over right after its call: the points, and the configs learned, must be the same as
 * with payloads left alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLineMapper } from '../../collector/counts-lines.ts';
import { createIngest } from '../../collector/ingest.ts';
import { encodePoints } from '../../collector/line-protocol.ts';
import { createLossTracker } from '../../collector/loss.ts';
import { createMetrics } from '../../collector/metrics.ts';
import type { Point } from '../../collector/point.ts';
import { twoPhase } from '../fixtures/intersections.ts';
import { countsAt } from '../helpers/counts.ts';

const NOW = 1_764_340_009_000;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const counts = (sensor: string, seq: number, detectors: string[]) =>
  JSON.stringify(
    countsAt(
      NOW,
      sensor,
      seq,
      detectors.map((id, k) => ({ id, count: seq + k, occupancy: 0.25, speedKmh: 40 + k })),
    ),
  );

/** Counts the lane takes, counts it leaves (an unknown detector), rejects, other kinds. */
const MESSAGES: Array<[string, string]> = [
  ['traffic/v1/two/config', JSON.stringify(twoPhase)],
  ['traffic/v1/two/counts/s1', counts('s1', 1, ['N-through-stop', 'S-through-stop'])],
  ['traffic/v1/two/counts/s1', counts('s1', 2, ['N-through-stop', 'S-through-stop'])],
  ['traffic/v1/two/counts/s2', counts('s2', 1, ['N-through-stop', 'unknown-det'])],
  ['traffic/v1/two/counts/s1', counts('s1', 4, ['N-through-stop', 'S-through-stop'])], // a gap
  ['traffic/v1/two/counts/s3', counts('s4', 1, ['N-through-stop'])], // sensor mismatch
  ['traffic/v1/two/status/s1', JSON.stringify({ v: 1, online: true, device: 's1' })],
  ['traffic/v1/two/counts/s1', '{"v":1,'],
  ['traffic/v1/none/counts/s9', counts('s9', 1, ['N-through-stop'])],
  ['traffic/v1/two/counts/s1', counts('s1', 5, ['N-through-stop', 'S-through-stop'])],
];

/** The lines of every point the messages give, payloads written over after each call or not. */
function run(lane: boolean, overwrite: boolean): string[] {
  const spoolDir = mkdtempSync(join(tmpdir(), 'op-ingest-payload-'));
  dirs.push(spoolDir);
  const pushed: Point[] = [];
  const ingest = createIngest({
    root: 'traffic',
    spoolDir,
    metrics: createMetrics(),
    loss: createLossTracker(),
    push: (points, done) => {
      pushed.push(...points);
      done?.();
    },
    clock: () => NOW,
    log: () => {},
    ...(lane ? { map: createLineMapper() } : {}),
  });
  // one buffer for every message, as the socket reads them
  const read = Buffer.alloc(64 * 1024);
  for (const [topic, body] of MESSAGES) {
    const n = read.write(body, 0, 'utf8');
    ingest.onMessage(topic, read.subarray(0, n), () => {});
    if (overwrite) read.fill(0x39); // '9': still digits where numbers were
  }
  return encodePoints(pushed).map((l) => l.replace(/rejectSeq=\d+i?/, ''));
}

describe('collector ingest keeps nothing of a payload past its call', () => {
  for (const lane of [true, false]) {
    it(`${lane ? 'with the counts lane' : 'with the careful path only'}: the same points`, () => {
      const kept = run(lane, false);
      expect(kept.length).toBeGreaterThan(8);
      expect(run(lane, true)).toEqual(kept);
    });
  }
});
