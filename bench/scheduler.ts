/**
 * Which run goes when (shell around a pure order): runs that may go anywhere go to a pool of
 * `poolSize` lanes, longest first (the last runs to finish are then short ones). CPU-bound runs
 * (a built-in computes every tick) take at most `cpuLanes` of them — more would only share the
 * cores — and go first while one is free, beside runs that mostly wait (a vendor run waits on
 * a lockstep round trip every tick), which fill the other lanes; runs that
 * must stay in order — a vendor program the user started serves every run of a bench, and
 * must see simulated time only move forward (plan.ts) — go one after the other, in plan
 * order, on the main lane, beside the pool. Results come back in plan order, whatever order
 * the runs finished in, so the scorecard does not depend on the schedule.
 */

export interface Job {
  /** relative cost (only the order matters): the pool starts the costliest first */
  cost: number;
  lane: 'pool' | 'main';
  /** 'cpu': computes all the time (default); 'round-trip': mostly waits on another process */
  bound?: 'cpu' | 'round-trip';
}

export interface ScheduleOptions<T> {
  poolSize: number;
  /** CPU-bound pool jobs at once at most (default poolSize) */
  cpuLanes?: number;
  /** job `i` on a pool lane (at most poolSize at once) */
  runPool(i: number): Promise<T>;
  /** job `i` on the main lane (one at a time, in plan order) */
  runMain(i: number): Promise<T>;
  /** a run finished; `running`: how many are still under way */
  onDone?(i: number, out: T, running: number): void;
}

/** Pool jobs, costliest first; ties in plan order. */
export function poolOrder(jobs: readonly Job[]): number[] {
  return jobs
    .map((j, i) => ({ j, i }))
    .filter(({ j }) => j.lane === 'pool')
    .sort((a, b) => b.j.cost - a.j.cost || a.i - b.i)
    .map(({ i }) => i);
}

/** Runs every job; rejects with the first failure (no new run starts after it). */
export function runJobs<T>(jobs: readonly Job[], o: ScheduleOptions<T>): Promise<T[]> {
  if (jobs.some((j) => j.lane === 'pool') && !(o.poolSize >= 1))
    throw new Error('a pool of at least one lane is needed');
  return new Promise<T[]>((resolve, reject) => {
    const results: T[] = new Array(jobs.length);
    const pool = poolOrder(jobs);
    const main = jobs.flatMap((j, i) => (j.lane === 'main' ? [i] : []));
    let remaining = jobs.length;
    let inPool = 0;
    let cpuInPool = 0;
    const cpuLanes = Math.max(1, Math.min(o.poolSize, o.cpuLanes ?? o.poolSize));
    const isCpu = (i: number) => (jobs[i]!.bound ?? 'cpu') === 'cpu';
    let running = 0;
    let failed = false;
    const fail = (e: unknown) => {
      if (failed) return;
      failed = true;
      reject(e);
    };
    const finish = (i: number, out: T) => {
      results[i] = out;
      remaining--;
      running--;
      o.onDone?.(i, out, running);
      if (remaining === 0) resolve(results);
    };
    const nextPool = () => {
      while (!failed && inPool < o.poolSize) {
        // a CPU-bound run first while a CPU lane is free: it uses the cores the waiting runs
        // leave idle; then the costliest waiting one
        let k = cpuInPool < cpuLanes ? pool.findIndex(isCpu) : -1;
        if (k < 0) k = pool.findIndex((i) => !isCpu(i));
        if (k < 0) break;
        const i = pool.splice(k, 1)[0]!;
        const cpu = isCpu(i);
        inPool++;
        if (cpu) cpuInPool++;
        running++;
        o.runPool(i).then((out) => {
          inPool--;
          if (cpu) cpuInPool--;
          if (failed) return;
          finish(i, out);
          nextPool();
        }, fail);
      }
    };
    const nextMain = () => {
      if (failed || main.length === 0) return;
      const i = main.shift()!;
      running++;
      o.runMain(i).then((out) => {
        if (failed) return;
        finish(i, out);
        nextMain();
      }, fail);
    };
    if (remaining === 0) resolve(results);
    nextPool();
    nextMain();
  });
}
