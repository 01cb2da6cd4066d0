/**
 * Faithfulness over MQTT: the example external controller (examples/external-controller, a
 * separate process speaking only the protocol through the bench's own broker) scores exactly
 * what the same algorithm built in scores, for the same seeds, when it misses no deadline.
 * Also: a vendor program started by the user (not --spawn) with the credential file the
 * bench writes, serving several runs in a row as simulated time moves forward. Both on SUMO
 * too (`--engine openphase,sumo`): the same vendor program drives SUMO's signals.
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
import { requireBinary } from '../../rigs/binaries.ts';
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

/** The results of one engine's runs (a scorecard of several engines holds one per engine). */
const of = (results: readonly Result[], controller: string, engine = 'openphase') =>
  results.find((r) => r.controller === controller && r.engine === engine)!;

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

it('on SUMO too: a spawned vendor program drives SUMO as it drives OpenPhase, same vehicles', async () => {
  requireBinary('sumo'); // a missing SUMO fails here with the apt-get hint
  requireBinary('netconvert');
  const bench = createBench({
    controllers: ['builtin:fixed-time', 'mqtt:example'],
    baseline: 'builtin:fixed-time',
    engines: ['openphase', 'sumo'],
    spawn: { example: `"${process.execPath}" "${example}"` },
    parallel: 2, // spawned vendor runs go to worker threads, each with its own broker
    scenarios: resolveScenarios(['two-phase']),
    seeds: 2,
    durationS: 180,
    deadlineMs: 2000,
    workDir: join(dir, 'sumo'),
    command: ['bench'],
    version: 'test',
  });
  const card = await bench.start().finally(() => bench.close());
  expect(card.manifest.engines).toEqual(['openphase', 'sumo']);
  expect(card.manifest.broker).toBe('embedded');
  const onSumo = of(card.results, 'mqtt:example', 'sumo');
  expect(onSumo.runs.map((r) => r.seed)).toEqual([1, 2]);
  const ext = comparable(onSumo);
  const arrived = ext.map((r) => r.arrived as number);
  // the same vehicles on both engines and for both controllers
  expect(arrived).toEqual(comparable(of(card.results, 'mqtt:example')).map((r) => r.arrived));
  expect(arrived).toEqual(
    comparable(of(card.results, 'builtin:fixed-time', 'sumo')).map((r) => r.arrived),
  );
  for (const r of ext) {
    expect(r.arrived).toBeGreaterThan(20);
    expect(r.served).toBeGreaterThan(0);
    expect(r.conflictingGreens).toBe(0);
  }
  expect(
    card.ranking
      .filter((r) => r.engine === 'sumo')
      .map((r) => r.controller)
      .sort(),
  ).toEqual(['builtin:fixed-time', 'mqtt:example']);
}, 60_000);

it('a vendor program the user starts serves every run on both engines, with the credential file the bench wrote', async () => {
  requireBinary('sumo');
  requireBinary('netconvert');
  const work = join(dir, 'user');
  let child: ChildProcess | undefined;
  const notices: string[] = [];
  const bench = createBench({
    controllers: ['mqtt:acme'],
    baseline: 'builtin:fixed-time',
    // each slot on both engines: the program sees simulated time move forward across them too
    engines: ['openphase', 'sumo'],
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
  for (const engine of ['openphase', 'sumo']) {
    const acme = of(card.results, 'mqtt:acme', engine);
    const fixed = of(card.results, 'builtin:fixed-time', engine);
    // one long-running program, six runs: time moved forward, every tick answered
    expect(acme.runs.map((r) => (r.metrics as Record<string, number>).missedDeadlines)).toEqual([
      0, 0, 0,
    ]);
    expect(comparable(acme)).toEqual(comparable(fixed));
  }
  expect(existsSync(join(work, '.credentials'))).toBe(false);
}, 60_000);
