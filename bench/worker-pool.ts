/**
 * The bench's worker threads (shell): up to `size` run-worker.ts threads, started when first
 * needed, each running one task at a time. From the TypeScript sources (development, tests)
 * a worker registers tsx before loading its module; from the compiled package it loads the
 * compiled module directly.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RunOutput } from './run-builtin.ts';
import type { WorkerReply, WorkerSetup, WorkerTask } from './worker-protocol.ts';

export interface RunPool {
  readonly size: number;
  /** runs `task` on an idle worker; at most `size` calls may be under way at once */
  run(task: WorkerTask): Promise<RunOutput>;
  /** stops the runs under way (their vendor programs too) and the threads; safe twice */
  close(): Promise<void>;
}

/** Longest wait for a worker to stop its vendor program and broker before it is terminated. */
const CLOSE_GRACE_MS = 8000;

function startWorker(setup: WorkerSetup): Worker {
  const self = import.meta.url;
  if (!self.endsWith('.ts'))
    return new Worker(new URL('./run-worker.js', self), { workerData: setup });
  const api = createRequire(self)
    .resolve('tsx/esm/api')
    .replace(/\.cjs$/, '.mjs');
  const entry = new URL('./run-worker.ts', self).href;
  const code = `import(${JSON.stringify(pathToFileURL(api).href)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(code, { eval: true, workerData: setup });
}

interface Slot {
  worker: Worker;
  /** the task under way: settles it */
  pending?: { resolve(out: RunOutput): void; reject(e: Error): void };
  dead?: Error;
}

export function createWorkerPool(size: number, setup: WorkerSetup): RunPool {
  const slots: Slot[] = [];
  let n = 0;
  let closing: Promise<void> | undefined;

  function add(): Slot {
    const slot: Slot = { worker: startWorker(setup) };
    slot.worker.on('message', (m: WorkerReply) => {
      if (m.type === 'closed') return;
      const p = slot.pending;
      slot.pending = undefined;
      if (m.type === 'done') p?.resolve(m.out);
      else p?.reject(new Error(closing ? 'the bench was stopped' : m.message));
    });
    const die = (e: Error) => {
      slot.dead = e;
      slot.pending?.reject(closing ? new Error('the bench was stopped') : e);
      slot.pending = undefined;
    };
    slot.worker.on('error', (e) => die(new Error(`a bench worker failed: ${e.message}`)));
    slot.worker.on('exit', (code) => die(new Error(`a bench worker ended (code ${code})`)));
    slots.push(slot);
    return slot;
  }

  return {
    size,
    run(task) {
      if (closing) return Promise.reject(new Error('the bench was stopped'));
      const slot =
        slots.find((s) => !s.pending && !s.dead) ?? (slots.length < size ? add() : undefined);
      if (!slot) return Promise.reject(new Error(`more than ${size} runs at once`));
      return new Promise<RunOutput>((resolve, reject) => {
        slot.pending = { resolve, reject };
        slot.worker.postMessage({ type: 'run', n: n++, task });
      });
    },
    close() {
      closing ??= Promise.all(
        slots.map(async (s) => {
          if (!s.dead) {
            const closed = new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, CLOSE_GRACE_MS);
              s.worker.on('message', (m: WorkerReply) => {
                if (m.type !== 'closed') return;
                clearTimeout(timer);
                resolve();
              });
              s.worker.once('exit', () => {
                clearTimeout(timer);
                resolve();
              });
            });
            s.worker.postMessage({ type: 'close' });
            await closed;
          }
          await s.worker.terminate();
        }),
      ).then(() => undefined);
      return closing;
    },
  };
}
