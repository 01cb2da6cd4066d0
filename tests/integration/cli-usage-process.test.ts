/**
 * The compiled `openphase` as an operator runs it: a usage error ends the process by itself
 * with a non-zero code and one line on stderr (tests/unit/cli-usage.test.ts has every case).
 */
import { describe, expect, it } from 'vitest';
import { spawnOpenphase } from '../../rigs/openphase.ts';

describe('openphase with a mistyped flag, as a process', () => {
  it.each([
    [
      ['measures', '--intersectoin', 'r1c1'],
      "openphase measures: unknown option '--intersectoin' (did you mean --intersection?)",
    ],
    [
      ['broker', '--port', '99999'],
      "openphase broker: --port must be a port number from 0 to 65535, got '99999'",
    ],
  ])('%j', async (argv, line) => {
    const p = spawnOpenphase(argv);
    const [code, signal] = await p.exited;
    expect(signal).toBeNull();
    expect(code).toBe(1);
    expect(p.output().trim()).toBe(line);
  });
});
