/** docs/benchmark.md must stay accurate to the code: metrics, defaults, the schema and the options. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMPARED, METRICS } from '../../bench/metrics.ts';
import { DEFAULT_BASELINE, DEFAULT_SEEDS, DEFAULT_SUITE } from '../../bench/plan.ts';
import { command } from '../../cli/commands/bench.ts';

const doc = readFileSync(new URL('../../docs/benchmark.md', import.meta.url), 'utf8');

describe('docs/benchmark.md', () => {
  it('names every metric of the scorecard and every metric compared with the baseline', () => {
    for (const { path } of METRICS) {
      const [top, leaf] = path.split('.') as [string, string | undefined];
      expect(doc, path).toContain(`\`${top}`);
      if (leaf) expect(doc, path).toMatch(new RegExp(`\`(${top})?\\.${leaf}\``));
    }
    for (const p of COMPARED) expect(doc, p).toContain(`\`${p}\``);
  });

  it('states the defaults the code uses and links the published schema', () => {
    expect(doc).toContain(`**${DEFAULT_SEEDS} by default**`);
    expect(doc).toContain(`\`${DEFAULT_BASELINE}\` by default`);
    expect(doc).toContain('protocol/schemas/scorecard.schema.json');
    expect(doc).toContain(`${DEFAULT_SUITE.length} scenarios + 2 clean twins`);
    expect(doc).toContain('![The first screen of a report](img/report.png)');
  });

  it('only mentions options `openphase bench` has', () => {
    const known = new Set([
      'help',
      ...command().options.map((o) => o.long!.replace(/^--(no-)?/, '')),
    ]);
    const bench = doc.split('\n## For a vendor')[0]!;
    const used = [...bench.matchAll(/`(?:openphase bench [^`]*?)?--([a-z-]+)/g)].map((m) =>
      m[1]!.replace(/^no-/, ''),
    );
    expect(used.length).toBeGreaterThan(5);
    for (const o of used) expect(known.has(o), `--${o}`).toBe(true);
  });
});
