/**
 * Runs the cabinet adapter contract on every registered adapter: `virtual` against its own
 * virtual cabinet, `ntcip1202` against the NTCIP 1202 cabinet emulator over real UDP/SNMP.
 * A registered adapter without a run here fails the last test. An integration test: the
 * emulator is a real SNMP agent on UDP and the runs take real seconds (not in test:unit).
 */
import { describe, expect, it } from 'vitest';
import { createNtcipAdapter } from '../../field/cabinet/ntcip1202/index.ts';
import { CABINETS } from '../../field/cabinet/registry.ts';
import { createVirtualAdapter, createVirtualCabinet } from '../../field/cabinet/virtual/index.ts';
import { type CabinetEmulator, createCabinetEmulator } from '../../field/emulator/agent.ts';
import {
  type CabinetContract,
  contractConfig,
  runCabinetContract,
} from '../contracts/cabinet.contract.ts';
import { freeUdpPort } from '../helpers/udp.ts';

const runs: CabinetContract[] = [
  {
    name: 'virtual',
    config: contractConfig(),
    followMs: 5_000,
    async setup(config) {
      const cabinet = createVirtualCabinet(config);
      const adapter = createVirtualAdapter(config, cabinet);
      return {
        adapter,
        truth: () => (cabinet.on ? cabinet.lamps() : undefined),
        stop: async () => cabinet.power(false),
        restart: async () => cabinet.power(true),
        dispose: async () => {},
      };
    },
  },
  {
    name: 'ntcip1202',
    config: contractConfig(),
    // the emulator keeps its own min green (2 s), yellow (3 s) and all red (1 s); generous
    followMs: 30_000,
    async setup(config) {
      const port = await freeUdpPort();
      const community = `test-${process.pid}`;
      const make = () =>
        createCabinetEmulator({ config, port, community, tickMs: 50, log: () => {} });
      let emu: CabinetEmulator | undefined = make();
      await emu.start();
      const adapter = createNtcipAdapter(config, {
        target: `127.0.0.1:${port}`,
        credentials: { community },
        timeoutMs: 400,
        log: () => {},
      });
      return {
        adapter,
        truth: () => emu?.lamps(),
        stop: async () => {
          await emu?.close();
          emu = undefined;
        },
        restart: async () => {
          emu = make();
          await emu.start();
        },
        dispose: async () => {
          await emu?.close();
        },
      };
    },
  },
];

for (const run of runs) runCabinetContract(run);

describe('cabinet registry', () => {
  it('every registered adapter has a contract run', () => {
    expect(CABINETS.map((c) => c.name).sort()).toEqual(runs.map((r) => r.name).sort());
  });
});
