import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LONG_FILES } from '../setup/long-files.ts';

const repo = join(import.meta.dirname, '../..');

describe('the long test files the sequencer starts first', () => {
  it('each still exists (a renamed file would silently start last again)', () => {
    for (const f of LONG_FILES) expect(existsSync(join(repo, f)), f).toBe(true);
  });
  it('are test files the suite includes, each once', () => {
    expect(LONG_FILES.every((f) => /^tests\/.+\.test\.ts$/.test(f))).toBe(true);
    expect(new Set(LONG_FILES).size).toBe(LONG_FILES.length);
  });
});
