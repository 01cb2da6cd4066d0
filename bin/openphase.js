#!/usr/bin/env node
// The `openphase` command: the compiled CLI (dist/, built by `npm ci` or `npm run build`) in this
// very process, so a signal sent to this PID reaches the services and they shut down cleanly.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  console.error(
    'openphase: dist/ is missing; run `npm ci` or `npm run build` in the package first.',
  );
  process.exit(1);
}
// `openphase … | head`: the reader went away; stop quietly instead of an unhandled EPIPE trace.
for (const stream of [process.stdout, process.stderr])
  stream.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
const { main } = await import(entry.href);
main(process.argv.slice(2)).then(
  (code) => {
    // Long-running commands (broker, collector, demo) keep the loop alive themselves.
    process.exitCode = code;
    // A failed command ends here, whatever handle a half-started shell left open: a
    // supervisor must see it exit (as cli/main.ts does when run from the sources).
    if (code !== 0) process.exit(code);
  },
  (e) => {
    console.error(`openphase: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  },
);
