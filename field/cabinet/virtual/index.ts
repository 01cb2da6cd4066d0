/**
 * `virtual`: a cabinet that shows exactly what the monitor permits — for demos, bench rigs and
 * tests. It can be switched off and on (`power`) to rehearse a cabinet that goes away.
 */
import type { IntersectionConfig } from '../../../protocol/index.ts';
import type {
  CabinetAdapter,
  CabinetAdapterFactory,
  CabinetOptions,
  CabinetState,
  Lamp,
  Permit,
} from '../types.ts';

/** The virtual cabinet itself: its heads, and a power switch. */
export interface VirtualCabinet {
  lamps(): Record<string, Lamp>;
  /** off: it answers nothing and forgets what it showed (dark heads, until a permit comes) */
  power(on: boolean): void;
  show(permit: Permit): void;
  readonly on: boolean;
}

export function createVirtualCabinet(config: IntersectionConfig): VirtualCabinet {
  let on = true;
  let heads: Record<string, Lamp> = Object.fromEntries(
    config.phases.map((p, i) => [p.id, i === 0 ? 'green' : 'red'] as const),
  );
  return {
    lamps: () => ({ ...heads }),
    power(value) {
      on = value;
    },
    get on() {
      return on;
    },
    show(permit) {
      heads = Object.fromEntries(config.phases.map((p) => [p.id, 'red'] as const));
      if (permit.interval !== 'red-clearance' && heads[permit.phase] !== undefined)
        heads[permit.phase] = permit.interval === 'green' ? 'green' : 'yellow';
    },
  };
}

/** An adapter for a virtual cabinet (its own, unless one is given to share with a test). */
export function createVirtualAdapter(
  config: IntersectionConfig,
  cabinet: VirtualCabinet = createVirtualCabinet(config),
  now: () => number = Date.now,
): CabinetAdapter & { cabinet: VirtualCabinet } {
  let closed = false;
  return {
    kind: 'virtual',
    cabinet,
    async start() {},
    async apply(permit) {
      if (closed || !cabinet.on) return false;
      cabinet.show(permit);
      return true;
    },
    async read(): Promise<CabinetState | undefined> {
      if (closed || !cabinet.on) return undefined;
      return { atMs: now(), phases: cabinet.lamps() };
    },
    async close() {
      closed = true;
    },
  };
}

export const virtualCabinet: CabinetAdapterFactory = {
  name: 'virtual',
  summary: 'a cabinet that shows exactly what the safety monitor permits (demos, rigs, tests)',
  create: (config: IntersectionConfig, _options: CabinetOptions) => createVirtualAdapter(config),
};
