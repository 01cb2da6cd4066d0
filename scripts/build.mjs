#!/usr/bin/env node
/**
 * Builds dist/: every product TypeScript file compiled by esbuild to one ES module each (same
 * tree, relative `.ts` imports rewritten to `.js`, packages left to node_modules), plus the static
 * files the compiled code reads next to itself (dashboard page, bundled scenarios, JSON Schemas).
 * esbuild strips types without checking them: `npm run typecheck` (tsc) is the check. Runs on
 * `npm ci` (`prepare`), `npm start` (`prestart`) and before the tests (`--if-stale`: only when a
 * source file is newer than the last build). Builds into a temporary directory and swaps it in.
 */
import {
  cpSync,
  existsSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const stamp = join(dist, '.built');

/** Copied as they are: the compiled code finds them beside itself, as the sources do. */
const ASSETS = ['dashboard/public', 'simulator/scenarios', 'protocol/schemas'];
/** Top-level folders that are not the product (development tools, tests, outputs). */
const NOT_PRODUCT = new Set([
  'node_modules',
  'dist',
  'tests',
  'benchmarks',
  'rigs',
  'examples',
  'scripts',
  'docs',
  'out',
  'bench-results',
  '.tmp',
  '.git',
]);
const WEB_BUILD = join(root, 'dashboard', 'public', 'build');

/** Every product file (TypeScript sources and assets), with its modification time. */
function productFiles(dir = root, out = []) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (dir === root && (!e.isDirectory() || NOT_PRODUCT.has(e.name) || e.name.startsWith('.')))
      continue;
    if (dir === root && e.name.startsWith('dist.')) continue;
    if (p === WEB_BUILD) continue;
    if (e.isDirectory()) productFiles(p, out);
    else out.push({ path: p, mtimeMs: statSync(p).mtimeMs });
  }
  return out;
}

const files = productFiles();
if (process.argv.includes('--if-stale') && existsSync(stamp)) {
  const built = statSync(stamp).mtimeMs;
  if (files.every((f) => f.mtimeMs <= built)) process.exit(0);
}

const started = Date.now();
const tmp = join(root, `dist.tmp-${process.pid}`);
rmSync(tmp, { recursive: true, force: true });
try {
  const entryPoints = files
    .map((f) => relative(root, f.path))
    .filter((p) => p.endsWith('.ts') && !p.endsWith('.test.ts') && !p.endsWith('.d.ts'));
  const { build } = await import('esbuild'); // after the staleness check: keeps a no-op fast
  await build({
    entryPoints,
    outdir: tmp,
    outbase: root,
    absWorkingDir: root,
    bundle: true, // only to run the plugin below: every import stays an import
    packages: 'external',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'warning',
    plugins: [
      {
        name: 'relative-ts-imports',
        setup(b) {
          // `./x.ts` → `./x.js`, left external: one output file per source file, same tree.
          b.onResolve({ filter: /^\.\.?\/.*\.ts$/ }, (a) =>
            a.kind === 'entry-point'
              ? undefined
              : { path: a.path.replace(/\.ts$/, '.js'), external: true },
          );
        },
      },
    ],
  });
  for (const a of ASSETS) {
    cpSync(join(root, a), join(tmp, a), {
      recursive: true,
      filter: (src) => !src.startsWith(WEB_BUILD),
    });
  }
  writeFileSync(join(tmp, '.built'), `${new Date().toISOString()}\n`);
} catch (e) {
  rmSync(tmp, { recursive: true, force: true });
  console.error(`build: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
const old = join(root, `dist.old-${process.pid}`);
if (existsSync(dist)) renameSync(dist, old);
renameSync(tmp, dist);
rmSync(old, { recursive: true, force: true });
console.log(`build: dist/ in ${((Date.now() - started) / 1000).toFixed(1)} s`);
