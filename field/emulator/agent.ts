/**
 * `openphase cabinet-emulator` (shell): the emulator's controller (model.ts) behind an SNMP
 * agent (net-snmp) that answers the NTCIP 1202 objects of docs/cabinet-emulator.md over UDP.
 * Control sets reach the model at once; status reads show the model at the moment of the read.
 *
 * @example
 * const emu = createCabinetEmulator({ config, port: 16100, community: process.env.C! });
 * await emu.start(); … await emu.close();
 */
import type { Socket } from 'node:dgram';
import snmp from 'net-snmp';
import type { IntersectionConfig, Plan } from '../../protocol/index.ts';
import {
  CONTROL_COLUMNS,
  CONTROL_ENTRY,
  groupsFor,
  MAX_PHASE_GROUPS,
  MAX_PHASES,
  PHASE_COLUMNS,
  PHASE_ENTRY,
  STATUS_COLUMNS,
  STATUS_ENTRY,
  toGroups,
} from '../ntcip-oids.ts';
import {
  type Controls,
  createEmulatorState,
  type EmulatorState,
  emulatorStep,
  lamps,
  setControl,
  statusMasks,
} from './model.ts';

export interface CabinetEmulatorOptions {
  config: IntersectionConfig;
  /** interface to bind (default 127.0.0.1) */
  host?: string;
  /** UDP port; required (SNMP's 161 needs root; tests pass a free port) */
  port: number;
  /** SNMPv2c community with read-write access */
  community: string;
  /** controller tick, ms (default 100) */
  tickMs?: number;
  /** central control lapses after this long without a set, ms (default 5000) */
  backupMs?: number;
  /** the plan run in free mode (default the config's plan) */
  plan?: Plan;
  now?: () => number;
  log?: (line: string) => void;
}

type MibRequest = {
  oid: string;
  operation: number;
  setValue?: unknown;
  commitSet?: boolean;
  instanceNode: { value: unknown };
  done: (error?: { errorStatus: number }) => void;
};

const CONTROL_KEYS: Record<number, keyof Controls> = {
  [CONTROL_COLUMNS.phaseControlGroupPhaseOmit]: 'omit',
  [CONTROL_COLUMNS.phaseControlGroupHold]: 'hold',
  [CONTROL_COLUMNS.phaseControlGroupForceOff]: 'forceOff',
  [CONTROL_COLUMNS.phaseControlGroupVehCall]: 'vehCall',
};

/** `{entry}.{column}.{row}` → [column, row]. */
function columnRow(oid: string, entry: string): [number, number] {
  const rest = oid
    .slice(entry.length + 1)
    .split('.')
    .map(Number);
  return [rest[0] ?? 0, rest[1] ?? 0];
}

export function createCabinetEmulator(options: CabinetEmulatorOptions) {
  const { config } = options;
  const now = options.now ?? Date.now;
  const tickMs = options.tickMs ?? 100;
  const log = options.log ?? ((line: string) => console.error(line));
  if (!options.community)
    throw new Error('the emulator needs an SNMP community (no anonymous access)');
  let state: EmulatorState = createEmulatorState(config, now(), {
    ...(options.backupMs !== undefined ? { backupMs: options.backupMs } : {}),
    ...(options.plan ? { plan: options.plan } : {}),
  });
  const phases = config.phases.length;
  const groups = groupsFor(phases);
  // control objects as last set, per group (what a GET of a control object returns)
  const controlBytes = new Map<number, number[]>();
  const extraControl = { pedOmit: 0, pedCall: 0 };
  let agent: ReturnType<typeof snmp.createAgent> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed: Promise<void> | undefined;
  const stats = { gets: 0, sets: 0, refused: 0 };

  const advance = () => {
    state = emulatorStep(state, now());
  };

  const statusValue = (column: number, group: number): number => {
    advance();
    const m = statusMasks(state);
    const pick = (mask: number) => toGroups(mask, groups)[group - 1] ?? 0;
    switch (column) {
      case STATUS_COLUMNS.phaseStatusGroupNumber:
        return group;
      case STATUS_COLUMNS.phaseStatusGroupReds:
        return pick(m.reds);
      case STATUS_COLUMNS.phaseStatusGroupYellows:
        return pick(m.yellows);
      case STATUS_COLUMNS.phaseStatusGroupGreens:
        return pick(m.greens);
      case STATUS_COLUMNS.phaseStatusGroupVehCalls:
        return pick(m.vehCalls);
      case STATUS_COLUMNS.phaseStatusGroupPhaseOns:
        return pick(m.phaseOns);
      case STATUS_COLUMNS.phaseStatusGroupPhaseNexts:
        return pick(m.phaseNexts);
      default:
        return 0;
    }
  };

  const phaseValue = (column: number, n: number): number => {
    const p = state.phases[n - 1];
    if (!p) return 0;
    switch (column) {
      case PHASE_COLUMNS.phaseNumber:
        return n;
      case PHASE_COLUMNS.phaseMinimumGreen:
        return Math.round(p.minGreenMs / 1000);
      case PHASE_COLUMNS.phasePassage:
        return 0;
      case PHASE_COLUMNS.phaseMaximum1:
        return Math.round(p.maxGreenMs / 1000);
      case PHASE_COLUMNS.phaseYellowChange:
        return Math.round(p.yellowMs / 100);
      case PHASE_COLUMNS.phaseRedClear:
        return Math.round(p.redClearMs / 100);
      case PHASE_COLUMNS.phaseRing:
        return 1;
      default:
        return 0;
    }
  };

  const onStatus = (req: MibRequest) => {
    stats.gets++;
    const [column, group] = columnRow(req.oid, STATUS_ENTRY);
    req.instanceNode.value = statusValue(column, group);
    req.done();
  };

  const onPhase = (req: MibRequest) => {
    const [column, n] = columnRow(req.oid, PHASE_ENTRY);
    if (req.operation === snmp.PduType.SetRequest) {
      // Timing is the controller's own; the rig refuses changes it could not keep safe.
      if (req.commitSet) {
        const v = Number(req.setValue);
        const p = state.phases[n - 1];
        if (p) {
          const phasesNow = [...state.phases];
          const changed = { ...p };
          if (column === PHASE_COLUMNS.phaseMinimumGreen) changed.minGreenMs = v * 1000;
          if (column === PHASE_COLUMNS.phaseMaximum1) changed.maxGreenMs = v * 1000;
          if (column === PHASE_COLUMNS.phaseYellowChange)
            changed.yellowMs = Math.max(3000, v * 100);
          if (column === PHASE_COLUMNS.phaseRedClear) changed.redClearMs = v * 100;
          phasesNow[n - 1] = changed;
          state = { ...state, phases: phasesNow };
          stats.sets++;
        }
      }
      req.done();
      return;
    }
    stats.gets++;
    req.instanceNode.value = phaseValue(column, n);
    req.done();
  };

  const onControl = (req: MibRequest) => {
    const [column, group] = columnRow(req.oid, CONTROL_ENTRY);
    if (req.operation === snmp.PduType.SetRequest) {
      if (req.commitSet) {
        stats.sets++;
        advance();
        const v = Number(req.setValue) & 0xff;
        const key = CONTROL_KEYS[column];
        let bytes = controlBytes.get(column);
        if (!bytes) {
          bytes = Array.from({ length: groups }, () => 0);
          controlBytes.set(column, bytes);
        }
        bytes[group - 1] = v;
        if (key) {
          const mask = bytes.reduce((m, b, g) => m | (b << (8 * g)), 0);
          state = setControl(state, now(), key, mask);
        } else if (column === CONTROL_COLUMNS.phaseControlGroupPedOmit) extraControl.pedOmit = v;
        else if (column === CONTROL_COLUMNS.phaseControlGroupPedCall) extraControl.pedCall = v;
      }
      req.done();
      return;
    }
    stats.gets++;
    req.instanceNode.value =
      column === CONTROL_COLUMNS.phaseControlGroupNumber
        ? group
        : (controlBytes.get(column)?.[group - 1] ?? 0);
    req.done();
  };

  const int = snmp.ObjectType.Integer;
  const ro = snmp.MaxAccess['read-only'];
  const rw = snmp.MaxAccess['read-write'];
  const column = (number: number, name: string, access: number) => ({
    number,
    name,
    type: int,
    maxAccess: access,
  });
  const providers = [
    {
      name: 'maxPhases',
      type: snmp.MibProviderType.Scalar,
      oid: MAX_PHASES,
      scalarType: int,
      maxAccess: ro,
    },
    {
      name: 'maxPhaseGroups',
      type: snmp.MibProviderType.Scalar,
      oid: MAX_PHASE_GROUPS,
      scalarType: int,
      maxAccess: ro,
    },
    {
      name: 'phaseEntry',
      type: snmp.MibProviderType.Table,
      oid: PHASE_ENTRY,
      maxAccess: snmp.MaxAccess['not-accessible'],
      tableColumns: Object.entries(PHASE_COLUMNS).map(([name, n]) =>
        column(n, name, n === PHASE_COLUMNS.phaseNumber || n === PHASE_COLUMNS.phaseRing ? ro : rw),
      ),
      tableIndex: [{ columnName: 'phaseNumber' }],
      handler: onPhase,
    },
    {
      name: 'phaseStatusGroupEntry',
      type: snmp.MibProviderType.Table,
      oid: STATUS_ENTRY,
      maxAccess: snmp.MaxAccess['not-accessible'],
      tableColumns: Object.entries(STATUS_COLUMNS).map(([name, n]) => column(n, name, ro)),
      tableIndex: [{ columnName: 'phaseStatusGroupNumber' }],
      handler: onStatus,
    },
    {
      name: 'phaseControlGroupEntry',
      type: snmp.MibProviderType.Table,
      oid: CONTROL_ENTRY,
      maxAccess: snmp.MaxAccess['not-accessible'],
      tableColumns: Object.entries(CONTROL_COLUMNS).map(([name, n]) =>
        column(n, name, n === CONTROL_COLUMNS.phaseControlGroupNumber ? ro : rw),
      ),
      tableIndex: [{ columnName: 'phaseControlGroupNumber' }],
      handler: onControl,
    },
  ];

  return {
    /** Binds the UDP port and starts the controller's clock; rejects when the port is taken. */
    async start(): Promise<{ host: string; port: number }> {
      if (agent) throw new Error('cabinet emulator already started');
      const host = options.host ?? '127.0.0.1';
      let bindError: ((e: Error) => void) | undefined;
      const a = snmp.createAgent(
        { port: options.port, address: host, transport: 'udp4' },
        (error: Error | null) => {
          if (!error) return;
          if (bindError) return bindError(error);
          // a request that failed authentication or parsing: counted, never fatal; the
          // community is never logged
          stats.refused++;
        },
      );
      agent = a;
      const authorizer = a.getAuthorizer();
      authorizer.addCommunity(options.community);
      const mib = a.getMib();
      for (const p of providers) mib.registerProvider(p as never);
      mib.setScalarValue('maxPhases', phases);
      mib.setScalarValue('maxPhaseGroups', groups);
      for (let n = 1; n <= phases; n++)
        mib.addTableRow(
          'phaseEntry',
          Object.values(PHASE_COLUMNS).map((c) => phaseValue(c, n)),
        );
      for (let g = 1; g <= groups; g++) {
        mib.addTableRow(
          'phaseStatusGroupEntry',
          Object.values(STATUS_COLUMNS).map((c) => (c === 1 ? g : 0)),
        );
        mib.addTableRow(
          'phaseControlGroupEntry',
          Object.values(CONTROL_COLUMNS).map((c) => (c === 1 ? g : 0)),
        );
      }
      const sockets = Object.values(
        (a as unknown as { listener: { sockets: Record<string, Socket> } }).listener.sockets,
      );
      await Promise.all(
        sockets.map(
          (s) =>
            new Promise<void>((resolve, reject) => {
              bindError = (e) =>
                reject(
                  new Error(
                    `cabinet emulator: cannot bind udp ${host}:${options.port}: ${e.message}`,
                  ),
                );
              s.once('listening', () => resolve());
            }),
        ),
      ).catch(async (e) => {
        agent = undefined;
        await new Promise<void>((r) => {
          try {
            a.close(() => r());
          } catch {
            r();
          }
        });
        throw e;
      });
      bindError = undefined;
      timer = setInterval(advance, tickMs);
      timer.unref();
      log(`cabinet emulator: NTCIP 1202 on udp ${host}:${options.port}, ${phases} phases`);
      return { host, port: options.port };
    },

    /** Stops the clock and frees the port; safe twice. */
    close(): Promise<void> {
      closed ??= (async () => {
        if (timer) clearInterval(timer);
        const a = agent;
        agent = undefined;
        if (a) await new Promise<void>((r) => a.close(() => r()));
      })();
      return closed;
    },

    /** What the heads show now (the truth the adapter contract compares with). */
    lamps(): Record<string, 'green' | 'yellow' | 'red'> {
      advance();
      return lamps(state);
    },
    state: (): EmulatorState => state,
    stats: () => ({ ...stats }),
    async [Symbol.asyncDispose]() {
      await this.close();
    },
  };
}

export type CabinetEmulator = ReturnType<typeof createCabinetEmulator>;
