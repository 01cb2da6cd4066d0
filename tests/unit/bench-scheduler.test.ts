/**
 * The bench's scheduler: pool runs costliest first and never more than the pool at once, main
 * lane runs one at a time in plan order beside the pool, results in plan order whatever order
 * the runs finished in, and the first failure ends the bench with no new run started.
 */
import { describe, expect, it } from 'vitest';
import { cpuLanes, defaultParallel } from '../../bench/runner.ts';
import { type Job, poolOrder, runJobs } from '../../bench/scheduler.ts';

const tick = () => new Promise((r) => setTimeout(r, 1));

describe('bench scheduler', () => {
  it('orders pool runs by cost, longest first, ties in plan order', () => {
    const jobs: Job[] = [
      { cost: 1, lane: 'pool' },
      { cost: 100, lane: 'pool' },
      { cost: 5, lane: 'main' },
      { cost: 1, lane: 'pool' },
      { cost: 100, lane: 'pool' },
    ];
    expect(poolOrder(jobs)).toEqual([1, 4, 0, 3]);
  });

  it('keeps the pool size and the main lane order, and returns results in plan order', async () => {
    const jobs: Job[] = Array.from({ length: 12 }, (_, i) => ({
      cost: i % 4,
      lane: i % 3 === 0 ? 'main' : 'pool',
    }));
    let inPool = 0;
    let maxInPool = 0;
    let inMain = 0;
    const mainOrder: number[] = [];
    const finished: number[] = [];
    const out = await runJobs(jobs, {
      poolSize: 3,
      async runPool(i) {
        inPool++;
        maxInPool = Math.max(maxInPool, inPool);
        for (let k = 0; k < (i % 5) + 1; k++) await tick();
        inPool--;
        return `run ${i}`;
      },
      async runMain(i) {
        expect(inMain).toBe(0);
        inMain++;
        mainOrder.push(i);
        await tick();
        inMain--;
        return `run ${i}`;
      },
      onDone: (i, _out, running) => {
        finished.push(i);
        expect(running).toBeLessThanOrEqual(3);
      },
    });
    expect(out).toEqual(jobs.map((_, i) => `run ${i}`));
    expect(maxInPool).toBe(3);
    expect(mainOrder).toEqual([0, 3, 6, 9]);
    expect([...finished].sort((a, b) => a - b)).toEqual(jobs.map((_, i) => i));
    expect(finished).not.toEqual(jobs.map((_, i) => i)); // they did finish out of order
  });

  it('runs CPU-bound jobs on at most cpuLanes lanes, first while one is free', async () => {
    // costs make the waiting ones the longest: they would all go first by cost alone
    const jobs: Job[] = Array.from({ length: 10 }, (_, i) => ({
      cost: i < 4 ? 100 : 1,
      lane: 'pool',
      bound: i < 4 ? 'round-trip' : 'cpu',
    }));
    let cpu = 0;
    let maxCpu = 0;
    let all = 0;
    let maxAll = 0;
    const started: number[] = [];
    await runJobs(jobs, {
      poolSize: 4,
      cpuLanes: 2,
      async runPool(i) {
        started.push(i);
        all++;
        maxAll = Math.max(maxAll, all);
        if (jobs[i]!.bound === 'cpu') cpu++;
        maxCpu = Math.max(maxCpu, cpu);
        for (let k = 0; k < (jobs[i]!.bound === 'cpu' ? 1 : 8); k++) await tick();
        if (jobs[i]!.bound === 'cpu') cpu--;
        all--;
        return i;
      },
      runMain: async (i) => i,
    });
    expect(maxCpu).toBe(2);
    expect(maxAll).toBe(4);
    // two CPU-bound first, then the two costliest waiting ones beside them
    expect(started.slice(0, 4)).toEqual([4, 5, 0, 1]);
  });

  it('rejects with the first failure and starts nothing after it', async () => {
    const started: number[] = [];
    const jobs: Job[] = Array.from({ length: 6 }, () => ({ cost: 1, lane: 'pool' }));
    await expect(
      runJobs(jobs, {
        poolSize: 2,
        async runPool(i) {
          started.push(i);
          await tick();
          if (i === 1) throw new Error('vendor did not connect');
          return i;
        },
        runMain: async (i) => i,
      }),
    ).rejects.toThrow('vendor did not connect');
    await tick();
    await tick();
    expect(started.length).toBeLessThan(6);
  });
});

describe('default parallelism', () => {
  it('is the cores (at least 2), whatever the load', () => {
    expect(defaultParallel(2)).toBe(2);
    expect(defaultParallel(8)).toBe(8);
    expect(defaultParallel(1)).toBe(2);
  });

  it('gives built-in runs no more lanes than the cores, and leaves one to vendor runs', () => {
    expect(cpuLanes(4, true, 2)).toBe(2);
    expect(cpuLanes(2, true, 2)).toBe(1);
    expect(cpuLanes(2, false, 2)).toBe(2);
    expect(cpuLanes(6, false, 2)).toBe(2);
    expect(cpuLanes(1, true, 2)).toBe(1);
  });
});
