/**
 * A real Mosquitto 2 for tests: generated config in a temp dir, a free port on 127.0.0.1.
 * `user root` keeps root-owned 0600 password files readable (Mosquitto drops to the
 * `mosquitto` user otherwise).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.ts';
import { freePort, waitForPort } from './ports.ts';
import { killOnExit, stopChild } from './processes.ts';

export interface MosquittoOptions {
  passwordFile?: string;
  aclFile?: string;
  /** default: true when no password file is given */
  allowAnonymous?: boolean;
  /** keep sessions and queued messages on disk across restarts (persistence true) */
  persistence?: boolean;
  /** raw lines appended to the config */
  extraConfig?: string[];
  /**
   * Leave max_queued_messages / max_inflight_messages at Mosquitto's own defaults (for tests
   * of a configuration that sets them itself); default: generous test values.
   */
  mosquittoQueueDefaults?: boolean;
  /** reuse a port (restart on the same port) */
  port?: number;
}

export interface MosquittoServer {
  url: string;
  port: number;
  dir: string;
  /** the broker's process id (benchmarks read its CPU from /proc) */
  pid: number | undefined;
  /** graceful stop (SIGTERM), removes the temp dir; safe twice */
  stop(): Promise<void>;
  /** SIGKILL, keeps the temp dir (for crash tests); restart with startMosquitto({ port, ... }) */
  kill(): Promise<void>;
  /** last lines Mosquitto logged */
  log(): string;
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<MosquittoServer> {
  const bin = requireBinary('mosquitto');
  const dir = mkdtempSync(join(tmpdir(), 'op-mosquitto-'));
  const port = options.port ?? (await freePort());
  const anonymous = options.allowAnonymous ?? !options.passwordFile;
  const lines = [
    'user root',
    'per_listener_settings false',
    `listener ${port} 127.0.0.1`,
    `allow_anonymous ${anonymous ? 'true' : 'false'}`,
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'max_keepalive 3600',
  ];
  if (!options.mosquittoQueueDefaults) {
    lines.push('max_queued_messages 1000000', 'max_inflight_messages 0');
  }
  if (options.passwordFile) lines.push(`password_file ${options.passwordFile}`);
  if (options.aclFile) lines.push(`acl_file ${options.aclFile}`);
  if (options.persistence)
    lines.push('persistence true', `persistence_location ${dir}/`, 'autosave_interval 1');
  lines.push(...(options.extraConfig ?? []));
  const config = join(dir, 'mosquitto.conf');
  writeFileSync(config, `${lines.join('\n')}\n`);

  let output = '';
  // cwd: a config with `persistence true` and no location (the export's) saves mosquitto.db there
  const child: ChildProcess = spawn(bin, ['-c', config], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(child);
  child.stdout?.on('data', (d) => {
    output = (output + d).slice(-8000);
  });
  child.stderr?.on('data', (d) => {
    output = (output + d).slice(-8000);
  });
  try {
    await Promise.race([
      waitForPort(port, 15_000),
      new Promise((_, reject) =>
        child.once('exit', (code) =>
          reject(new Error(`mosquitto exited with ${code}:\n${output}`)),
        ),
      ),
    ]);
  } catch (e) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  let done = false;
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    dir,
    pid: child.pid,
    log: () => output,
    async kill() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (done) return;
      done = true;
      await stopChild(child, 5000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
