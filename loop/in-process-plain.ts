/**
 * The plain in-process transport: every counts message and every signal goes to the controller
 * of its intersection, and every controller is asked every tick. The reference that the fast
 * in-process transport (in-process.ts: skips what cannot change a decision) must match, tick
 * for tick (tests/unit/controller-fast-paths.test.ts).
 */
import type { IntersectionController } from '../controller/intersection-controller.ts';
import type { SignalSource } from './in-process.ts';
import type { ControllerTransport } from './transport.ts';

/** @example createPlainTransport(sim, sim.configs().map((c) => createIntersectionController(c, 'actuated'))) */
export function createPlainTransport(
  sim: SignalSource,
  controllers: readonly IntersectionController[],
): ControllerTransport {
  const ids = sim.configs().map((c) => c.id);
  if (controllers.length !== ids.length)
    throw new Error(`${controllers.length} controllers for ${ids.length} intersections`);
  const index = new Map(ids.map((id, i) => [id, i]));
  let closed = false;
  return {
    readsCounts: true,
    offer(_atMs, out) {
      if (!out) {
        ids.forEach((id, i) => {
          controllers[i]!.onSignal(sim.signal(id));
        });
        return;
      }
      for (const c of out.counts) controllers[index.get(c.intersection)!]!.onCounts(c.message);
      out.signals.forEach((s, i) => {
        controllers[i]!.onSignal(s.signal);
      });
    },
    answers: () => undefined,
    take(atMs, _strict, into) {
      controllers.forEach((c, i) => {
        into.set(ids[i]!, { phase: c.decide(atMs), controller: c.controllerId });
      });
    },
    latency: () => undefined,
    close() {
      if (closed) return;
      closed = true;
      for (const c of controllers) c.close();
    },
  };
}
