/**
 * Whether a vendor program's process group still runs, while the bench waits for it to stop
 * (shell: Linux /proc). A process that has exited but waits for its reaper (a zombie: the
 * wrapper shell died first, so init must reap it, which can take a second) does not count.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The group and state of process `pid` (from /proc/PID/stat), or undefined when it is gone. */
function statOf(pid: number | string): { pgrp: number; zombie: boolean } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // after "(comm)": state ppid pgrp …
  const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pgrp: Number(pgrp), zombie: state === 'Z' };
}

/** Process `pid` runs in group `pgid` (not a zombie). */
function runsIn(pid: number | string, pgid: number): boolean {
  const s = statOf(pid);
  return s !== undefined && s.pgrp === pgid && !s.zombie;
}

/** The running members of group `pgid`, read from all of /proc; undefined if /proc cannot be read. */
function runningMembers(pgid: number): number[] | undefined {
  try {
    const members: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (/^\d+$/.test(entry) && runsIn(entry, pgid)) members.push(Number(entry));
    }
    return members;
  } catch {
    return undefined;
  }
}

/**
 * A check of group `pgid`, called every few milliseconds while its program says goodbye: true
 * while any member runs. The first call reads every process of the machine; later calls read
 * only the members it found, and all of /proc again only once those are gone while the group
 * still exists (a zombie, or a process forked meanwhile) — a poll costs one small read instead
 * of one per process on the machine.
 * @example const alive = groupWatch(child.pid); while (alive()) await sleep(25);
 */
export function groupWatch(pgid: number): () => boolean {
  let members: number[] = [];
  return () => {
    try {
      process.kill(-pgid, 0);
    } catch {
      return false;
    }
    if (process.platform !== 'linux') return true;
    members = members.filter((pid) => runsIn(pid, pgid));
    if (members.length > 0) return true;
    const found = runningMembers(pgid);
    if (found === undefined) return true;
    members = found;
    return members.length > 0;
  };
}
