/**
 * The import graph of the code (every folder but tests/): no cycle, protocol/ imports nothing
 * outside itself (it is the base every floor builds on), and nothing outside tests/ imports
 * tests/ (benchmarks/ start real services through rigs/, as the tests do). Imports are read from
 * the source text (static, `export … from`, `import()`), type-only ones included: a type cycle
 * still ties two files together.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const SKIP = new Set(['node_modules', 'tests', 'dist', 'docs', 'bench-results', '.git']);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) {
      if (SKIP.has(f) || relative(repo, p) === join('dashboard', 'public')) return [];
      return sources(p);
    }
    return /\.(ts|mts)$/.test(f) && !f.endsWith('.d.ts') ? [p] : [];
  });
}

const SPEC =
  /(?:^|[;\s])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^import\s*['"]([^'"]+)['"]/gm;

/** The repository files one file imports (relative specifiers only: packages are leaves). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(SPEC)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec?.startsWith('.')) continue;
    const target = resolve(dirname(file), spec);
    if (existsSync(target)) out.push(target);
  }
  return out;
}

const files = readdirSync(repo)
  .filter((f) => !SKIP.has(f) && statSync(join(repo, f)).isDirectory())
  .flatMap((d) => sources(join(repo, d)));
const graph = new Map(files.map((f) => [f, importsOf(f)]));
const rel = (f: string) => relative(repo, f);

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function cycles(g: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || (g.get(v) ?? []).includes(v)) out.push(scc.map(rel).sort());
    }
  };
  for (const v of g.keys()) if (!idx.has(v)) visit(v);
  return out;
}

describe('import graph of the production code', () => {
  it('reads a real graph (the walker finds the files and their imports)', () => {
    expect(files.length).toBeGreaterThan(100);
    const validate = graph.get(join(repo, 'protocol/validate.ts')) ?? [];
    expect(validate.map(rel)).toContain('protocol/messages.ts');
    expect(importsOf(join(repo, 'cli/main.ts')).length).toBeGreaterThan(0);
  });

  it('has no import cycle', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('finds a cycle when there is one (the walker itself)', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(cycles(g).map((c) => c.length)).toEqual([3]);
  });

  it('protocol/ imports nothing outside itself', () => {
    const protocol = join(repo, 'protocol') + '/';
    const outside = files
      .filter((f) => f.startsWith(protocol))
      .flatMap((f) =>
        graph
          .get(f)!
          .filter((t) => !t.startsWith(protocol))
          .map((t) => `${rel(f)} → ${rel(t)}`),
      );
    expect(outside).toEqual([]);
  });

  it('nothing outside tests/ imports tests/', () => {
    const tests = join(repo, 'tests') + '/';
    const production = files;
    const bad = production.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .filter((l) => /(?:from|import)\s*\(?\s*['"][^'"]*\/tests\//.test(l))
        .map((l) => `${rel(f)}: ${l.trim()}`),
    );
    expect(bad).toEqual([]);
    for (const f of production)
      for (const t of graph.get(f)!) expect(t.startsWith(tests), rel(f)).toBe(false);
  });

  it('the dashboard reads the store through the collector’s public interface', () => {
    const collector = join(repo, 'collector') + '/';
    const dashboard = files.filter((f) => f.startsWith(join(repo, 'dashboard') + '/'));
    const deep = dashboard.flatMap((f) =>
      graph
        .get(f)!
        .filter((t) => t.startsWith(collector) && rel(t) !== 'collector/index.ts')
        .map((t) => `${rel(f)} → ${rel(t)}`),
    );
    expect(deep).toEqual([]);
  });
});
