/**
 * The systemd units in deploy/systemd/ pass `systemd-analyze verify` (templates instantiated),
 * start commands that exist, take every secret from a file or the environment, and are all
 * named in docs/operations.md.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../cli/main.ts';
import { requireBinary } from '../../rigs/binaries.ts';

const root = join(import.meta.dirname, '..', '..');
const unitsDir = join(root, 'deploy', 'systemd');
const units = readdirSync(unitsDir).filter((f) => f.endsWith('.service'));

describe('deploy/systemd', () => {
  it('holds the units of every field service', () => {
    expect(units.sort()).toEqual([
      'openphase-broker.service',
      'openphase-cabinet-emulator.service',
      'openphase-collector.service',
      'openphase-collector@.service',
      'openphase-controller.service',
      'openphase-dashboard.service',
      'openphase-signal@.service',
    ]);
  });

  it('systemd-analyze verify finds nothing to say about any unit', () => {
    const analyze = requireBinary('systemd-analyze');
    const dir = mkdtempSync(join(tmpdir(), 'op-units-'));
    try {
      const files: string[] = [];
      for (const u of units) {
        // the installed binary path does not exist here: point it at one that does
        const text = readFileSync(join(unitsDir, u), 'utf8').replaceAll(
          '/usr/local/bin/openphase',
          '/bin/true',
        );
        const name = u.replace('@.service', '@main-1st.service');
        writeFileSync(join(dir, name), text);
        if (name !== u) writeFileSync(join(dir, u), text);
        files.push(join(dir, name));
      }
      let out = '';
      try {
        out = execFileSync(analyze, ['verify', '--man=no', ...files], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      } catch (e) {
        const err = e as { stdout?: string; stderr?: string };
        out = `${err.stdout ?? ''}${err.stderr ?? ''}`;
        throw new Error(`systemd-analyze verify failed:\n${out}`);
      }
      const about = out.split('\n').filter((l) => l.includes(dir));
      expect(about).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(units)('%s starts an openphase command and passes no secret as an argument', (u) => {
    const text = readFileSync(join(unitsDir, u), 'utf8');
    const exec = /^ExecStart=\/usr\/local\/bin\/openphase (\S+)(.*)$/m.exec(text);
    expect(exec, 'ExecStart').not.toBeNull();
    expect(COMMANDS.map((c) => c.name)).toContain(exec![1]);
    expect(exec![2]).not.toMatch(
      /--password(\s|=)|--influx-password(\s|=)|--community|--token(\s|=)/,
    );
  });

  it('docs/operations.md names every unit', () => {
    const doc = readFileSync(join(root, 'docs', 'operations.md'), 'utf8');
    for (const u of units) expect(doc).toContain(u);
  });
});
