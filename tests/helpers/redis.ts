/**
 * A real redis-server for tests: a free port on 127.0.0.1, its files in a temp dir, no
 * snapshots. A missing redis-server is a failure that says how to install it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from '../../rigs/binaries.ts';
import { freePort, waitForPort } from '../../rigs/ports.ts';
import { killOnExit, stopChild } from '../../rigs/processes.ts';

export interface RedisServer {
  url: string;
  port: number;
  /** SIGTERM, removes the temp dir; safe twice. */
  stop(): Promise<void>;
}

export async function startRedis(): Promise<RedisServer> {
  const bin = requireBinary('redis-server');
  const dir = mkdtempSync(join(tmpdir(), 'op-redis-'));
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''];
  const child: ChildProcess = spawn(bin, [...args, '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(child);
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  try {
    await Promise.race([
      waitForPort(port, 15_000),
      new Promise((_, reject) =>
        child.once('exit', (code) =>
          reject(new Error(`redis-server exited (${code}):\n${output}`)),
        ),
      ),
    ]);
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  let done = false;
  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    async stop() {
      if (done) return;
      done = true;
      await stopChild(child, 5000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
