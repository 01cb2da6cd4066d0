/**
 * Faithfulness over MQTT: the example external controller (examples/external-controller, a
 * separate process speaking only the protocol through the bench's own broker) scores exactly
 * what the same algorithm built in scores, for the same seeds, when it misses no deadline.
 * Also: a vendor program started by the user (not --spawn) with the credential file the
 * bench writes, serving several runs in a row as simulated time moves forward.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { createBench } from '../../bench/runner.ts';
import { resolveScenarios } from '../../bench/scenarios.ts';
import type { Result } from '../../bench/scorecard-schema.ts';
import { killOnExit, stopChild } from '../../rigs/processes.ts';

const example = fileURLToPath(
  new URL('../../examples/external-controller/index.mjs', import.meta.url),
);
const dir = mkdtempSync(join(tmpdir(), 'op-bench-mqtt-'));
const children: ChildProcess[] = [];
afterAll(async () => {
  await Promise.all(children.map((c) => stopChild(c)));
  rmSync(dir, { recursive: true, force: true });
});

/** The run metrics without wall-clock timing. */
const comparable = (r: Result) =>
  r.runs.map((run) => {
    const { decisionLatencyMs: _t, ...rest } = run.metrics as Record<string, number>;
    return { seed: run.seed, ...rest } as Record<string, number>;
  });

it('the example external controller over MQTT scores the same as builtin:fixed-time', async () => {
  const bench = createBench({
    controllers: ['builtin:fixed-time', 'mqtt:example'],
    baseline: 'builtin:fixed-time',
    spawn: { example: `"${process.execPath}" "${example}"` },
    scenarios: resolveScenarios(['two-phase']),
    seeds: 2,
    durationS: 240,
    deadlineMs: 2000,
    workDir: dir,
    command: ['bench'],
    version: 'test',
  });
  const card = await bench.start().finally(() => bench.close());
  const [builtin, external] = ['builtin:fixed-time', 'mqtt:example'].map(
    (c) => card.results.find((r) => r.controller === c)!,
  );
  const ext = comparable(external!);
  expect(ext.map((r) => r.missedDeadlines)).toEqual([0, 0]);
  expect(ext).toEqual(comparable(builtin!));
  expect((ext[0]!.arrived as number) > 50).toBe(true);
  const latency = (external!.metrics as Record<string, Record<string, { mean: number }>>)
    .decisionLatencyMs!;
  expect(latency.p50!.mean).toBeGreaterThan(0);
  expect(card.manifest.broker).toBe('embedded');
  // the vendor's output is kept for them, the credentials are gone
  expect(existsSync(join(dir, 'example.log'))).toBe(true);
  expect(existsSync(join(dir, '.credentials'))).toBe(false);
}, 60_000);

it('a vendor program the user starts serves every run, with the credential file the bench wrote', async () => {
  const work = join(dir, 'user');
  let child: ChildProcess | undefined;
  const notices: string[] = [];
  const bench = createBench({
    controllers: ['mqtt:acme'],
    baseline: 'builtin:fixed-time',
    scenarios: resolveScenarios(['two-phase']),
    seeds: 3,
    durationS: 60,
    deadlineMs: 2000,
    connectTimeoutS: 20,
    workDir: work,
    command: ['bench'],
    version: 'test',
    onNotice: (line) => {
      notices.push(line);
      const file = /credential in (\S+) /.exec(line)?.[1];
      if (!file || child) return;
      // what a vendor does: read the env file, start the program
      const env = Object.fromEntries(
        readFileSync(file, 'utf8')
          .trim()
          .split('\n')
          .map((l) => l.split(/=(.*)/s).slice(0, 2) as [string, string]),
      );
      expect(env.OPENPHASE_MQTT_USERNAME).toBe('acme');
      child = spawn(process.execPath, [example], {
        env: { ...process.env, ...env },
        stdio: 'ignore',
      });
      killOnExit(child);
      children.push(child);
    },
  });
  const card = await bench.start().finally(async () => {
    if (child) await stopChild(child); // before the broker goes: it says offline cleanly
    await bench.close();
  });
  expect(notices.some((n) => n.includes('mqtt:acme: connected'))).toBe(true);
  expect(notices.join('\n')).not.toMatch(/PASSWORD=/);
  const acme = card.results.find((r) => r.controller === 'mqtt:acme')!;
  const fixed = card.results.find((r) => r.controller === 'builtin:fixed-time')!;
  // one long-running program, three runs: time moved forward, every tick answered
  expect(acme.runs.map((r) => (r.metrics as Record<string, number>).missedDeadlines)).toEqual([
    0, 0, 0,
  ]);
  expect(comparable(acme)).toEqual(comparable(fixed));
  expect(existsSync(join(work, '.credentials'))).toBe(false);
}, 60_000);
