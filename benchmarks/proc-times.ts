/**
 * CPU time and run-queue wait of any process on this machine, from Linux /proc (undefined
 * elsewhere). On a shared machine a process can be idle in its own eyes yet waiting for a core:
 * the wait says whether a slow pipeline lacked CPU or was blocked on something else.
 */
import { readFileSync } from 'node:fs';

export interface ProcTimes {
  /** user + system CPU, ms */
  cpuMs: number;
  /** time runnable but waiting for a core, ms (schedstat) */
  runQueueWaitMs: number;
}

const TICK_MS = 10; // USER_HZ is 100 on Linux

export function procTimes(pid: number | undefined): ProcTimes | undefined {
  if (pid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the command name (which may hold spaces): utime is the 14th field overall
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuMs = (Number(f[11]) + Number(f[12])) * TICK_MS;
    const sched = readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ');
    return { cpuMs, runQueueWaitMs: Number(sched[1]) / 1e6 };
  } catch {
    return undefined;
  }
}

/** Between two readings over `wallS` seconds: % of one core used, and % of wall time waiting. */
export function procShare(a: ProcTimes | undefined, b: ProcTimes | undefined, wallS: number) {
  if (!a || !b) return undefined;
  const pct = (ms: number) => Number(((ms / 1000 / wallS) * 100).toFixed(1));
  return {
    cpuPercentOfOneCore: pct(b.cpuMs - a.cpuMs),
    runQueueWaitPercent: pct(b.runQueueWaitMs - a.runQueueWaitMs),
  };
}
