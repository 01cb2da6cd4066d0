/**
 * Where a process spent its CPU, from a V8 `.cpuprofile` (`node --cpu-prof`, e.g.
 * `BENCH_NODE_ARGS=--cpu-prof npm run bench:ingest`): self time summed per package (or
 * compiled module) and per function, largest first.
 *
 * Usage: npx tsx scripts/cpuprofile-summary.ts FILE.cpuprofile [functions to list, default 40]
 * Samples are wall-clock: on a loaded machine, time in a system call includes time waiting for a
 * core, so compare shares within one profile, not profiles taken under different loads.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const IDLE = new Set(['(idle)', '(program)', '(garbage collector)']);

/** The package a frame belongs to: an npm package, a node: module, a compiled dist/ folder. */
function packageOf(url: string, fn: string): string {
  if (url === '') return IDLE.has(fn) ? fn : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return pkg;
  if (url.startsWith('node:')) return url;
  const dist = url.split('/dist/')[1];
  if (dist) return `dist:${dist.split('/')[0]}`;
  return url.split('/').slice(-2).join('/');
}

function summary(file: string, top: number): string {
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
    total += dt;
  });
  const byFn = new Map<string, number>();
  const byPkg = new Map<string, number>();
  for (const [id, t] of self) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const fn = `${functionName || '(anonymous)'} ${url.split('/').slice(-2).join('/')}:${lineNumber + 1}`;
    byFn.set(fn, (byFn.get(fn) ?? 0) + t);
    const pkg = packageOf(url, functionName);
    byPkg.set(pkg, (byPkg.get(pkg) ?? 0) + t);
  }
  const rows = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(
        ([k, t]) =>
          `${(t / 1000).toFixed(0).padStart(8)} ms ${((100 * t) / total).toFixed(1).padStart(5)} %  ${k}`,
      );
  return [
    `${file}: ${(total / 1000).toFixed(0)} ms sampled`,
    '— by package',
    ...rows(byPkg, 25),
    '— by function',
    ...rows(byFn, top),
  ].join('\n');
}

const [file, top] = process.argv.slice(2);
if (!file) {
  console.error('usage: npx tsx scripts/cpuprofile-summary.ts FILE.cpuprofile [functions]');
  process.exit(2);
}
console.log(summary(file, Number(top ?? 40)));
