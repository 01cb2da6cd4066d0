/**
 * `npm ci` on the oldest Node our package.json admits prints no EBADENGINE: every package in
 * the lock tree accepts that version, and the declared range still admits Node 20 (issue 17.17).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as {
  engines: { node: string };
};
const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; engines?: { node?: string } | string[] }>;
};

describe('declared engines', () => {
  const oldest = semver.minVersion(pkg.engines.node);

  it('package.json admits Node 20', () => {
    expect(oldest?.major).toBe(20);
  });

  it('every locked package accepts the oldest Node we declare', () => {
    const refusing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      // old packages wrote engines as a list of strings; npm ignores that form
      const range = Array.isArray(entry.engines) ? undefined : entry.engines?.node;
      if (path === '' || range === undefined) continue;
      if (!semver.satisfies(oldest!, range)) {
        refusing.push(`${path.replace(/^.*node_modules\//, '')}@${entry.version}: ${range}`);
      }
    }
    expect(refusing).toEqual([]);
  });
});
