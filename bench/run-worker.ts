/**
 * A bench worker thread (shell): runs one task at a time for the main thread — a built-in
 * run, or a spawned vendor program's run through this worker's own broker (started on the
 * first such run, with fresh credentials). Its own broker keeps runs of different workers
 * apart: two runs of one scenario use the same intersection ids and retained topics.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runBuiltin } from './run-builtin.ts';
import { DEFAULT_ENGINE, runBuiltinOn } from './run-engine.ts';
import { createSpawnAhead } from './spawn-ahead.ts';
import { startBenchBroker, type VendorProcess } from './vendor.ts';
import { connectJanitor, inProcessSessions, type MqttSide, runVendor } from './vendor-run.ts';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './worker-protocol.ts';

const setup = workerData as WorkerSetup;
const port = parentPort!;
const abort = new AbortController();
const running = new Set<VendorProcess>();
/** programs kept from one run to the next (--reuse-spawned), stopped with the worker */
const kept = new Map<string, VendorProcess>();
let side: Promise<{ side: MqttSide; close(): Promise<void> }> | undefined;
/** fresh programs one run ahead, on two brokers of this worker (afresh per run, the default) */
const ahead = createSpawnAhead(openSide);

async function openSide() {
  const b = await startBenchBroker(setup.vendors);
  const janitor = await connectJanitor(b.url, b.janitor.username, b.janitor);
  return {
    side: {
      url: b.url,
      openSession: inProcessSessions(b.broker),
      username: b.sim.username,
      password: b.sim.password,
      janitor,
      creds: b.credentials,
    },
    async close() {
      await janitor?.endAsync().catch(() => undefined);
      await b.broker.close();
    },
  };
}

async function handle(m: WorkerRequest): Promise<void> {
  if (m.type === 'close') {
    abort.abort();
    await Promise.all([...running].map((p) => p.close()));
    await ahead.close();
    await (await side?.catch(() => undefined))?.close();
    port.postMessage({ type: 'closed' } satisfies WorkerReply);
    return;
  }
  try {
    const t = m.task;
    let out: Awaited<ReturnType<typeof runBuiltin>>;
    if (t.kind === 'builtin') {
      out =
        t.engine === undefined || t.engine === DEFAULT_ENGINE
          ? runBuiltin(t.algorithm, t.spec)
          : await runBuiltinOn(t.engine, t.algorithm, t.spec);
    } else {
      // kept programs stay on this worker's one broker; fresh ones take turns on two
      if (t.reuse) side ??= openSide();
      out = await runVendor(t.id, t.spec, {
        ...(t.reuse ? { side: (await side!).side } : {}),
        root: t.root,
        deadlineMs: t.deadlineMs,
        firstTickWaitMs: t.firstTickWaitMs,
        command: t.command,
        workDir: t.workDir,
        signal: abort.signal,
        running,
        ...(t.engine ? { engine: t.engine } : {}),
        ...(t.reuse ? { kept } : { ahead }),
        ...(t.startNext === false ? { startNext: false } : {}),
      });
    }
    port.postMessage({ type: 'done', n: m.n, out } satisfies WorkerReply);
  } catch (e) {
    port.postMessage({
      type: 'failed',
      n: m.n,
      message: e instanceof Error ? e.message : String(e),
    } satisfies WorkerReply);
  }
}

port.on('message', (m: WorkerRequest) => void handle(m));
