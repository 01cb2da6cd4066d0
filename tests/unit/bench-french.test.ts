/**
 * A bench in French (`--lang fr`): the progress lines and bar, the instructions to a vendor
 * whose controller must connect, and the engine errors; no English message left in them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressView } from '../../bench/progress.ts';
import { checkEngines } from '../../bench/run-engine.ts';
import { createBench } from '../../bench/runner.ts';
import { resolveScenarios } from '../../bench/scenarios.ts';
import { terminal as en } from '../../i18n/en/terminal.ts';
import { terminal as fr } from '../../i18n/fr/terminal.ts';
import type { Message } from '../../i18n/types.ts';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as unknown as NodeJS.WriteStream;
  Object.assign(stream, { isTTY, columns: 120, rows: 40 });
  return { stream, text: () => chunks.join('') };
}

/** The fixed words of the English bench messages that French does not share (placeholders cut out). */
const text = (m: Message) => (typeof m === 'string' ? m : m.other);
const englishWords = Object.entries(en)
  .filter(([k]) => /^(progress|vendor|engines\.error)\./.test(k))
  .flatMap(([k, m]) =>
    text(m)
      .split(/\{\w+\}/)
      .map((s) => s.trim())
      .filter((s) => s.length > 4 && !text(fr[k as keyof typeof en]).includes(s)),
  );

const step = { done: 1, total: 2, controller: 'mqtt:acme', scenario: 'peak-surge', seed: 1 };

describe('bench in French', () => {
  it('progress lines and the bar', () => {
    expect(englishWords.length).toBeGreaterThan(10);
    const plain = sink(false);
    const view = createProgressView(2, plain.stream, 'fr');
    view.update({ ...step, variant: 'clean', running: 1 });
    view.note('mqtt:acme : connecté');
    expect(plain.text()).toBe(
      'bench\u202f: 1/2 mqtt:acme peak-surge (sans perturbation) graine 1 (1 en cours)\nbench\u202f: mqtt:acme : connecté\n',
    );
    const tty = sink(true);
    const bar = createProgressView(2, tty.stream, 'fr');
    bar.update({ ...step, done: 2, variant: 'main' });
    bar.stop();
    expect(tty.text()).toMatch(/bench [█░]+ 0\/2 passages \| reste .* \| démarrage/);
    expect(tty.text()).toMatch(
      /bench [█░]+ 2\/2 passages \| reste .* \| mqtt:acme peak-surge graine 1/,
    );
    for (const w of englishWords) expect(plain.text() + tty.text()).not.toContain(w);
  });

  it('engine errors', () => {
    expect(() => checkEngines([' '], 'fr')).toThrow('--engine demande au moins un nom de moteur');
    expect(() => checkEngines(['vissim'], 'fr')).toThrow(
      '--engine\u202f: moteur inconnu «\u202fvissim\u202f» (moteurs\u202f: openphase, sumo)',
    );
  });

  it('tells a vendor how to connect, then that it did not', async () => {
    const notices: string[] = [];
    const bench = createBench({
      controllers: ['mqtt:acme'],
      baseline: 'builtin:fixed-time',
      scenarios: resolveScenarios(['two-phase']),
      seeds: 2,
      durationS: 30,
      connectTimeoutS: 0.5,
      workDir: mkdtempSync(join(tmpdir(), 'op-bench-fr-')),
      command: ['bench'],
      version: 'test',
      lang: 'fr',
      onNotice: (line) => notices.push(line),
    });
    await expect(bench.start().finally(() => bench.close())).rejects.toThrow(
      'mqtt:acme ne s’est pas connecté en 0,5 s',
    );
    expect(notices.join('\n')).toMatch(
      /^mqtt:acme\u202f: démarrez maintenant votre contrôleur avec l’adresse du broker et l’identifiant du fichier \S+ \(à lire avec\u202f: set -a; \. \S+; set \+a\)\. Il est supprimé à la fin du banc d’essai\.$/m,
    );
    for (const w of englishWords) expect(notices.join('\n')).not.toContain(w);
  }, 20_000);
});
