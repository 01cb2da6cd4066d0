/**
 * Vendor controller processes and the bench's MQTT side (shells).
 *
 * `--spawn "cmd …"` starts the vendor's program afresh for every run, so no state survives
 * from one run to the next; it gets its broker address and credential in the environment
 * variables every OpenPhase program reads (OPENPHASE_MQTT_URL, _USERNAME, _PASSWORD,
 * OPENPHASE_ROOT), never on its command line where `ps` would show the password.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, type WriteStream, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { addDevice, createBroker, createRegistry, generateSecret } from '../broker/index.ts';
import { groupWatch } from './process-group.ts';

export interface VendorCredential {
  username: string;
  password: string;
}

export interface VendorProcess {
  start(): void;
  /** how it ended (`code 1`, `signal SIGSEGV`) once it has, before close(); else undefined */
  exited(): string | undefined;
  /** `listener` hears how it ended if it ends by itself (not through close()) */
  onExit(listener: (how: string) => void): void;
  /** SIGTERM to its process group, SIGKILL after `graceMs`; resolves when it is gone. Safe twice. */
  close(graceMs?: number): Promise<void>;
}

/**
 * @example const p = createVendorProcess('node examples/external-controller/index.mjs', env, 'out/logs/acme.log'); p.start(); … await p.close();
 */
export function createVendorProcess(
  command: string,
  env: Record<string, string>,
  logFile?: string,
): VendorProcess {
  let child: ChildProcess | undefined;
  let log: WriteStream | undefined;
  let closing: Promise<void> | undefined;
  let ended: string | undefined;
  const listeners: ((how: string) => void)[] = [];
  const end = (how: string) => {
    ended ??= how;
    if (!closing) for (const l of listeners.splice(0)) l(how);
  };
  return {
    exited: () => (closing ? undefined : ended),
    onExit(listener) {
      if (ended !== undefined && !closing) listener(ended);
      else listeners.push(listener);
    },
    start() {
      if (child) return;
      if (logFile) {
        mkdirSync(dirname(logFile), { recursive: true });
        log = createWriteStream(logFile, { flags: 'a' });
        log.on('error', () => {}); // a log that cannot be written never stops the bench
      }
      // Never the caller's own MQTT credential (an admin one, given by environment variable):
      // the program gets the credential meant for it, or none.
      const {
        OPENPHASE_MQTT_USERNAME: _u,
        OPENPHASE_MQTT_PASSWORD: _p,
        ...inherited
      } = process.env;
      // its own process group, so a shell wrapper and its children stop together
      child = spawn('/bin/sh', ['-c', command], {
        env: { ...inherited, ...env },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout?.on('data', (b) => log?.write(b));
      child.stderr?.on('data', (b) => log?.write(b));
      child.on('error', (e) => {
        log?.write(`bench: cannot start '${command}': ${e.message}\n`);
        end(`cannot start: ${e.message}`);
      });
      child.on('exit', (code, signal) => end(code !== null ? `code ${code}` : `signal ${signal}`));
    },
    close(graceMs = 3000) {
      closing ??= (async () => {
        const c = child;
        if (c?.pid !== undefined) {
          // The whole process group, not only the shell: `sh -c "node x"` dies at once on
          // SIGTERM while the program it started is still saying goodbye on the broker. Closing
          // the broker under it then would leave it retrying forever, holding our pipes open.
          const pgid = c.pid;
          const signal = (s: NodeJS.Signals) => {
            try {
              process.kill(-pgid, s);
            } catch {
              // already gone
            }
          };
          const alive = groupWatch(pgid);
          signal('SIGTERM');
          const end = Date.now() + graceMs;
          while (alive() && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
          if (alive()) {
            signal('SIGKILL');
            // bounded: a killed process the init system has not reaped yet still counts
            const killEnd = Date.now() + 2000;
            while (alive() && Date.now() < killEnd) await new Promise((r) => setTimeout(r, 25));
          }
          // a process that left the group cannot keep the bench alive through our pipes
          c.stdout?.destroy();
          c.stderr?.destroy();
        }
        await new Promise<void>((resolve) => (log ? log.end(() => resolve()) : resolve()));
      })();
      return closing;
    },
  };
}

export const BENCH_DEVICE = 'openphase-bench';

/**
 * The bench's own broker: aedes on 127.0.0.1 on a free port, one admin credential for the
 * simulator and a controller credential per vendor (every intersection), passwords drawn
 * fresh for this bench. No rate limit: in lockstep a controller answers as fast as it can.
 */
export async function startBenchBroker(vendorIds: readonly string[]) {
  const credentials = new Map<string, VendorCredential>();
  const sim = { username: BENCH_DEVICE, password: generateSecret() };
  const janitor = { username: `${BENCH_DEVICE}-janitor`, password: generateSecret() };
  // 10 000 PBKDF2 iterations: the broker dies with the bench, the passwords are random.
  let reg = addDevice(
    createRegistry(),
    { id: sim.username, role: 'admin', intersections: '*', password: sim.password },
    { iterations: 10_000 },
  );
  reg = addDevice(
    reg,
    { id: janitor.username, role: 'admin', intersections: '*', password: janitor.password },
    { iterations: 10_000 },
  );
  for (const id of vendorIds) {
    const password = generateSecret();
    reg = addDevice(
      reg,
      { id, role: 'controller', intersections: '*', password },
      { iterations: 10_000 },
    );
    credentials.set(id, { username: id, password });
  }
  const broker = createBroker({
    host: '127.0.0.1',
    port: 0,
    devices: reg,
    rateLimit: false,
    // in lockstep the acknowledgements of a tick's decisions and the next tick leave together
    writeTurns: 3,
    log: () => {},
  });
  const { url } = await broker.start();
  return {
    url,
    sim,
    /** a second admin credential: the client id must equal the device id */
    janitor,
    credentials,
    /** true while a client with this device id is connected */
    connected: (id: string) =>
      Boolean((broker.aedes as unknown as { clients: Record<string, unknown> }).clients[id]),
    broker,
  };
}

/** Writes a vendor's credential as an env file only the user can read; returns its path. */
export function writeCredentialFile(
  dir: string,
  url: string,
  root: string,
  c: VendorCredential,
): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${c.username}.env`);
  const text = `OPENPHASE_MQTT_URL=${url}\nOPENPHASE_MQTT_USERNAME=${c.username}\nOPENPHASE_MQTT_PASSWORD=${c.password}\nOPENPHASE_ROOT=${root}\n`;
  writeFileSync(file, text, { mode: 0o600 });
  return file;
}
