/** Starting `openphase` commands as real processes for the field tests. */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { BIN } from '../../rigs/openphase.ts';
import { killOnExit, waitForLine } from '../../rigs/processes.ts';

export const repo = join(import.meta.dirname, '..', '..');

/** `openphase ARGS` as its own process; `env` adds to (never replaces) the environment. */
export function openphase(args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: repo,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(child);
  return child;
}

/** Starts it and waits for its `{"ready":true…}` line (the parsed JSON). */
export async function started(
  child: ChildProcess,
  timeoutMs = 60_000,
): Promise<Record<string, unknown>> {
  const line = await waitForLine(child, /"ready":true/, timeoutMs);
  return JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>;
}

/** Everything a process printed so far (stdout and stderr), kept for assertions. */
export function transcript(child: ChildProcess): () => string {
  const parts: string[] = [];
  child.stdout?.on('data', (d) => parts.push(String(d)));
  child.stderr?.on('data', (d) => parts.push(String(d)));
  return () => parts.join('');
}

/** The full command line of a process, as `ps` shows it to any local user. */
export async function commandLine(pid: number): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replaceAll('\0', ' ');
}
