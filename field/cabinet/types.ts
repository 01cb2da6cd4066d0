/**
 * The cabinet adapter: what stands between the signal gateway and a real signal controller.
 * One small interface; every implementation is a folder under field/cabinet/ and one line in
 * registry.ts, and passes the one contract suite (tests/contracts/cabinet.contract.ts).
 *
 * The gateway tells the adapter what the safety monitor permits (`apply`) and asks what the
 * heads actually show (`read`). An adapter steers; it never invents: `read` returns only what
 * the cabinet reported, and `undefined` when the cabinet cannot be reached.
 */
import type { IntersectionConfig, Interval } from '../../protocol/index.ts';

/** A lamp colour as the cabinet reports it for one phase. */
export type Lamp = 'green' | 'yellow' | 'red';

/** What the safety monitor permits at `atMs`. */
export interface Permit {
  atMs: number;
  /** the phase timing (during yellow and red clearance: the phase ending) */
  phase: string;
  interval: Interval;
  /** during a clearance, the phase that follows */
  next?: string;
}

/** What the cabinet showed when it was asked, by config phase id. */
export interface CabinetState {
  /** when the cabinet answered (the gateway's clock) */
  atMs: number;
  phases: Record<string, Lamp>;
}

export interface CabinetAdapter {
  /** the registered adapter name, e.g. `ntcip1202` */
  readonly kind: string;
  /** connects (or opens its socket); never throws because the cabinet is away */
  start(): Promise<void>;
  /** steers the cabinet toward the permit; false when the cabinet did not take it */
  apply(permit: Permit): Promise<boolean>;
  /** what the heads show now; undefined when the cabinet did not answer */
  read(): Promise<CabinetState | undefined>;
  /** releases sockets; safe twice */
  close(): Promise<void>;
}

/** Options every adapter gets: its target and secrets (from a file or the environment). */
export interface CabinetOptions {
  /** the adapter's address, e.g. `127.0.0.1:16100` (adapter-specific) */
  target?: string;
  /** the adapter's credentials, as read from the credentials file or environment */
  credentials?: Record<string, string>;
  /** how long to wait for the cabinet per request, ms */
  timeoutMs?: number;
  log?: (line: string) => void;
}

/** A registered adapter: one folder, one line in registry.ts. */
export interface CabinetAdapterFactory {
  name: string;
  /** one sentence for --help and the docs */
  summary: string;
  create(config: IntersectionConfig, options: CabinetOptions): CabinetAdapter;
}

/** The phase the cabinet should be heading for: the green now, or the one after the clearance. */
export const targetPhase = (p: Permit): string =>
  p.interval === 'green' ? p.phase : (p.next ?? p.phase);
