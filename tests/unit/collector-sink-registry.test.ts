/**
 * The sink registry walk: every registered sink is one folder (code, README.md, sample.env,
 * options) plus one line in collector/sinks/all.ts, and has a run of the shared contract suite
 * in tests/. Also the chooser that turns flags into a sink.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { chooseSinkOf } from '../../collector/sinks/choose.ts';
import { chooseSink, SINKS } from '../../collector/sinks/registry.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const sinksDir = join(repo, 'collector/sinks');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** The sinks that a `runSinkContract({ sink: '…' })` call in these sources covers. */
function contractRuns(sources: readonly string[]): Set<string> {
  const runs = new Set<string>();
  for (const text of sources) {
    for (const m of text.matchAll(/runSinkContract\(\{\s*sink:\s*'([^']+)'/g)) runs.add(m[1]!);
  }
  return runs;
}

/** Registered sinks without a contract run. */
function missingContractRuns(kinds: readonly string[], sources: readonly string[]) {
  const runs = contractRuns(sources);
  return kinds.filter((k) => !runs.has(k));
}

const testSources = filesUnder(join(repo, 'tests')).map((f) => readFileSync(f, 'utf8'));

describe('sink registry walk', () => {
  it('every registered sink has a contract run', () => {
    expect(SINKS.length).toBeGreaterThanOrEqual(3);
    expect(
      missingContractRuns(
        SINKS.map((s) => s.kind),
        testSources,
      ),
    ).toEqual([]);
  });

  it('the walk fails for a sink without a contract run', () => {
    const kinds = [...SINKS.map((s) => s.kind), 'no-contract-yet'];
    expect(missingContractRuns(kinds, testSources)).toEqual(['no-contract-yet']);
    expect(missingContractRuns(['embedded'], ["runSinkContract({ sink: 'influx-v1' })"])).toEqual([
      'embedded',
    ]);
  });

  it('a sink is one folder and one line: code, README.md, sample.env; one export in all.ts', () => {
    const all = readFileSync(join(sinksDir, 'all.ts'), 'utf8');
    const lines = all.split('\n').filter((l) => l.startsWith('export '));
    expect(lines).toHaveLength(SINKS.length);
    for (const s of SINKS) {
      const dir = join(sinksDir, s.kind);
      for (const f of ['index.ts', 'README.md', 'sample.env']) {
        expect(existsSync(join(dir, f)), `${s.kind}/${f}`).toBe(true);
      }
      expect(
        lines.filter((l) => l.includes(`'./${s.kind}/index.ts'`)),
        s.kind,
      ).toHaveLength(1);
      const readme = readFileSync(join(dir, 'README.md'), 'utf8');
      expect(readme).toContain(`\`${s.kind}\``);
      for (const o of s.options) expect(readme, `${s.kind} ${o.flag}`).toContain(`--${o.flag}`);
      // The sample names only the sink's own variables, and every required one.
      const sample = readFileSync(join(dir, 'sample.env'), 'utf8');
      const vars = [...sample.matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]);
      const known = new Set(['OPENPHASE_SINK', ...s.options.map((o) => o.env)]);
      for (const v of vars) expect(known, `${s.kind} sample.env ${v}`).toContain(v);
      for (const o of s.options.filter((o) => o.required)) expect(vars).toContain(o.env);
      expect(sample).toContain(`OPENPHASE_SINK=${s.kind}`);
    }
  });

  it('exactly one sink is the fallback, and every selecting or required option has a variable', () => {
    expect(SINKS.filter((s) => s.fallback).map((s) => s.kind)).toEqual(['embedded']);
    for (const s of SINKS) for (const o of s.options) expect(o.env, o.flag).toBeTruthy();
  });
});

describe('chooseSink: flags → sink', () => {
  const url = 'http://127.0.0.1:8086';
  it('picks by the options given, else the embedded store with its default directory', () => {
    expect(chooseSink({})).toEqual({ kind: 'embedded', dir: 'data/points' });
    expect(chooseSink({ 'data-dir': '/d' })).toEqual({ kind: 'embedded', dir: '/d' });
    expect(chooseSink({ 'influx-url': url, 'influx-db': 'op' })).toEqual({
      kind: 'influx-v1',
      url,
      database: 'op',
    });
    expect(
      chooseSink({
        'influx-url': url,
        'influx-token': 't',
        'influx-org': 'o',
        'influx-bucket': 'b',
      }),
    ).toEqual({ kind: 'influx-v2', url, token: 't', org: 'o', bucket: 'b' });
    // the demo keeps the store under its own directory
    expect(chooseSink({}, undefined, { 'data-dir': '/demo/points' })).toEqual({
      kind: 'embedded',
      dir: '/demo/points',
    });
    // an optional setting of another sink (with a default) may stay in the environment
    expect(chooseSink({ 'influx-url': url, 'influx-db': 'op', 'data-dir': '/d' }).kind).toBe(
      'influx-v1',
    );
  });

  it('refuses half-given and mixed sets in plain words', () => {
    expect(() => chooseSink({ 'influx-url': url })).toThrow(
      /--influx-url does not apply to the embedded sink.*--influx-db \(influx-v1\)/,
    );
    expect(() => chooseSink({ 'influx-db': 'op' })).toThrow(/influx-v1 sink needs --influx-url/);
    expect(() => chooseSink({ 'influx-url': url, 'influx-token': 't' })).toThrow(
      /influx-v2 sink needs --influx-org, --influx-bucket/,
    );
    expect(() => chooseSink({ 'influx-url': url, 'influx-db': 'op', 'influx-token': 't' })).toThrow(
      /several sinks.*influx-v1, influx-v2/,
    );
    expect(() => chooseSink({}, 'nope')).toThrow(/unknown sink 'nope'/);
    expect(() => chooseSink({ 'influx-db': 'op' }, 'embedded')).toThrow(
      /--influx-db does not apply to the embedded sink/,
    );
  });

  it('parses typed options', () => {
    const plugin = {
      kind: 'x',
      summary: '',
      fallback: true,
      options: [
        { key: 'n', flag: 'n', arg: 'n', description: '', type: 'integer' as const },
        { key: 'b', flag: 'b', description: '', type: 'boolean' as const },
      ],
      create: () => ({ name: 'x', write: async () => {} }),
      identity: () => 'x',
      describe: () => 'x',
    };
    expect(chooseSinkOf([plugin], { n: '12', b: true })).toEqual({ kind: 'x', n: 12, b: true });
    expect(() => chooseSinkOf([plugin], { n: '1.5' })).toThrow(/--n must be an integer/);
  });
});
