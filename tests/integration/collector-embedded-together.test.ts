/**
 * The embedded store under batches written at once, as the collector's pipeline writes them,
 * with files rotating meanwhile. Each write used to rotate on its own: writers that met a full
 * (or no) file each opened a new one, the handles of all but the last were left open (one file
 * descriptor leaked per race), and a write could meet a handle another had just closed ("file
 * closed", seen once in a 1,000-intersection rehearsal; the batch went to the spool). Writes
 * now go one after the other: every point is stored once and no descriptor is left open.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { int, type Point } from '../../collector/point.ts';
import { createEmbeddedSink } from '../../collector/sinks/embedded/index.ts';

const dir = mkdtempSync(join(tmpdir(), 'op-embedded-together-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const openFds = () => readdirSync('/proc/self/fd').length;

it('batches written at once across rotations: every point once, no descriptor left open', async () => {
  const fds0 = openFds();
  const sink = createEmbeddedSink({ dir, rotateBytes: 16 * 1024 });
  const batches = Array.from({ length: 20 }, (_, b) =>
    Array.from(
      { length: 50 },
      (_, i): Point => ({
        measurement: 'together',
        tags: { sensor: `s${b}` },
        fields: { count: int(b * 50 + i), note: 'x'.repeat(40) },
        timeMs: 1_764_340_000_000 + (b * 50 + i) * 1000,
      }),
    ),
  );
  const results = await Promise.allSettled(batches.map((points) => sink.write(points)));
  expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
  await sink.close?.();
  expect(openFds()).toBe(fds0);
  const counts = sink
    .files()
    .flatMap((f) => readFileSync(f, 'utf8').split('\n'))
    .filter((l) => l.startsWith('together'))
    .map((l) => Number(/count=(\d+)i/.exec(l)![1]));
  expect(counts.sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, k) => k));
  // rotated as it went: more than one file, none holding only its header
  const files = sink.files();
  expect(files.length).toBeGreaterThan(1);
  for (const f of files) expect(readFileSync(f, 'utf8')).toMatch(/^together/m);
});
