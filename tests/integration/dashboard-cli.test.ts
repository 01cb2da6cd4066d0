/**
 * `openphase dashboard` serves no anonymous API: without an observer token it refuses to start,
 * naming the token option and the explicit insecure flag (it never connects first).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, ensureBuilt } from '../../rigs/openphase.ts';

describe('openphase dashboard', () => {
  it('refuses to serve its API without a token unless --insecure-api says so', () => {
    ensureBuilt();
    const r = spawnSync(
      process.execPath,
      [BIN, 'dashboard', '--mqtt', 'mqtt://127.0.0.1:9', '--username', 'dash-1', '--port', '0'],
      {
        encoding: 'utf8',
        timeout: 20_000,
        env: { ...process.env, OPENPHASE_MQTT_PASSWORD: 'not-a-real-secret' },
      },
    );
    expect(r.status, r.stderr).not.toBe(0);
    expect(r.signal).toBeNull();
    expect(r.stderr).toMatch(/observer token: --token-file FILE/);
    expect(r.stderr).toMatch(/--insecure-api/);
    expect(r.stderr + r.stdout).not.toContain('not-a-real-secret');
  });
});
