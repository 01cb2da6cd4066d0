/**
 * `mkdir -p` that always ends. Node 20's `mkdirSync(dir, { recursive: true })` never returns
 * for a path under /proc (mkdir there answers ENOENT although the parent exists, and Node
 * retries forever, before the event loop runs, so SIGTERM cannot stop the process): a
 * mistyped `--spool-dir /proc/…` made a collector spin until SIGKILL. This creates one level
 * at a time from the nearest existing ancestor and lets mkdir's own error (with its code) out.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export function makeDirs(dir: string, mode?: number): void {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    try {
      if (statSync(at).isDirectory()) break;
      // a file where a folder is needed: mkdir says so (EEXIST/ENOTDIR) with the path
      mkdirSync(at);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const up = dirname(at);
    if (up === at) break;
    missing.push(at);
    at = up;
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d, mode === undefined ? undefined : { mode });
    } catch (e) {
      // made meanwhile by another process: fine, as with recursive mkdir
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(d).isDirectory()) throw e;
    }
  }
}
