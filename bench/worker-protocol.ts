/** Messages between the bench's main thread and its worker threads (run-worker.ts). */
import type { RunOutput, RunSpec } from './run-builtin.ts';

/** What a worker may run: a built-in, or a vendor program the bench starts for the run. */
export type WorkerTask =
  | { kind: 'builtin'; algorithm: string; spec: RunSpec /** default openphase */; engine?: string }
  | {
      kind: 'vendor';
      /** the vendor's device id (mqtt:ID) */
      id: string;
      command: string;
      spec: RunSpec;
      root: string;
      deadlineMs: number;
      firstTickWaitMs: number;
      workDir: string;
      /** default openphase */
      engine?: string;
      /** keep the program for this worker's next runs (--reuse-spawned) */
      reuse?: boolean;
      /** start the program of a next run ahead (default true; false near the bench's end) */
      startNext?: boolean;
    };

export interface WorkerSetup {
  /** every vendor id: the worker's broker gets a controller credential for each */
  vendors: string[];
}

export type WorkerRequest = { type: 'run'; n: number; task: WorkerTask } | { type: 'close' };

export type WorkerReply =
  | { type: 'done'; n: number; out: RunOutput }
  | { type: 'failed'; n: number; message: string }
  | { type: 'closed' };
