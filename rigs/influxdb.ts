/**
 * A real InfluxDB 1.x (`influxd` from Debian's `influxdb`) for tests: generated config, data in
 * a temp dir, free ports, reporting disabled. `stopProcess()`/`startProcess()` let a test take
 * the database down and bring it back on the same port and data (outage tests).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.ts';
import { freePort } from './ports.ts';
import { killOnExit, stopChild } from './processes.ts';

export interface InfluxDBServer {
  url: string;
  port: number;
  dir: string;
  /** Stops the server process, keeping its data (simulate an outage). */
  stopProcess(): Promise<void>;
  /** Starts it again on the same port and data dir. */
  startProcess(): Promise<void>;
  /** Runs an InfluxQL query through HTTP and returns the parsed JSON. */
  query(q: string, db?: string): Promise<InfluxQueryResult>;
  /** Stops the server and removes its temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

export interface InfluxQueryResult {
  results: {
    statement_id: number;
    error?: string;
    series?: {
      name: string;
      tags?: Record<string, string>;
      columns: string[];
      values: unknown[][];
    }[];
  }[];
}

export async function startInfluxDB(): Promise<InfluxDBServer> {
  const bin = requireBinary('influxd');
  const dir = mkdtempSync(join(tmpdir(), 'op-influx-'));
  const port = await freePort();
  let rpcPort = await freePort();
  // The OS may hand back a just-released port; the two must differ.
  while (rpcPort === port) rpcPort = await freePort();
  const config = join(dir, 'influxdb.conf');
  writeFileSync(
    config,
    [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${rpcPort}"`,
      '[meta]',
      `  dir = "${dir}/meta"`,
      '[data]',
      `  dir = "${dir}/data"`,
      `  wal-dir = "${dir}/wal"`,
      '  query-log-enabled = false',
      '  wal-fsync-delay = "0s"',
      '[monitor]',
      '  store-enabled = false',
      '[http]',
      `  bind-address = "127.0.0.1:${port}"`,
      '  log-enabled = false',
      '  max-body-size = 0',
      '[logging]',
      '  level = "error"',
      '[continuous_queries]',
      '  enabled = false',
      '',
    ].join('\n'),
  );
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let output = '';
  let stopped = false;

  async function startProcess(): Promise<void> {
    if (child) throw new Error('influxd is already running; call stopProcess() first');
    output = '';
    const c = spawn(bin, ['-config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    killOnExit(c);
    c.stdout?.on('data', (d) => {
      output = (output + d).slice(-4000);
    });
    c.stderr?.on('data', (d) => {
      output = (output + d).slice(-4000);
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (c.exitCode !== null || c.signalCode !== null) {
        child = undefined;
        throw new Error(`influxd exited with ${c.exitCode ?? c.signalCode}:\n${output}`);
      }
      try {
        const res = await fetch(`${url}/ping`, { signal: AbortSignal.timeout(2000) });
        if (res.status === 204) return;
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) {
        await stopProcess();
        throw new Error(`influxd did not answer /ping within 30 s:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function stopProcess(): Promise<void> {
    const c = child;
    child = undefined;
    if (c) await stopChild(c, 10_000);
  }

  try {
    await startProcess();
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    url,
    port,
    dir,
    stopProcess,
    startProcess,
    async query(q: string, db?: string) {
      const params = new URLSearchParams({ q, epoch: 'ms' });
      if (db) params.set('db', db);
      const res = await fetch(`${url}/query?${params}`, { method: 'POST' });
      if (!res.ok) throw new Error(`query failed (${res.status}): ${await res.text()}`);
      return (await res.json()) as InfluxQueryResult;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      await stopProcess();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
