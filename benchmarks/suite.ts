/**
 * `npm run bench:suite`: how long the default `openphase bench` takes — the three built-ins and
 * the example external controller over MQTT (`--spawn`), the bundled scenarios, 5 seeds, the
 * clean twins — run as a user runs it (the compiled command, its own process). Target: ≤ 60 s
 * wall on a 2-core machine.
 *
 * Per run: wall time, CPU time of the bench process (all its threads) and of every vendor program
 * it started, the load average before and after, how many runs went at once (the manifest), and
 * whether the scorecard equals the first run's, timing fields aside. Vendor programs outlive their
 * `sh -c` wrapper and are reaped by init, so no rusage counts them: their CPU is read from /proc
 * every 100 ms (each process's last < 100 ms is missed), found by a marker in the environment
 * they inherit from the bench.
 *
 * Env: BENCH_BASELINE=<git revision> first runs the same suite on that revision's build (its own
 * example controller), so before and after come from one run; BENCH_SUITE_VARIANTS: `;`-separated
 * extra arguments, one run each (default: one run with none; e.g. `;--reuse-spawned;--parallel 4`);
 * BENCH_SUITE_SEEDS (default 5); BENCH_SUITE_TOGETHER=1 starts every case at once instead of one
 * after the other: on a machine others share, each then meets the same load, so their CPU
 * times compare (their wall times do not). Writes bench-results/suite.json, and each scorecard as
 * bench-results/suite/N.scorecard.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withoutTiming } from '../bench/scorecard.ts';
import type { ScorecardT } from '../bench/scorecard-schema.ts';
import { baselineBin, currentBin } from './ingest-collectors.ts';
import { treeCpu } from './tree-cpu.ts';

const here = dirname(fileURLToPath(import.meta.url));
const TARGET_S = 60;
const seeds = process.env.BENCH_SUITE_SEEDS ?? '5';
const variants = (process.env.BENCH_SUITE_VARIANTS ?? '').split(';').map((v) => v.trim());
const together = process.env.BENCH_SUITE_TOGETHER === '1';

interface Case {
  label: string;
  revision: string;
  bin: string;
  args: string[];
}

interface Outcome {
  label: string;
  revision: string;
  args: string[];
  wallS: number;
  cpuS: { bench: number; vendors: number; total: number };
  vendorPrograms: number;
  load: [number, number];
  runs: number;
  atOnce: number;
  /** the scorecard equals the first case's, timing fields aside */
  sameScorecard: boolean;
  /** where it first differs (a JSON path), when it does */
  firstDifference?: string;
}

/** The first path where two JSON values differ, or undefined. */
function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null)
    return `${path || '/'}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) {
    const d = firstDifference(
      (a as Record<string, unknown>)[k],
      (b as Record<string, unknown>)[k],
      `${path}/${k}`,
    );
    if (d) return d;
  }
  return undefined;
}

const round = (x: number, d = 1) => Number(x.toFixed(d));

async function runCase(c: Case, out: string): Promise<{ o: Outcome; card: ScorecardT }> {
  const example = join(dirname(dirname(c.bin)), 'examples', 'external-controller', 'index.mjs');
  const marker = `OPENPHASE_BENCH_SUITE=${process.pid}-${c.label.replace(/\W/g, '')}`;
  const args = [
    c.bin,
    'bench',
    ...['builtin:fixed-time', 'builtin:actuated', 'builtin:max-pressure', 'mqtt:example'].flatMap(
      (x) => ['--controller', x],
    ),
    '--spawn',
    `exec "${process.execPath}" "${example}"`,
    '--seeds',
    seeds,
    '--out',
    out,
    ...c.args,
  ];
  const load0 = loadavg()[0]!;
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, [marker.split('=')[0]!]: marker.split('=')[1]! },
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const meter = treeCpu(marker, child.pid!);
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  const wallS = (performance.now() - t0) / 1000;
  const cpu = meter.stop();
  if (code !== 0) throw new Error(`${c.label}: openphase bench exited ${code}:\n${stderr}`);
  const card = JSON.parse(readFileSync(join(out, 'scorecard.json'), 'utf8')) as ScorecardT;
  return {
    card,
    o: {
      label: c.label,
      revision: c.revision,
      args: c.args,
      wallS: round(wallS),
      cpuS: {
        bench: round(cpu.rootMs / 1000),
        vendors: round(cpu.othersMs / 1000),
        total: round((cpu.rootMs + cpu.othersMs) / 1000),
      },
      vendorPrograms: cpu.others,
      load: [round(load0, 2), round(loadavg()[0]!, 2)],
      // a surge or fault scenario's clean twin ran once per seed too
      runs: card.results.reduce((n, r) => n + r.runs.length * (r.degradation ? 2 : 1), 0),
      atOnce: card.manifest.parallel ?? 1,
      sameScorecard: true,
    },
  };
}

async function main() {
  const cases: Case[] = [];
  const base = process.env.BENCH_BASELINE;
  if (base) {
    const { bin, commit } = baselineBin(base);
    cases.push({ label: `before (${commit})`, revision: commit, bin, args: [] });
  }
  const bin = currentBin();
  for (const v of variants)
    cases.push({
      label: v === '' ? 'default' : v,
      revision: 'this checkout',
      bin,
      args: v === '' ? [] : v.split(/\s+/),
    });
  console.log(
    `bench:suite — the default bench (3 built-ins + mqtt:example, bundled scenarios, ${seeds} seeds); ` +
      `${cpus().length} cores, load ${loadavg()[0]!.toFixed(2)}; ${cases.length} run(s) ${together ? 'at the same time' : 'one after the other'}`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'op-bench-suite-'));
  const outcomes: Outcome[] = [];
  let first: unknown;
  const resultsDir = join(here, '..', 'bench-results');
  mkdirSync(join(resultsDir, 'suite'), { recursive: true });
  try {
    // together: every case started at once, each then sees the same busy machine (their CPU
    // compares; their wall does not — they share the cores)
    const started = together ? cases.map((c, i) => runCase(c, join(dir, String(i)))) : undefined;
    for (const p of started ?? []) p.catch(() => {}); // each failure is thrown where it is awaited
    for (const [i, c] of cases.entries()) {
      const { o, card } = await (started?.[i] ?? runCase(c, join(dir, String(i))));
      // kept for a look at what differs: bench-results/suite/N.scorecard.json
      writeFileSync(join(resultsDir, 'suite', `${i}.scorecard.json`), JSON.stringify(card));
      // the command line differs by design (each revision's example, the variant's flags)
      const { command: _c, ...manifest } = card.manifest;
      const comparable = withoutTiming({ ...card, manifest: { ...manifest, command: [] } });
      first ??= comparable;
      const diff = firstDifference(first, comparable);
      o.sameScorecard = diff === undefined;
      if (diff) o.firstDifference = diff;
      outcomes.push(o);
      console.log(
        `${o.label.padEnd(28)} ${String(o.wallS).padStart(6)} s wall  CPU ${o.cpuS.total} s ` +
          `(bench ${o.cpuS.bench} + ${o.vendorPrograms} vendor programs ${o.cpuS.vendors})  ` +
          `${o.runs} runs, up to ${o.atOnce} at once  load ${o.load[0]} → ${o.load[1]}  ` +
          `scorecard ${o.sameScorecard ? 'same as' : 'DIFFERENT from'} the first` +
          (o.firstDifference ? ` (${o.firstDifference})` : ''),
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  writeFileSync(
    join(resultsDir, 'suite.json'),
    `${JSON.stringify({ targetWallS: TARGET_S, cores: cpus().length, seeds: Number(seeds), together, outcomes }, null, 2)}\n`,
  );
  console.log(`target: ≤ ${TARGET_S} s wall; wrote bench-results/suite.json`);
  if (outcomes.some((o) => !o.sameScorecard)) process.exitCode = 1;
}

await main();
