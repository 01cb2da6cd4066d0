import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeDirs } from '../../ops/make-dirs.ts';

describe('makeDirs', () => {
  const root = mkdtempSync(join(tmpdir(), 'make-dirs-'));

  it('creates every missing level, and is quiet when the folder exists', () => {
    const dir = join(root, 'a', 'b', 'c');
    makeDirs(dir, 0o700);
    expect(statSync(dir).isDirectory()).toBe(true);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(() => makeDirs(dir)).not.toThrow();
    expect(() => makeDirs(`${root}/a/./b/../b/d`)).not.toThrow();
    expect(statSync(join(root, 'a', 'b', 'd')).isDirectory()).toBe(true);
  });

  it('refuses a file in the way with its code', () => {
    writeFileSync(join(root, 'f'), 'x');
    expect(() => makeDirs(join(root, 'f'))).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(() => makeDirs(join(root, 'f', 'g'))).toThrow(
      expect.objectContaining({ code: 'ENOTDIR' }),
    );
  });

  // Node 20's recursive mkdirSync never returns here (the reason makeDirs exists)
  it('ends with ENOENT under /proc instead of looping', () => {
    expect(() => makeDirs('/proc/openphase-nope/spool')).toThrow(
      expect.objectContaining({ code: 'ENOENT' }),
    );
  });
});
