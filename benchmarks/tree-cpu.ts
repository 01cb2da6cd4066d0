/**
 * CPU time of a process and of every process carrying a marker in its environment, read from
 * Linux /proc every 100 ms while they run. For programs no rusage counts: a process orphaned by
 * its wrapper shell is reaped by init, not by whoever started it. Each process's CPU is its
 * last reading, so the last < 100 ms of a process is missed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { procTimes } from './proc-times.ts';

const EVERY_MS = 100;

function marked(marker: string): number[] {
  const pids: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      if (readFileSync(`/proc/${e}/environ`, 'latin1').includes(marker)) pids.push(Number(e));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return pids;
}

/**
 * @example const m = treeCpu('RUN=42', child.pid); … const { rootMs, othersMs } = m.stop();
 */
export function treeCpu(marker: string, rootPid: number) {
  const last = new Map<number, number>();
  const sample = () => {
    for (const pid of new Set([rootPid, ...marked(marker)])) {
      const ms = procTimes(pid)?.cpuMs;
      if (ms !== undefined) last.set(pid, ms);
    }
  };
  sample();
  const timer = setInterval(sample, EVERY_MS);
  return {
    /** stops sampling: CPU ms of the root process, and of the others with how many there were */
    stop() {
      clearInterval(timer);
      const rootMs = last.get(rootPid) ?? 0;
      let othersMs = 0;
      for (const [pid, ms] of last) if (pid !== rootPid) othersMs += ms;
      return { rootMs, othersMs, others: last.size - (last.has(rootPid) ? 1 : 0) };
    },
  };
}
