/**
 * Issue 17.10: the demo (real time, over MQTT) must show no safety override in its first
 * simulated minutes, as the same scenario in-process does: the controller asks for every change
 * before max green, so the monitor never has to step in. Run fast (speed 10). Before the fix
 * the runner applied each decision one tick after the tick it answered, and three intersections
 * maxed out at simulated 00:01:00.
 */
import { afterAll, expect, it } from 'vitest';
import { type DemoProcess, startDemo } from '../../rigs/demo-process.ts';

let demo: DemoProcess | undefined;

afterAll(async () => {
  if (demo) expect(await demo.stop('SIGINT')).toBe(0);
});

interface Health {
  latestMs?: number;
  counters: { overrides: number; overridesByKind: Record<string, number> };
}

it('no safety override in the first four simulated minutes', async () => {
  demo = await startDemo(['--speed', '10'], {}, 90_000);
  const health = async () =>
    (await (await fetch(new URL('/api/health', demo!.url))).json()) as Health;
  const first = await (async () => {
    for (;;) {
      const h = await health();
      if (h.latestMs !== undefined) return h.latestMs;
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  let h = await health();
  while ((h.latestMs ?? 0) - first < 4 * 60_000) {
    await new Promise((r) => setTimeout(r, 500));
    h = await health();
  }
  expect(h.counters.overridesByKind).toEqual({});
  expect(h.counters.overrides).toBe(0);
}, 240_000);
