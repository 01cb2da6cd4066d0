/**
 * The bench's progress on stderr: a cli-progress bar redrawn in place on a terminal, one plain
 * line per finished run otherwise (CI logs, pipes), notices on their own line either way.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressView } from '../../bench/progress.ts';
import type { Progress } from '../../bench/runner.ts';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  }) as unknown as NodeJS.WriteStream & { columns: number };
  Object.assign(stream, { isTTY, columns: 120, rows: 40 });
  return { stream, text: () => chunks.join('') };
}

const step = (done: number, controller: string, variant: Progress['variant'] = 'main') => ({
  done,
  total: 3,
  controller,
  scenario: 'peak-surge',
  seed: done,
  variant,
});

describe('bench progress', () => {
  it('prints one plain line per run when stderr is not a terminal', () => {
    const { stream, text } = sink(false);
    const view = createProgressView(3, stream);
    view.update(step(1, 'builtin:actuated'));
    view.note('mqtt:acme: connected');
    view.update(step(2, 'mqtt:acme', 'clean'));
    view.stop();
    expect(text()).toBe(
      [
        'bench: 1/3 builtin:actuated peak-surge seed 1',
        'bench: mqtt:acme: connected',
        'bench: 2/3 mqtt:acme peak-surge (clean) seed 2',
        '',
      ].join('\n'),
    );
    expect(text()).not.toContain('\x1b'); // no escape codes in a log file
  });

  it('says how many runs are still under way when runs go in parallel', () => {
    const { stream, text } = sink(false);
    const view = createProgressView(3, stream);
    view.update({ ...step(1, 'mqtt:acme'), running: 2 });
    view.update({ ...step(2, 'builtin:actuated'), running: 1 });
    view.update({ ...step(3, 'builtin:fixed-time'), running: 0 });
    expect(text()).toBe(
      [
        'bench: 1/3 mqtt:acme peak-surge seed 1 (2 under way)',
        'bench: 2/3 builtin:actuated peak-surge seed 2 (1 under way)',
        'bench: 3/3 builtin:fixed-time peak-surge seed 3',
        '',
      ].join('\n'),
    );
  });

  it('draws a cli-progress bar on a terminal, redrawn in place', () => {
    const { stream, text } = sink(true);
    const view = createProgressView(3, stream);
    view.update(step(1, 'builtin:actuated'));
    view.note('mqtt:acme: connected');
    view.update(step(3, 'mqtt:acme'));
    view.stop();
    view.stop(); // safe twice
    const out = text();
    expect(out).toMatch(/bench [█░]+ 0\/3 runs \| .* \| starting/);
    expect(out).toMatch(/bench [█░]+ 3\/3 runs \| .* \| mqtt:acme peak-surge seed 3/);
    expect(out).toContain('\r\x1b[2Kmqtt:acme: connected\n'); // the notice on its own line
    expect(out).toContain('\x1b[?25l'); // cursor hidden while drawing …
    expect(out).toContain('\x1b[?25h'); // … and shown again at the end
    expect(out).not.toMatch(/^bench: \d/m); // not the plain lines
  });
});
