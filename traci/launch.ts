/**
 * Launches `sumo` serving TraCI on a free port and connects to it.
 * If SUMO exits while in use, every pending and later call rejects with TRACI_SUMO_EXITED,
 * naming the exit code or signal and the end of SUMO's error output.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { clientOver, type TraciClient } from './client.ts';
import { openConnection } from './connection.ts';
import { SUPPORTED_API_VERSIONS } from './constants.ts';
import { TraciError } from './errors.ts';

export const SUMO_INSTALL_HINT =
  'install SUMO: apt-get install -y sumo (Debian/Ubuntu), or pass sumoBinary; SUMO_HOME defaults to /usr/share/sumo';

export interface StartSumoOptions {
  /** A .sumocfg file; or give `net` (and usually `routes`). */
  readonly config?: string;
  readonly net?: string;
  readonly routes?: readonly string[];
  readonly additional?: readonly string[];
  /** Further SUMO arguments, e.g. ['--step-length', '0.5', '--seed', '7']. */
  readonly args?: readonly string[];
  /** TraCI port; default a free port on 127.0.0.1. */
  readonly port?: number;
  /** Path or name of the binary (default 'sumo' on PATH). */
  readonly sumoBinary?: string;
  /** Working directory for SUMO (its relative paths and outputs). */
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly apiVersions?: readonly number[];
  readonly connectTimeoutMs?: number;
  /** Reject a call SUMO does not answer within this many ms (default: wait while SUMO lives). */
  readonly callTimeoutMs?: number;
}

export interface SumoRun {
  readonly client: TraciClient;
  readonly process: ChildProcess;
  readonly port: number;
  /** The SUMO command-line arguments, to pass to `client.load` to restart the same run. */
  readonly args: readonly string[];
  /** Closes the client and waits for SUMO to exit (killing it if it lingers). Safe twice. */
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (asked of the OS, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** SUMO's arguments (without the binary and the TraCI port) for the given options. */
export function sumoArgs(options: StartSumoOptions): string[] {
  const args: string[] = [];
  if (options.config) args.push('-c', options.config);
  if (options.net) args.push('-n', options.net);
  if (options.routes?.length) args.push('-r', options.routes.join(','));
  if (options.additional?.length) args.push('-a', options.additional.join(','));
  if (!options.config && !options.net) {
    throw new TraciError('TRACI_COMMAND_FAILED', 'startSumo needs a config or a net');
  }
  // quiet and deterministic unless the caller says otherwise
  args.push('--no-step-log', 'true', '--no-warnings', 'true');
  args.push(...(options.args ?? []));
  return args;
}

const STDERR_TAIL_BYTES = 4096;
const EXIT_WAIT_MS = 5_000;
/** How long a dropped connection waits for SUMO's exit status before rejecting without it. */
const EXPLAIN_WAIT_MS = 2_000;

/**
 * Spawns `sumo --remote-port <free port> …`, connects (retrying until SUMO listens), checks
 * the TraCI version.
 * @example
 * const run = await startSumo({ net: 'net.xml', routes: ['cars.rou.xml'] });
 * await run.client.simulationStep();
 * await run.close();
 */
export async function startSumo(options: StartSumoOptions): Promise<SumoRun> {
  const args = sumoArgs(options);
  const port = options.port ?? (await freePort());
  const binary = options.sumoBinary ?? 'sumo';
  const env = { ...(options.env ?? process.env) };
  env.SUMO_HOME ??= '/usr/share/sumo';

  const child = spawn(binary, [...args, '--remote-port', String(port)], {
    cwd: options.cwd,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
  });
  let exitReason: string | null = null;
  let spawnError: TraciError | null = null;
  const exited = new Promise<void>((resolve) => {
    child.once('error', (error: NodeJS.ErrnoException) => {
      spawnError =
        error.code === 'ENOENT'
          ? new TraciError(
              'TRACI_SUMO_NOT_FOUND',
              `'${binary}' was not found; ${SUMO_INSTALL_HINT}`,
              {
                cause: error,
              },
            )
          : new TraciError('TRACI_SUMO_EXITED', `could not start '${binary}': ${error.message}`, {
              cause: error,
            });
      exitReason = spawnError.message;
      resolve();
    });
    child.once('exit', (code, signal) => {
      const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
      const tail = stderrTail.trim();
      exitReason = `SUMO (pid ${child.pid}) ${how}${tail ? `: ${tail}` : ''}`;
      resolve();
    });
  });

  let connection: Awaited<ReturnType<typeof openConnection>>;
  try {
    connection = await openConnection({
      port,
      host: '127.0.0.1',
      connectTimeoutMs: options.connectTimeoutMs,
      callTimeoutMs: options.callTimeoutMs,
      giveUp: () => exitReason,
      // the socket usually drops a moment before the exit is reported: wait for it, bounded
      explainLoss: async () => {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          exited,
          new Promise((r) => {
            timer = setTimeout(r, EXPLAIN_WAIT_MS);
          }),
        ]);
        clearTimeout(timer);
        return exitReason;
      },
    });
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    throw spawnError ?? error;
  }
  // Once SUMO has exited, calls fail with its exit status rather than a bare socket error.
  void exited.then(() => {
    connection.fail(new TraciError('TRACI_SUMO_EXITED', exitReason ?? 'SUMO exited'));
  });

  const waitForExit = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_WAIT_MS);
    await exited;
    clearTimeout(timer);
  };
  const client = await clientOver(
    connection,
    options.apiVersions ?? SUPPORTED_API_VERSIONS,
    waitForExit,
  );
  return { client, process: child, port, args, close: () => client.close() };
}
