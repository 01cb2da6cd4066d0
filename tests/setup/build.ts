/** Vitest global setup: tests that run the compiled `openphase` need an up-to-date dist/. */
import { ensureBuilt } from '../helpers/openphase.ts';

export default function setup(): void {
  ensureBuilt();
}
