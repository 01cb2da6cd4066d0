/**
 * Bundles the page (dashboard/web/main.ts, plain TypeScript + uPlot) with esbuild's JS API, in
 * memory, when the dashboard starts (~100 ms): nothing to build beforehand and no shared
 * output directory for two processes to race over. `buildWeb({ outdir })` writes the same
 * bundle to disk (e.g. dashboard/public/build/, gitignored) for serving from elsewhere.
 */
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), 'web');
export const PUBLIC_DIR = join(dirname(fileURLToPath(import.meta.url)), 'public');

export interface BuiltAsset {
  contents: Uint8Array;
  type: string;
}

/** `/build/app.js` and `/build/app.css`, or the files written to `outdir` when given. */
export async function buildWeb(
  options: { minify?: boolean; outdir?: string } = {},
): Promise<Map<string, BuiltAsset>> {
  const result = await build({
    // the compiled page sources beside the compiled server (dist/), the TypeScript ones under tsx
    entryPoints: { app: join(WEB_DIR, `main${extname(fileURLToPath(import.meta.url))}`) },
    bundle: true,
    format: 'esm',
    target: 'es2022',
    minify: options.minify ?? true,
    sourcemap: false,
    write: options.outdir !== undefined,
    outdir: options.outdir ?? '/build',
    logLevel: 'silent',
    legalComments: 'none',
  });
  const assets = new Map<string, BuiltAsset>();
  for (const f of result.outputFiles ?? []) {
    const name = f.path.slice(f.path.lastIndexOf('/') + 1);
    const type = name.endsWith('.css')
      ? 'text/css; charset=utf-8'
      : 'text/javascript; charset=utf-8';
    assets.set(`/build/${name}`, { contents: f.contents, type });
  }
  return assets;
}
