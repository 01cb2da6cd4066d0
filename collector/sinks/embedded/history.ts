/**
 * The history reader of the embedded store: its line-protocol files, read in full (the
 * in-memory window keeps only recent hours), counts points binned per detector.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { binPoints, checkHistoryQuery, type HistoryReader } from '../../history.ts';
import { parseLine, pointOf } from '../../line-protocol.ts';
import type { Point } from '../../point.ts';

const FILE_RE = /^points-(\d{6,})\.lp$/;

/** @example await createEmbeddedHistory({ dir: 'data/points' }).detectorBins({ fromMs, toMs, binMs }) */
export function createEmbeddedHistory(opts: { dir: string }): HistoryReader {
  return {
    async detectorBins(q) {
      checkHistoryQuery(q);
      let files: string[];
      try {
        files = readdirSync(opts.dir)
          .filter((f) => FILE_RE.test(f))
          .sort();
      } catch (e) {
        throw new Error(`cannot read the embedded store in ${opts.dir}: ${(e as Error).message}`);
      }
      function* points(): Generator<Point> {
        for (const f of files) {
          for (const line of readFileSync(join(opts.dir, f), 'utf8').split('\n')) {
            // Only counts lines are parsed: the files also hold signals, decisions, actuations.
            if (!line.startsWith('counts,')) continue;
            const parsed = parseLine(line);
            if (parsed) yield pointOf(parsed);
          }
        }
      }
      return binPoints(points(), q);
    },
  };
}
