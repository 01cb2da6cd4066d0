/**
 * The measures' reader of the embedded store: scans its line-protocol files (oldest first) for
 * one intersection's points. Lines of other intersections are skipped before they are parsed.
 * Each file's time span (earliest and latest point) is remembered with its size and mtime, so a
 * later query skips the files that hold nothing in its range and have not changed since: only
 * the first query scans everything (about 1 s per 130 MB here), the next ones read the files
 * of their range and the one still growing. Nothing is skipped on a guess: a file is skipped
 * only when every point it held was outside the range.
 */
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseLine, pointOf } from '../../collector/line-protocol.ts';
import { assertId } from '../../protocol/index.ts';
import { createDataCollector, SIGNAL_LOOKBACK_MS } from '../points.ts';
import type { MeasuresReader } from './types.ts';

const FILE_RE = /^points-(\d{6,})\.lp$/;
/** Actuations are read from a minute before the range (points.ts): the widest look-back is the signals'. */
const LOOKBACK_MS = Math.max(SIGNAL_LOOKBACK_MS, 60_000);

interface Span {
  size: number;
  mtimeMs: number;
  minMs: number;
  maxMs: number;
}

/** Epoch ms of a line's timestamp (the last field, nanoseconds); NaN when it has none. */
function timeOf(line: string): number {
  const at = line.lastIndexOf(' ');
  const ns = at > 0 ? line.slice(at + 1) : '';
  return /^-?\d+$/.test(ns) ? Math.floor(Number(ns) / 1e6) : Number.NaN;
}

export function embeddedMeasures(o: { dir: string }): MeasuresReader {
  const spans = new Map<string, Span>();
  return {
    async read(q) {
      assertId('intersection', q.intersection);
      if (!existsSync(o.dir)) throw new Error(`no embedded store at ${o.dir}`);
      const collect = createDataCollector(q);
      // the tag as line protocol writes it; ids need no escaping (^[A-Za-z0-9_-]+$)
      const tag = `intersection=${q.intersection}`;
      const files = readdirSync(o.dir)
        .filter((f) => FILE_RE.test(f))
        .sort();
      for (const f of files) {
        const path = join(o.dir, f);
        const st = statSync(path);
        const known = spans.get(path);
        if (
          known &&
          known.size === st.size &&
          known.mtimeMs === st.mtimeMs &&
          (known.maxMs < q.fromMs - LOOKBACK_MS || known.minMs >= q.toMs)
        )
          continue;
        const span: Span = {
          size: st.size,
          mtimeMs: st.mtimeMs,
          minMs: Number.POSITIVE_INFINITY,
          maxMs: Number.NEGATIVE_INFINITY,
        };
        const lines = createInterface({ input: createReadStream(path, 'utf8') });
        for await (const line of lines) {
          if (line === '' || line.startsWith('#')) continue;
          const t = timeOf(line);
          if (t < span.minMs) span.minMs = t;
          if (t > span.maxMs) span.maxMs = t;
          const at = line.indexOf(tag);
          if (at < 0) continue;
          const end = line[at + tag.length];
          if (end !== ',' && end !== ' ') continue; // a longer id that starts the same
          const parsed = parseLine(line);
          if (parsed) collect.add(pointOf(parsed));
        }
        // a file that grew while it was read is read again next time (its size differs)
        if (!Number.isNaN(span.minMs)) spans.set(path, span);
      }
      return collect.result();
    },
  };
}
