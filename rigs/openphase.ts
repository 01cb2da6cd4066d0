/**
 * The compiled `openphase` command (bin/openphase.js → dist/), spawned as an operator runs it:
 * one process, so the PID the test holds is the service. dist/ is built before the tests run
 * (tests/setup/build.ts, only when a source is newer).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killOnExit } from './processes.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BIN = join(ROOT, 'bin', 'openphase.js');

/** Builds dist/ when a product source is newer than the last build (a no-op otherwise). */
export function ensureBuilt(): void {
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs'), '--if-stale'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

export interface OpenphaseProcess {
  child: ChildProcess;
  /** everything it printed so far (stdout and stderr) */
  output(): string;
  /** resolves with [exit code, signal] once it has exited */
  exited: Promise<[number | null, NodeJS.Signals | null]>;
  /** resolves once its output (from the start) matches `pattern`; rejects on exit or timeout */
  printed(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

/** `openphase …args` as its own process (node bin/openphase.js), killed if the test worker dies. */
export function spawnOpenphase(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string } = {},
): OpenphaseProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  if (options.input !== undefined) child.stdin?.end(options.input);
  killOnExit(child);
  let out = '';
  child.stdout?.on('data', (d) => (out = (out + d).slice(-50_000)));
  child.stderr?.on('data', (d) => (out = (out + d).slice(-50_000)));
  const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
    child.once('exit', (code, signal) => resolve([code, signal])),
  );
  const printed = async (pattern: RegExp, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!pattern.test(out)) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`openphase ${args[0]} exited before printing ${pattern}:\n${out}`);
      if (Date.now() > deadline)
        throw new Error(
          `openphase ${args[0]} did not print ${pattern} in ${timeoutMs} ms:\n${out}`,
        );
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  return { child, output: () => out, exited, printed };
}

/** True once `port` on 127.0.0.1 can be bound again, false if it cannot within `ms`. */
export async function portFreeWithin(port: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
}
