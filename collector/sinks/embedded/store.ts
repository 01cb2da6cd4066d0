/**
 * The embedded store: append-only line-protocol files, rotated by size, plus an in-memory window
 * of recent counts the dashboard queries. A write resolves once the lines are appended and
 * `fdatasync`ed, so it is as durable as an InfluxDB write.
 *
 * Each file starts with the `influx -import` header, so it loads into InfluxDB 1.x as it is:
 *   influx -execute 'CREATE DATABASE openphase'
 *   influx -import -path data/points-000001.lp -precision ns
 * (InfluxDB 2.x/3.x: `influx write --bucket … --precision ns --file …`; `#` lines are comments.)
 * Like InfluxDB, a field keeps one type per measurement: a point whose field type conflicts with
 * one already stored is refused (permanent), so `influx -import` never trips on a file.
 * Bound: files rotate at `rotateBytes`; old files are kept (this is the record), so disk use
 * grows with the data — remove or archive old files as policy says. Field types are known for
 * at most 1,000 measurements × 1,000 fields (past that, unchecked).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDirs } from '../../../ops/make-dirs.ts';
import { parseLine, pointOf } from '../../line-protocol.ts';
import type { FieldValue, Point } from '../../point.ts';
import { type CountsReader, createRecentWindow, type WindowOptions } from '../../window.ts';
import { createLineEncoder } from '../line-encoder.ts';
import { type Sink, SinkError } from '../types.ts';

export interface EmbeddedOptions {
  /** directory of the line-protocol files */
  dir: string;
  /** database named in the import header (default `openphase`) */
  database?: string;
  /** start a new file past this size, bytes (default 64 MiB) */
  rotateBytes?: number;
  window?: Partial<WindowOptions>;
  /** reload the window from the newest file at start, up to this many bytes (default 32 MiB) */
  reloadBytes?: number;
}

export interface EmbeddedSink extends Sink, CountsReader {
  /** the store's files, oldest first */
  files(): string[];
}

const FILE_RE = /^points-(\d{6,})\.lp$/;
const MAX_TYPED = 1000;

type FieldType = 'integer' | 'float' | 'string' | 'boolean';
const typeOf = (v: FieldValue): FieldType =>
  typeof v === 'object' ? 'integer' : typeof v === 'number' ? 'float' : (typeof v as FieldType);

/** The field types of each measurement, as InfluxDB keeps them (bounded, see the header). */
function createFieldTypes() {
  const byMeasurement = new Map<string, Map<string, FieldType>>();
  return {
    /** the first field of `p` whose type differs from the stored one, in words */
    conflict(p: Point): string | undefined {
      const types = byMeasurement.get(p.measurement);
      if (!types) return undefined;
      for (const k in p.fields) {
        const v = p.fields[k];
        if (v === undefined) continue;
        const t = types.get(k);
        if (t !== undefined && t !== typeOf(v)) {
          return `field type conflict: '${k}' of '${p.measurement}' is ${typeOf(v)}, stored as ${t}`;
        }
      }
      return undefined;
    },
    learn(p: Point) {
      let types = byMeasurement.get(p.measurement);
      if (!types) {
        if (byMeasurement.size >= MAX_TYPED) return;
        types = new Map();
        byMeasurement.set(p.measurement, types);
      }
      for (const k in p.fields) {
        const v = p.fields[k];
        if (v !== undefined && !types.has(k) && types.size < MAX_TYPED) types.set(k, typeOf(v));
      }
    },
  };
}

export function createEmbeddedSink(opts: EmbeddedOptions): EmbeddedSink {
  const database = opts.database ?? 'openphase';
  const rotateBytes = opts.rotateBytes ?? 64 * 1024 * 1024;
  const window = createRecentWindow(opts.window);
  const encoder = createLineEncoder();
  const fieldTypes = createFieldTypes();
  let handle: FileHandle | undefined;
  let size = 0;
  let fileNo = 0;
  let ready = false;
  let closed = false;

  const list = () =>
    readdirSync(opts.dir)
      .filter((f) => FILE_RE.test(f))
      .sort();

  function init() {
    if (ready) return;
    makeDirs(opts.dir);
    const files = list();
    const last = files.at(-1);
    fileNo = last ? Number(FILE_RE.exec(last)![1]) : 0;
    if (last) {
      // Refill the window (and learn the field types) from the newest file, so the dashboard
      // has history after a restart.
      const path = join(opts.dir, last);
      const bytes = statSync(path).size;
      if (bytes <= (opts.reloadBytes ?? 32 * 1024 * 1024)) {
        for (const l of readFileSync(path, 'utf8').split('\n')) {
          if (l === '' || l.startsWith('#')) continue;
          const parsed = parseLine(l);
          if (!parsed) continue;
          const p = pointOf(parsed);
          fieldTypes.learn(p);
          window.add(p);
        }
      }
    }
    ready = true;
  }

  async function nextFile() {
    await handle?.close();
    fileNo++;
    const name = `points-${String(fileNo).padStart(6, '0')}.lp`;
    handle = await open(join(opts.dir, name), 'a');
    const header = `# DML\n# CONTEXT-DATABASE: ${database}\n# CONTEXT-RETENTION-POLICY: autogen\n`;
    await handle.appendFile(header);
    size = Buffer.byteLength(header);
  }

  // One write at a time: the collector has several batches in flight, and a write that
  // rotates must not close the file under another (nor two open a file each and leak one).
  let writing: Promise<void> = Promise.resolve();
  const queued = (points: readonly Point[]): Promise<void> => {
    const run = writing.then(() => writeNow(points));
    writing = run.then(noop, noop);
    return run;
  };

  async function writeNow(points: readonly Point[]): Promise<void> {
    if (points.length === 0) return;
    if (closed) throw new SinkError('embedded write: store is closed', 'retryable');
    try {
      init();
    } catch (e) {
      throw new SinkError(`embedded write: ${(e as Error).message}`, 'retryable');
    }
    // Only points InfluxDB would take go into the files, so `influx -import` never trips on one.
    for (const p of points) {
      const conflict = fieldTypes.conflict(p);
      if (conflict) throw new SinkError(`embedded write: ${conflict}`, 'permanent', 400);
    }
    const lines = encoder.encode(points);
    if (lines.length === 0) return;
    try {
      if (!handle || size >= rotateBytes) await nextFile();
      const text = `${lines.join('\n')}\n`;
      await handle!.appendFile(text);
      await handle!.datasync();
      size += Buffer.byteLength(text);
    } catch (e) {
      throw new SinkError(`embedded write: ${(e as Error).message}`, 'retryable');
    }
    for (const p of points) {
      fieldTypes.learn(p);
      window.add(p);
    }
  }

  return {
    name: 'embedded',
    write: queued,
    async queryCounts(q) {
      init();
      return window.queryCounts(q);
    },
    files() {
      init();
      return list().map((f) => join(opts.dir, f));
    },
    async close() {
      closed = true;
      await writing; // the write under way finishes in its file
      const h = handle;
      handle = undefined;
      await h?.close();
    },
  };
}

function noop(): void {}
