/** A mistyped subcommand gets a suggestion (issue 17.17). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';

afterEach(() => vi.restoreAllMocks());

async function stderrOf(args: string[]): Promise<{ code: number; err: string }> {
  const lines: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((...a) => void lines.push(a.join(' ')));
  const code = await main(args);
  return { code, err: lines.join('\n') };
}

describe('openphase <typo>', () => {
  it.each([
    ['simulte', 'simulate'],
    ['brokr', 'broker'],
    ['Device', 'devices'],
    ['conformence', 'conformance'],
  ])('%s suggests %s', async (typo, meant) => {
    const { code, err } = await stderrOf([typo]);
    expect(code).toBe(2);
    expect(err).toContain(`unknown command '${typo}'. Did you mean '${meant}'?`);
  });

  it('suggests nothing for a word far from every command', async () => {
    const { code, err } = await stderrOf(['xyzzy']);
    expect(code).toBe(2);
    expect(err).toContain("unknown command 'xyzzy'.");
    expect(err).not.toContain('Did you mean');
  });
});
