/**
 * `openphase intersection check` lists every problem of a file in one run;
 * `openphase intersection publish` checks first, never publishes an invalid config, and so never
 * replaces a good retained config with a bad one (real embedded broker, real CLI in-process).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createBroker } from '../../broker/index.ts';
import { main } from '../../cli/main.ts';
import { connectAs, fixtureRegistry, passwordOf } from './broker-fixtures.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'field');
const good = join(fixtures, 'crossing.yaml');
const bad = join(fixtures, 'crossing-bad.yaml');
const dir = mkdtempSync(join(tmpdir(), 'op-intersection-'));

async function op(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  const error = vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const before = process.exitCode;
  try {
    const code = await main(args);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    process.env = saved;
    process.exitCode = before;
    log.mockRestore();
    error.mockRestore();
  }
}

describe('openphase intersection check', () => {
  it('a good file is valid', async () => {
    const r = await op(['intersection', 'check', good]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('valid (main-1st)');
  });

  it('a bad file: every problem with its JSON Pointer, in one run, exit 1', async () => {
    const r = await op(['intersection', 'check', bad, '--json']);
    expect(r.code).toBe(1);
    const { ok, problems } = JSON.parse(r.out) as { ok: boolean; problems: { path: string }[] };
    expect(ok).toBe(false);
    const paths = problems.map((p) => p.path);
    // schema (yellowS, unknown field), geometry (conflict), phase limits, plan, zone, schedule
    for (const p of [
      '/yellowS',
      '/colour',
      '/phases/0/movements',
      '/phases/1/minGreenS',
      '/plan/greenS/xx',
      '/timeZone',
      '/schedule/0/plan',
    ])
      expect(paths, p).toContain(p);
    const text = await op(['intersection', 'check', bad]);
    expect(text.err).toContain("phase 'ns' holds conflicting movements N-through and E-through");
    expect(text.err).toMatch(/^\/yellowS: /m);
  });

  it('unreadable or non-YAML input is a problem, not a crash', async () => {
    const missing = await op(['intersection', 'check', join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('cannot read');
    const junk = join(dir, 'junk.yaml');
    writeFileSync(junk, '{ id: [unclosed');
    const r = await op(['intersection', 'check', junk]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('not YAML or JSON');
  });
});

describe('openphase intersection publish', () => {
  const broker = createBroker({ port: 0, devices: fixtureRegistry(), log: () => {} });
  let url = '';
  beforeAll(async () => {
    ({ url } = await broker.start());
  });
  afterAll(async () => {
    await broker.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The retained config on the broker now (an admin reads it), or undefined. */
  async function retained(id: string): Promise<string | undefined> {
    const c = await connectAs(url, 'ops');
    try {
      let got: string | undefined;
      c.on('message', (_t, p, packet) => {
        if (packet.retain) got = p.toString();
      });
      await c.subscribeAsync(`traffic/v1/${id}/config`, { qos: 1 });
      await vi.waitFor(() => expect(got).toBeDefined(), { timeout: 3000 }).catch(() => {});
      return got;
    } finally {
      await c.endAsync();
    }
  }

  it('publishes a valid config retained as its signal device (password from a file)', async () => {
    const pwFile = join(dir, 'pw');
    writeFileSync(pwFile, `${passwordOf('adm')}\n`);
    const r = await op([
      'intersection',
      'publish',
      good,
      '--mqtt',
      url,
      '--username',
      'adm',
      '--password-file',
      pwFile,
    ]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      intersection: 'main-1st',
      published: true,
      previous: 'none',
    });
    const text = await retained('main-1st');
    expect(JSON.parse(text!).name).toBe('Main St & 1st Ave');
    // the same again: left alone
    const again = await op(['intersection', 'publish', good, '--mqtt', url, '--username', 'adm'], {
      OPENPHASE_MQTT_PASSWORD: passwordOf('adm'),
    });
    expect(JSON.parse(again.out)).toMatchObject({ published: false, previous: 'same' });
  });

  it('refuses an invalid config and leaves the good retained one in place', async () => {
    const before = await retained('main-1st');
    const r = await op(['intersection', 'publish', bad, '--mqtt', url, '--username', 'adm'], {
      OPENPHASE_MQTT_PASSWORD: passwordOf('adm'),
    });
    expect(r.code).toBe(1);
    expect(r.err).toContain('nothing published');
    expect(r.err).toContain('/yellowS');
    expect(await retained('main-1st')).toBe(before);
  });
});
