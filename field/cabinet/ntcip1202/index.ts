/**
 * `ntcip1202`: a standard actuated controller over SNMP (NTCIP 1202 v03 phase control and
 * status). It steers toward the monitor's permit inside the controller's own timing, the way
 * central systems do: Omit every phase but the target, Hold the target, ForceOff the others,
 * VehCall the target — refreshed every tick, since a controller drops control bits after its
 * backup time. It reads phaseStatusGroupGreens/Yellows/Reds back: what the heads show.
 *
 * Config phase k (in service order) is NTCIP phase k + 1. Credentials: `community` (SNMPv2c),
 * or `user` with `authProtocol`/`authKey` and optionally `privProtocol`/`privKey` (SNMPv3);
 * from a file or the environment, never the command line.
 */
import snmp from 'net-snmp';
import type { IntersectionConfig } from '../../../protocol/index.ts';
import {
  CONTROL_COLUMNS,
  CONTROL_ENTRY,
  fromGroups,
  groupsFor,
  STATUS_COLUMNS,
  STATUS_ENTRY,
  toGroups,
} from '../../ntcip-oids.ts';
import {
  type CabinetAdapter,
  type CabinetAdapterFactory,
  type CabinetOptions,
  type CabinetState,
  type Lamp,
  targetPhase,
} from '../types.ts';

export const DEFAULT_SNMP_PORT = 161;

type Varbind = { oid: string; type: number; value: unknown };
type Session = {
  get(oids: string[], cb: (e: Error | null, vbs: Varbind[]) => void): void;
  set(vbs: Varbind[], cb: (e: Error | null, vbs: Varbind[]) => void): void;
  close(): void;
  on(event: 'error', cb: (e: Error) => void): void;
};

/** `host:port` (port default 161). */
export function parseTarget(target: string | undefined): { host: string; port: number } {
  if (!target) throw new Error('ntcip1202: a target host:port is required');
  const m = /^\[?([^\]]+?)\]?(?::(\d{1,5}))?$/.exec(target);
  if (!m) throw new Error(`ntcip1202: target '${target}' is not host:port`);
  const port = m[2] ? Number(m[2]) : DEFAULT_SNMP_PORT;
  if (port < 1 || port > 65535) throw new Error(`ntcip1202: port ${port} out of range`);
  return { host: m[1]!, port };
}

const AUTH: Record<string, number> = {
  md5: snmp.AuthProtocols.md5,
  sha: snmp.AuthProtocols.sha,
  sha256: snmp.AuthProtocols.sha256,
  sha512: snmp.AuthProtocols.sha512,
};
const PRIV: Record<string, number> = {
  des: snmp.PrivProtocols.des,
  aes: snmp.PrivProtocols.aes,
  aes256b: snmp.PrivProtocols.aes256b,
  aes256r: snmp.PrivProtocols.aes256r,
};

function openSession(
  host: string,
  port: number,
  credentials: Record<string, string>,
  timeoutMs: number,
): Session {
  const common = { port, retries: 0, timeout: timeoutMs, transport: 'udp4' };
  if (credentials.user) {
    const auth = credentials.authProtocol
      ? AUTH[credentials.authProtocol.toLowerCase()]
      : undefined;
    const priv = credentials.privProtocol
      ? PRIV[credentials.privProtocol.toLowerCase()]
      : undefined;
    if (credentials.authProtocol && auth === undefined)
      throw new Error(`ntcip1202: unknown authProtocol '${credentials.authProtocol}'`);
    if (credentials.privProtocol && priv === undefined)
      throw new Error(`ntcip1202: unknown privProtocol '${credentials.privProtocol}'`);
    const level =
      priv !== undefined
        ? snmp.SecurityLevel.authPriv
        : auth !== undefined
          ? snmp.SecurityLevel.authNoPriv
          : snmp.SecurityLevel.noAuthNoPriv;
    const user = {
      name: credentials.user,
      level,
      ...(auth !== undefined ? { authProtocol: auth, authKey: credentials.authKey ?? '' } : {}),
      ...(priv !== undefined ? { privProtocol: priv, privKey: credentials.privKey ?? '' } : {}),
    };
    return snmp.createV3Session(
      host,
      user as never,
      { ...common, version: snmp.Version3 } as never,
    ) as unknown as Session;
  }
  if (!credentials.community)
    throw new Error(
      'ntcip1202: no SNMP community or v3 user (give a credentials file or environment variable)',
    );
  return snmp.createSession(host, credentials.community, {
    ...common,
    version: snmp.Version2c,
  } as never) as unknown as Session;
}

const call = <T>(fn: (cb: (e: Error | null, v: T) => void) => void): Promise<T | undefined> =>
  new Promise((resolve) => {
    try {
      fn((e, v) => resolve(e ? undefined : v));
    } catch {
      resolve(undefined);
    }
  });

export function createNtcipAdapter(
  config: IntersectionConfig,
  options: CabinetOptions,
  now: () => number = Date.now,
): CabinetAdapter {
  const { host, port } = parseTarget(options.target);
  const credentials = options.credentials ?? {};
  const timeoutMs = options.timeoutMs ?? 500;
  const log = options.log ?? ((line: string) => console.error(line));
  if (config.phases.length > 16) throw new Error('ntcip1202: at most 16 phases');
  const groups = groupsFor(config.phases.length);
  const all = (1 << config.phases.length) - 1;
  const index = new Map(config.phases.map((p, i) => [p.id, i]));
  const oid = (entry: string, column: number, group: number) => `${entry}.${column}.${group}`;
  const statusOids: string[] = [];
  for (let g = 1; g <= groups; g++)
    statusOids.push(
      oid(STATUS_ENTRY, STATUS_COLUMNS.phaseStatusGroupGreens, g),
      oid(STATUS_ENTRY, STATUS_COLUMNS.phaseStatusGroupYellows, g),
      oid(STATUS_ENTRY, STATUS_COLUMNS.phaseStatusGroupReds, g),
    );
  let session: Session | undefined;
  let closed = false;

  const ensure = (): Session => {
    if (!session) {
      session = openSession(host, port, credentials, timeoutMs);
      // A socket error (e.g. ICMP port unreachable) must never end the gateway.
      session.on('error', (e) => log(`ntcip1202 ${host}:${port}: ${e.message}`));
    }
    return session;
  };

  return {
    kind: 'ntcip1202',
    async start() {
      ensure();
    },

    async apply(permit) {
      if (closed) return false;
      const k = index.get(targetPhase(permit));
      if (k === undefined) return false;
      const me = 1 << k;
      const masks: [number, number][] = [
        [CONTROL_COLUMNS.phaseControlGroupPhaseOmit, all & ~me],
        [CONTROL_COLUMNS.phaseControlGroupForceOff, all & ~me],
        [CONTROL_COLUMNS.phaseControlGroupHold, me],
        [CONTROL_COLUMNS.phaseControlGroupVehCall, me],
      ];
      const varbinds: Varbind[] = [];
      for (const [column, mask] of masks)
        for (const [g, byte] of toGroups(mask, groups).entries())
          varbinds.push({
            oid: oid(CONTROL_ENTRY, column, g + 1),
            type: snmp.ObjectType.Integer,
            value: byte,
          });
      const s = ensure();
      const out = await call<Varbind[]>((cb) => s.set(varbinds, cb));
      return out !== undefined && !out.some((v) => snmp.isVarbindError(v as never));
    },

    async read(): Promise<CabinetState | undefined> {
      if (closed) return undefined;
      const s = ensure();
      const vbs = await call<Varbind[]>((cb) => s.get(statusOids, cb));
      if (
        !vbs ||
        vbs.length !== statusOids.length ||
        vbs.some((v) => snmp.isVarbindError(v as never))
      )
        return undefined;
      const value = (i: number) => Number(vbs[i]!.value);
      const per = (offset: number) =>
        fromGroups(Array.from({ length: groups }, (_, g) => value(g * 3 + offset)));
      const greens = per(0);
      const yellows = per(1);
      const phases: Record<string, Lamp> = {};
      config.phases.forEach((p, i) => {
        const b = 1 << i;
        phases[p.id] = greens & b ? 'green' : yellows & b ? 'yellow' : 'red';
      });
      return { atMs: now(), phases };
    },

    async close() {
      if (closed) return;
      closed = true;
      try {
        session?.close();
      } catch {
        // already closed
      }
      session = undefined;
    },
  };
}

export const ntcip1202Cabinet: CabinetAdapterFactory = {
  name: 'ntcip1202',
  summary:
    'a standard actuated controller over SNMP: NTCIP 1202 phase control (Omit, Hold, ForceOff, VehCall) and status read back',
  create: (config, options) => createNtcipAdapter(config, options),
};
