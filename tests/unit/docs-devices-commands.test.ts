/**
 * Every `openphase devices …` command the docs show runs as written against the real CLI
 * (issue 17.12: the example controller's README gave a `devices add` syntax that did not).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';

const repo = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'op-docs-devices-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const docs = [
  'README.md',
  ...readdirSync(join(repo, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  ...readdirSync(join(repo, 'examples')).map((d) => `examples/${d}/README.md`),
].filter((f) => {
  try {
    readFileSync(join(repo, f));
    return true;
  } catch {
    return false;
  }
});

/** `openphase devices add …` commands, continuation lines joined, comments dropped. */
function devicesCommands(text: string): string[] {
  const joined = text.replace(/\\\n\s*/g, ' ');
  return [...joined.matchAll(/openphase devices (add|update)\b[^\n`]*/g)].map((m) =>
    m[0].replace(/\s#.*$/, '').trim(),
  );
}

/** Splits like a shell would for these simple lines (quotes kept out). */
const words = (line: string) =>
  [...line.matchAll(/'([^']*)'|"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);

const cases = docs.flatMap((f) =>
  devicesCommands(readFileSync(join(repo, f), 'utf8')).map((c) => ({ file: f, command: c })),
);

describe('devices commands in the docs', () => {
  it('there are some (the README of the example controller has one)', () => {
    expect(cases.some((c) => c.file === 'examples/external-controller/README.md')).toBe(true);
  });

  it.each(cases)('$file: $command', async ({ command }) => {
    const file = join(dir, `${Math.random().toString(36).slice(2)}.yaml`);
    const args = words(command).slice(1); // without `openphase`
    const at = args.indexOf('--devices');
    if (at >= 0) args.splice(at, 2);
    if (args[1] === 'update') {
      // an update needs the device first
      const id = args[2]!.startsWith('-') ? args[args.indexOf('--id') + 1]! : args[2]!;
      await run(['devices', 'add', '--id', id, '--role', 'observer', '--intersection', '*'], file);
    }
    expect(await run(args, file)).toBe(0);
  });
});

async function run(args: string[], file: string): Promise<number> {
  const out = vi.spyOn(console, 'log').mockImplementation(() => {});
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const extra = args[1] === 'add' ? ['--iterations', '1000'] : [];
    return await main([...args, '--devices', file, ...extra]);
  } finally {
    out.mockRestore();
    err.mockRestore();
    write.mockRestore();
  }
}
