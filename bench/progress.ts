/**
 * Progress of a bench on stderr (shell): a cli-progress bar on a terminal, one plain line per
 * run otherwise (CI logs, pipes), so a log says exactly which run was slow or failed. A run
 * counts when it has finished; with runs in parallel the line also says how many are still
 * under way, and runs finish out of plan order (the longest start first).
 */
import cliProgress from 'cli-progress';
import { type Lang, t } from '../i18n/index.ts';
import type { Progress } from './runner.ts';

export interface ProgressView {
  update(p: Progress): void;
  /** a line above the bar (notices); never a secret */
  note(line: string): void;
  stop(): void;
}

export function createProgressView(
  total: number,
  stream: NodeJS.WriteStream = process.stderr,
  lang: Lang = 'en',
): ProgressView {
  const label = (p: Progress) =>
    t(lang, 'progress.run', {
      controller: p.controller,
      scenario: p.scenario,
      clean: p.variant === 'clean' ? t(lang, 'progress.clean') : '',
      seed: String(p.seed),
      running: p.running ? t(lang, 'progress.running', { count: p.running }) : '',
    });
  if (!stream.isTTY) {
    const width = String(total).length;
    return {
      update: (p) =>
        stream.write(
          `${t(lang, 'progress.line', { done: String(p.done).padStart(width), total: String(total), run: label(p) })}\n`,
        ),
      note: (line) => stream.write(`${t(lang, 'progress.note', { line })}\n`),
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      // cli-progress fills its own {bar} {value} {total} {eta_formatted} {run}
      format: t(lang, 'progress.bar', {
        bar: '{bar}',
        value: '{value}',
        total: '{total}',
        eta: '{eta_formatted}',
        run: '{run}',
      }),
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { run: t(lang, 'progress.starting') });
  let stopped = false;
  return {
    update: (p) => bar.update(p.done, { run: label(p) }),
    note(line) {
      // cli-progress redraws in place: print the note on its own line, then redraw
      stream.write(`\r\x1b[2K${line}\n`);
      bar.render();
    },
    stop() {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
