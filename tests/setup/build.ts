/** Vitest global setup: tests that run the compiled `openphase` need an up-to-date dist/. */
import { ensureBuilt } from '../../rigs/openphase.ts';

export default function setup(): void {
  ensureBuilt();
}
