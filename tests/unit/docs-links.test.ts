/**
 * The docs stand alone: every relative link and every cited repository path in README.md and
 * docs/ names a file that exists, and none cites a document that is not in the repository.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const docs = [
  join(repo, 'README.md'),
  ...['docs', 'docs/fr'].flatMap((d) =>
    readdirSync(join(repo, d))
      .filter((f) => f.endsWith('.md'))
      .map((f) => join(repo, d, f)),
  ),
];
const topDirs = readdirSync(repo).filter(
  (f) => !f.startsWith('.') && f !== 'node_modules' && statSync(join(repo, f)).isDirectory(),
);

/** Relative link targets of a markdown text: `[text](target)` and `![alt](target)`. */
function links(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    const t = m[1]!;
    if (/^[a-z]+:/i.test(t) || t.startsWith('#')) continue;
    out.push(t.split('#')[0]!);
  }
  return out;
}

/** Repository paths cited in backticks: `collector/points.ts`, `docs/protocol.md`, `README.md`. */
function citedPaths(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/`([^`\s]+)`/g)) {
    const t = m[1]!.replace(/[.,:;)]+$/, '').replace(/:\d+(-\d+)?$/, '');
    if (/[*{}<>…]|NAME|PID|\$/.test(t)) continue; // patterns and placeholders, not files
    if (/^(bench-results|data|dist)\//.test(t)) continue; // what a run writes, not a source
    const top = t.split('/')[0]!;
    const isRepoPath = (t.includes('/') && topDirs.includes(top)) || /^[\w.-]+\.md$/.test(t);
    if (isRepoPath) out.push(t.replace(/\/$/, ''));
  }
  return out;
}

describe('docs cite only files that exist', () => {
  for (const doc of docs) {
    const name = relative(repo, doc);
    const text = readFileSync(doc, 'utf8');
    it(`${name}: every relative link resolves`, () => {
      const missing = links(text).filter((l) => !existsSync(join(dirname(doc), l)));
      expect(missing).toEqual([]);
    });
    it(`${name}: every cited path exists`, () => {
      const missing = citedPaths(text).filter(
        (p) => !existsSync(join(repo, p)) && !existsSync(join(dirname(doc), p)),
      );
      expect(missing).toEqual([]);
    });
    it(`${name}: cites no document outside the repository`, () => {
      const outside = text.match(/TIMING\.md|DESIGN\.md|STYLE\.md|design document|\.\.\/shared/gi);
      expect(outside).toBeNull();
    });
  }

  it('the checks see real citations', () => {
    expect(links('[a](protocol.md#x) [b](https://x.org) [c](#y)')).toEqual(['protocol.md']);
    expect(citedPaths('`collector/points.ts` `traffic/v1/a` `{spoolDir}/x` `README.md`')).toEqual([
      'collector/points.ts',
      'README.md',
    ]);
  });
});
