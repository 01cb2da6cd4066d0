/**
 * The demo writes a simulated city: its examples never point it at the production database
 * name the collector's docs use (`openphase`), but at `openphase_demo` (issue 17.17).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(join(repo, file), 'utf8');

/** The database names given to the demo in `text`: `INFLUX_DB=x … demo|npm start` lines. */
function demoDatabases(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => /\bdemo\b|npm start/.test(line))
    .flatMap((line) => [...line.matchAll(/(?:INFLUX_DB=|--influx-db\s+)([A-Za-z0-9_-]+)/g)])
    .map((m) => m[1]!);
}

describe('demo examples with InfluxDB', () => {
  it.each(['README.md', 'cli/commands/demo.ts', 'docs/influxdb.md'])(
    '%s uses openphase_demo',
    (file) => {
      for (const db of demoDatabases(read(file))) expect(db).toBe('openphase_demo');
    },
  );

  it('the README has such an example', () => {
    expect(demoDatabases(read('README.md'))).toContain('openphase_demo');
  });
});
