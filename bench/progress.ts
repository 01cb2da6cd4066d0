/**
 * Progress of a bench on stderr (shell): a cli-progress bar on a terminal, one plain line per
 * run otherwise (CI logs, pipes), so a log says exactly which run was slow or failed. A run
 * counts when it has finished; with runs in parallel the line also says how many are still
 * under way, and runs finish out of plan order (the longest start first).
 */
import cliProgress from 'cli-progress';
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
): ProgressView {
  const label = (p: Progress) =>
    `${p.controller} ${p.scenario}${p.variant === 'clean' ? ' (clean)' : ''} seed ${p.seed}${p.running ? ` (${p.running} under way)` : ''}`;
  if (!stream.isTTY) {
    const width = String(total).length;
    return {
      update: (p) =>
        stream.write(`bench: ${String(p.done).padStart(width)}/${total} ${label(p)}\n`),
      note: (line) => stream.write(`bench: ${line}\n`),
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'bench {bar} {value}/{total} runs | {eta_formatted} left | {run}',
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { run: 'starting' });
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
