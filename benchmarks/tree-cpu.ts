/**
 * CPU time of a process and of every process carrying a marker in its environment, read from
 * Linux /proc every 100 ms while they run. For programs no rusage counts: a process orphaned by
 * its wrapper shell is reaped by init, not by whoever started it. Each process's CPU is its
 * last reading, so the last < 100 ms of a process is missed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { procTimes } from './proc-times.ts';

const EVERY_MS = 100;

/**
 * The processes carrying `marker`, reading the environment of new ones only: a process's
 * environment is fixed once it runs, so each is read once (every 100 ms over every process of a
 * busy machine would itself take a share of the two cores being measured). An empty one (a
 * kernel thread, a process in the middle of exec) is read again.
 */
function markedFinder(marker: string): () => number[] {
  const seen = new Map<string, boolean>();
  return () => {
    const now = new Set(readdirSync('/proc').filter((e) => /^\d+$/.test(e)));
    for (const pid of seen.keys()) if (!now.has(pid)) seen.delete(pid); // gone (its pid may return)
    for (const e of now) {
      if (seen.has(e)) continue;
      try {
        const env = readFileSync(`/proc/${e}/environ`, 'latin1');
        // empty: a kernel thread, or a process in the middle of exec: read again next time
        if (env.length > 0) seen.set(e, env.includes(marker));
      } catch {
        // gone meanwhile, or not ours to read
      }
    }
    return [...seen].filter(([, m]) => m).map(([pid]) => Number(pid));
  };
}

/**
 * @example const m = treeCpu('RUN=42', child.pid); … const { rootMs, othersMs } = m.stop();
 */
export function treeCpu(marker: string, rootPid: number) {
  const last = new Map<number, number>();
  const marked = markedFinder(marker);
  const sample = () => {
    for (const pid of new Set([rootPid, ...marked()])) {
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
