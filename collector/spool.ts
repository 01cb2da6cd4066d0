/**
 * The on-disk spool: batches the sink could not take, one file per batch, replayed oldest first.
 *
 * fsync policy: a batch is written to a temporary file, `fsync`ed, renamed into place and the
 * directory `fsync`ed before `append` resolves — only then are its messages acknowledged to the
 * broker. So a spooled batch survives `kill -9` and a power cut. (The spool is only written while
 * the sink is failing, so this costs nothing in normal running.)
 *
 * Format: line protocol (collector/line-protocol.ts), one point a line, so a batch file loads
 * into InfluxDB by hand if need be. A line that does not read back (which the atomic writes
 * above should make impossible) is appended to `unreadable.lp` in the same directory, never
 * silently dropped.
 *
 * Bound: `maxBytes` (default 1 GiB). `full()` turns true at the bound and the collector stops
 * taking messages (the broker holds them); the batches already in memory may overshoot the
 * bound by at most the pipeline's queue (`maxQueuedBatches` × `batchSize` points).
 */
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { appendFile, open, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDirs } from '../ops/make-dirs.ts';
import { parseLine, pointOf } from './line-protocol.ts';
import type { Point } from './point.ts';
import { createLineEncoder } from './sinks/line-encoder.ts';

export interface SpoolOptions {
  dir: string;
  /** default 1 GiB */
  maxBytes?: number;
  /**
   * The sink this spool feeds (`sinkIdentity`): kept in `sink.json`; a spool holding batches
   * of another sink is refused at `open()` unless `force` (issue: one run's leftovers must not
   * replay into another database).
   */
  owner?: string;
  force?: boolean;
}

/** The error of a spool that belongs to another sink. */
export class SpoolOwnerError extends Error {
  readonly code = 'OP_SPOOL_OTHER_SINK';
}

export interface Spool {
  /** Scans the directory (a previous run's batches are replayed first); sync, call once. */
  open(): void;
  append(points: readonly Point[]): Promise<void>;
  /** The oldest batch's name, or undefined when empty. */
  oldest(): string | undefined;
  read(name: string): Promise<Point[]>;
  remove(name: string): Promise<void>;
  bytes(): number;
  batches(): number;
  full(): boolean;
}

const SEG_RE = /^batch-(\d{12})\.lp$/;
const NEWLINE = Buffer.from('\n');

export function createSpool(opts: SpoolOptions): Spool {
  const maxBytes = opts.maxBytes ?? 1024 * 1024 * 1024;
  const segments: Array<{ name: string; bytes: number }> = [];
  let total = 0;
  let counter = 0;
  let opened = false;
  // the sinks' encoder: cached series keys, and points kept as lines copied as they are
  const encoder = createLineEncoder();

  async function fsyncDir() {
    const d = await open(opts.dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }

  function openSpool() {
    if (opened) return;
    makeDirs(opts.dir);
    for (const f of readdirSync(opts.dir).sort()) {
      const m = SEG_RE.exec(f);
      if (m) {
        const bytes = statSync(join(opts.dir, f)).size;
        segments.push({ name: f, bytes });
        total += bytes;
        counter = Math.max(counter, Number(m[1]));
      } else if (f.endsWith('.tmp')) {
        rmSync(join(opts.dir, f), { force: true }); // a write cut short: never acknowledged
      }
    }
    if (opts.owner !== undefined) checkOwner(opts.owner);
    opened = true;
  }

  function checkOwner(owner: string) {
    const file = join(opts.dir, 'sink.json');
    let previous: string | undefined;
    try {
      previous = (JSON.parse(readFileSync(file, 'utf8')) as { sink?: string }).sink;
    } catch {
      previous = undefined; // none yet (or unreadable: the batches decide below)
    }
    if (segments.length > 0 && previous !== owner && !opts.force) {
      throw new SpoolOwnerError(
        `the spool ${opts.dir} holds ${segments.length} batches for ${previous ?? 'an unknown sink'}, ` +
          `not ${owner}: start with that sink to replay them, another --spool-dir, or --force to ` +
          'replay them into this one',
      );
    }
    if (previous !== owner) writeFileSync(file, `${JSON.stringify({ sink: owner })}\n`);
  }

  return {
    open: openSpool,
    async append(points) {
      openSpool();
      const body = encoder.body(points);
      const name = `batch-${String(++counter).padStart(12, '0')}.lp`;
      const tmp = join(opts.dir, `${name}.tmp`);
      const text = Buffer.concat([body, NEWLINE]);
      const h = await open(tmp, 'w');
      try {
        await h.writeFile(text);
        await h.sync();
      } finally {
        await h.close();
      }
      await rename(tmp, join(opts.dir, name));
      await fsyncDir();
      const bytes = text.length;
      segments.push({ name, bytes });
      total += bytes;
    },
    oldest: () => segments[0]?.name,
    async read(name) {
      const text = await readFile(join(opts.dir, name), 'utf8');
      const points: Point[] = [];
      const unreadable: string[] = [];
      for (const line of text.split('\n')) {
        if (line.length === 0) continue;
        const p = parseLine(line);
        if (p) points.push(pointOf(p));
        else unreadable.push(line);
      }
      if (unreadable.length > 0) {
        await appendFile(join(opts.dir, 'unreadable.lp'), `${unreadable.join('\n')}\n`);
      }
      return points;
    },
    async remove(name) {
      const i = segments.findIndex((s) => s.name === name);
      await unlink(join(opts.dir, name)).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
      if (i >= 0) {
        total -= segments[i]!.bytes;
        segments.splice(i, 1);
      }
    },
    bytes: () => total,
    batches: () => segments.length,
    full: () => total >= maxBytes,
  };
}
