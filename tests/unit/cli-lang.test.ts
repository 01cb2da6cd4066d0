/**
 * The CLI's language: `--lang` anywhere on the line, French errors and run summaries, and
 * `bench --label` display names checked before anything runs.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseLabels } from '../../cli/commands/bench.ts';
import { langInArgs, setCliLang } from '../../cli/lang.ts';
import { main } from '../../cli/main.ts';

afterEach(() => {
  setCliLang(undefined);
  vi.restoreAllMocks();
});

/** What main() writes to the console while it runs (the CLI's own output, not a mock of it). */
async function output(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...a) => void out.push(a.join(' ')));
  vi.spyOn(console, 'error').mockImplementation((...a) => void err.push(a.join(' ')));
  const code = await main(argv);
  vi.restoreAllMocks();
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('--lang', () => {
  it('is found anywhere before --', () => {
    expect(langInArgs(['bench', '--seeds', '2', '--lang', 'fr'])).toBe('fr');
    expect(langInArgs(['bench', '--lang=en'])).toBe('en');
    expect(langInArgs(['simulate', '--', '--lang', 'fr'])).toBeUndefined();
  });

  it('speaks French when asked, English otherwise, and refuses a language it lacks', async () => {
    const fr = await output(['simulte', '--lang', 'fr']);
    expect(fr.code).toBe(2);
    expect(fr.err).toBe(
      'openphase\u202f: commande inconnue «\u202fsimulte\u202f». Vouliez-vous dire «\u202fsimulate\u202f»\u202f? «\u202fopenphase --help\u202f» donne la liste.',
    );
    const en = await output(['simulte']);
    expect(en.err).toBe(
      "openphase: unknown command 'simulte'. Did you mean 'simulate'? Run 'openphase --help' for the list.",
    );
    const de = await output(['simulate', '--lang', 'de']);
    expect(de.code).toBe(2);
    expect(de.err).toBe("openphase: --lang must be one of en, fr, got 'de'");
  });

  it('refuses bad usage of conformance, plan and measures in French', async () => {
    const conformance = await output(['conformance', '--lang', 'fr']);
    expect(conformance.code).toBe(1);
    expect(conformance.err).toContain('donnez soit --controller mqtt:ID, soit --sensor ID');
    expect(conformance.err).not.toContain('give either');
    const plan = await output([
      'plan',
      '--influx-db',
      'x',
      '--intersection',
      'a',
      '--from',
      '0',
      '--to',
      '1',
      '--lang',
      'fr',
    ]);
    expect(plan.err).toContain(
      'donnez la configuration du carrefour\u202f: --config FICHIER ou --mqtt URL',
    );
    expect(plan.err).not.toContain('give the intersection config');
  });

  it('writes the summary of a simulation in French', async () => {
    const r = await output([
      'simulate',
      '--scenario',
      'two-phase',
      '--duration',
      '60',
      '--lang',
      'fr',
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^scénario two-phase {2}graine \d+ {2}contrôleur builtin:fixed-time$/m);
    expect(r.out).toMatch(/^retard {5}moyen \d+(,\d+)? s {2}95e centile/m);
    expect(r.out).not.toMatch(/\d\.\d/); // decimal commas
  });
});

describe('bench --label', () => {
  const controllers = ['builtin:actuated', 'mqtt:acme'];

  it('takes CONTROLLER=Name, quoted or not', () => {
    expect(
      parseLabels(
        ['mqtt:acme=Acme SmartSignal 2.1', 'builtin:actuated="Plan actuel de la ville"'],
        controllers,
      ),
    ).toEqual({
      'mqtt:acme': 'Acme SmartSignal 2.1',
      'builtin:actuated': 'Plan actuel de la ville',
    });
  });

  it('refuses a malformed, unknown or repeated label with a clear error', () => {
    expect(() => parseLabels(['acme=Acme'], controllers)).toThrow(
      /--label 'acme=Acme': write --label CONTROLLER="Display name"/,
    );
    expect(() => parseLabels(['mqtt:acme='], controllers)).toThrow(/write --label/);
    expect(() => parseLabels(['mqtt:other=Other'], controllers)).toThrow(
      '--label mqtt:other: not one of the controllers of this bench (builtin:actuated, mqtt:acme)',
    );
    expect(() => parseLabels(['mqtt:acme=A', 'mqtt:acme=B'], controllers)).toThrow(
      '--label mqtt:acme: given twice',
    );
    setCliLang('fr');
    expect(() => parseLabels(['mqtt:other=Other'], controllers)).toThrow(
      /ne fait pas partie des contrôleurs de cet essai/,
    );
  });
});
