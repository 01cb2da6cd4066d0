/**
 * The collectors of `npm run bench:ingest` (benchmarks/ingest.ts): `openphase collector` as
 * deployed — the compiled command (bin/openphase.js → dist/), one process each — writing to one
 * InfluxDB database. Several share the load through one `$share` group, each with its own client
 * id and spool. A baseline build of another git revision can run the same way, so a run measures
 * before and after side by side.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ensureBuilt, ROOT } from '../rigs/openphase.ts';

/** The `openphase` command of this checkout, built if a source is newer than dist/. */
export function currentBin(): string {
  ensureBuilt();
  return BIN;
}

/**
 * The `openphase` command of git revision `rev`, built once into
 * `{tmpdir}/openphase-bench-baseline-{commit}/`, with this checkout's node_modules linked in.
 */
export function baselineBin(rev: string): { bin: string; commit: string } {
  const commit = execFileSync('git', ['rev-parse', '--short=12', `${rev}^{commit}`], {
    cwd: ROOT,
    encoding: 'utf8',
  }).trim();
  const dir = join(tmpdir(), `openphase-bench-baseline-${commit}`);
  const bin = join(dir, 'bin', 'openphase.js');
  if (!existsSync(join(dir, 'dist', '.built'))) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    const tar = execFileSync('git', ['archive', '--format=tar', commit], {
      cwd: ROOT,
      maxBuffer: 1 << 30,
    });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
    execFileSync(process.execPath, [join(dir, 'scripts', 'build.mjs')], {
      cwd: dir,
      stdio: 'inherit',
    });
  }
  return { bin, commit };
}

export interface CollectorCounters {
  received: number;
  written: number;
  batches: number;
  batchSeconds: number;
  spooled: number;
}

export interface CollectorGroup {
  pids(): number[];
  /** each collector's counters, read from its /metrics */
  counters(): Promise<CollectorCounters[]>;
  /**
   * Points written, summed, from /health: the cheap question to poll (/metrics costs the
   * collector about twice as much CPU per ask: 0.3–0.8 ms against 0.13–0.3 ms, measured here)
   */
  written(): Promise<number>;
  /** SIGTERM to each, waits for them to exit, removes their spools */
  stop(): Promise<void>;
}

export interface GroupOptions {
  bin: string;
  /** collectors; more than one subscribe through `$share/{group}/…` */
  count: number;
  /** client ids are `{name}-1` … (`{name}` alone for one collector) */
  name: string;
  mqttUrl: string;
  influxUrl: string;
  db: string;
  /** node options, e.g. --max-semi-space-size=32 --cpu-prof */
  nodeArgs: string[];
  /** print the collectors' own output (profiling runs) */
  echo?: boolean;
}

/** Starts the collectors; resolves once each has printed its ready line. */
export async function startCollectors(o: GroupOptions): Promise<CollectorGroup> {
  const children: ChildProcess[] = [];
  const ports: number[] = [];
  const spools: string[] = [];
  try {
    for (let i = 1; i <= o.count; i++) {
      const spool = mkdtempSync(join(tmpdir(), 'op-bench-spool-'));
      spools.push(spool);
      const child = spawn(
        process.execPath,
        [
          ...o.nodeArgs,
          o.bin,
          'collector',
          '--mqtt',
          o.mqttUrl,
          '--client-id',
          o.count === 1 ? o.name : `${o.name}-${i}`,
          ...(o.count > 1 ? ['--shared-group', o.name] : []),
          '--influx-url',
          o.influxUrl,
          '--influx-db',
          o.db,
          '--create-db',
          '--spool-dir',
          spool,
          '--log-every',
          '0',
          // the bench's messages carry synthetic times (T0), not the wall clock's
          '--time-window-s',
          '0',
          '--metrics-port',
          '0',
        ],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      children.push(child);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          let out = '';
          child.stdout?.on('data', (d) => {
            if (o.echo) process.stdout.write(d);
            out += d;
            const ready = /^\{"ready":true.*\}$/m.exec(out);
            if (ready) resolve((JSON.parse(ready[0]) as { metricsPort: number }).metricsPort);
          });
          child.once('exit', (code) => reject(new Error(`collector exited with ${code}`)));
        }),
      );
    }
  } catch (e) {
    for (const c of children) c.kill('SIGKILL');
    throw e;
  }
  const one = async (port: number): Promise<CollectorCounters> => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const get = (name: string) => {
      let sum = 0;
      const re = new RegExp(`^openphase_collector_${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm');
      for (const m of text.matchAll(re)) sum += Number(m[1]);
      return sum;
    };
    return {
      received: get('messages_received_total'),
      written: get('points_written_total'),
      batches: get('batch_write_seconds_count'),
      batchSeconds: get('batch_write_seconds_sum'),
      spooled: get('points_spooled_total'),
    };
  };
  return {
    pids: () => children.map((c) => c.pid!),
    counters: () => Promise.all(ports.map(one)),
    async written() {
      let sum = 0;
      for (const port of ports) {
        const h = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
          written: number;
        };
        sum += h.written;
      }
      return sum;
    },
    async stop() {
      await Promise.all(
        children.map(async (c) => {
          if (c.exitCode !== null || c.signalCode !== null) return;
          const exited = new Promise((r) => c.once('exit', r));
          c.kill('SIGTERM');
          await exited;
        }),
      );
      for (const s of spools) rmSync(s, { recursive: true, force: true });
    },
  };
}

/** The counters of a group summed. */
export function sumCounters(cs: CollectorCounters[]): CollectorCounters {
  const out: CollectorCounters = {
    received: 0,
    written: 0,
    batches: 0,
    batchSeconds: 0,
    spooled: 0,
  };
  for (const c of cs)
    for (const k of Object.keys(out) as (keyof CollectorCounters)[]) out[k] += c[k];
  return out;
}
