/**
 * The measures' reader of the embedded store: scans its line-protocol files (oldest first) for
 * one intersection's points. Every file is read, so a long history costs a full scan; lines of
 * other intersections are skipped before they are parsed.
 */
import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseLine, pointOf } from '../../collector/line-protocol.ts';
import { assertId } from '../../protocol/index.ts';
import { createDataCollector } from '../points.ts';
import type { MeasuresReader } from './types.ts';

const FILE_RE = /^points-(\d{6,})\.lp$/;

export function embeddedMeasures(o: { dir: string }): MeasuresReader {
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
        const lines = createInterface({ input: createReadStream(join(o.dir, f), 'utf8') });
        for await (const line of lines) {
          if (line === '' || line.startsWith('#')) continue;
          const at = line.indexOf(tag);
          if (at < 0) continue;
          const end = line[at + tag.length];
          if (end !== ',' && end !== ' ') continue; // a longer id that starts the same
          const parsed = parseLine(line);
          if (parsed) collect.add(pointOf(parsed));
        }
      }
      return collect.result();
    },
  };
}
