/**
 * `openphase cabinet-emulator` as its own process, read and steered with an independent SNMP
 * client: Debian's `snmpget`/`snmpset` (net-snmp tools), community from a config file
 * (SNMPCONFPATH), never on any command line.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { requireBinary } from '../../rigs/binaries.ts';
import { stopChild } from '../../rigs/processes.ts';
import { freeUdpPort } from '../helpers/udp.ts';
import { commandLine, openphase, repo, started, transcript } from './field-processes.ts';

const run = promisify(execFile);
const ASC = '1.3.6.1.4.1.1206.4.2.1';
const community = `c-${process.pid}-secret`;
const dir = mkdtempSync(join(tmpdir(), 'op-emu-'));
const goodConf = join(dir, 'good');
const badConf = join(dir, 'bad');

describe('openphase cabinet-emulator with snmpget/snmpset', () => {
  const snmpget = requireBinary('snmpget');
  const snmpset = requireBinary('snmpset');
  let port = 0;
  let emu: ReturnType<typeof openphase>;
  let printed: () => string;

  const snmp = async (tool: string, conf: string, args: string[]) => {
    try {
      const r = await run(tool, ['-On', '-t', '1', '-r', '1', `127.0.0.1:${port}`, ...args], {
        env: { ...process.env, SNMPCONFPATH: conf, MIBS: '' },
      });
      return { ok: true, out: r.stdout };
    } catch (e) {
      const err = e as { stdout?: string; stderr?: string };
      return { ok: false, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
    }
  };
  const get = async (oid: string) => {
    const r = await snmp(snmpget, goodConf, [oid]);
    expect(r.ok, r.out).toBe(true);
    const m = /INTEGER: (-?\d+)/.exec(r.out);
    expect(m, r.out).not.toBeNull();
    return Number(m![1]);
  };

  beforeAll(async () => {
    for (const [d, c] of [
      [goodConf, community],
      [badConf, 'not-the-community'],
    ] as const) {
      rmSync(d, { recursive: true, force: true });
      const { mkdirSync } = await import('node:fs');
      mkdirSync(d);
      writeFileSync(join(d, 'snmp.conf'), `defVersion 2c\ndefCommunity ${c}\n`);
    }
    port = await freeUdpPort();
    emu = openphase(
      [
        'cabinet-emulator',
        '--config',
        join(repo, 'tests/fixtures/field/crossing.yaml'),
        '--port',
        String(port),
      ],
      { OPENPHASE_SNMP_COMMUNITY: community },
    );
    printed = transcript(emu);
    expect(await started(emu)).toMatchObject({ ready: true, port, phases: 2 });
  });
  afterAll(async () => {
    await stopChild(emu);
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the documented objects: phases, timing, status', async () => {
    expect(await get(`${ASC}.1.1.0`)).toBe(2); // maxPhases
    expect(await get(`${ASC}.1.3.0`)).toBe(1); // maxPhaseGroups
    expect(await get(`${ASC}.1.2.1.4.1`)).toBe(5); // phaseMinimumGreen.1
    expect(await get(`${ASC}.1.2.1.6.2`)).toBe(20); // phaseMaximum1.2
    expect(await get(`${ASC}.1.2.1.8.1`)).toBe(30); // phaseYellowChange.1 (tenths)
    expect(await get(`${ASC}.1.2.1.9.1`)).toBe(10); // phaseRedClear.1 (tenths)
    const greens = await get(`${ASC}.1.4.1.4.1`);
    const yellows = await get(`${ASC}.1.4.1.3.1`);
    const reds = await get(`${ASC}.1.4.1.2.1`);
    // exactly one phase on, the other red; never two greens
    expect([1, 2]).toContain(greens | yellows);
    expect((greens | yellows) & reds).toBe(0);
    expect(greens | yellows | reds).toBe(3);
  });

  it('snmpset steers it: Omit ns + VehCall ew + ForceOff ns brings ew green through its clearance', async () => {
    const seen = new Set<string>();
    await vi.waitFor(
      async () => {
        // a central system refreshes control every second: so does this loop
        const r = await snmp(snmpset, goodConf, [
          `${ASC}.1.5.1.2.1`,
          'i',
          '1', // phaseControlGroupPhaseOmit: phase 1 (ns)
          `${ASC}.1.5.1.6.1`,
          'i',
          '2', // phaseControlGroupVehCall: phase 2 (ew)
          `${ASC}.1.5.1.5.1`,
          'i',
          '1', // phaseControlGroupForceOff: phase 1
          `${ASC}.1.5.1.4.1`,
          'i',
          '2', // phaseControlGroupHold: phase 2
        ]);
        expect(r.ok, r.out).toBe(true);
        const g = await get(`${ASC}.1.4.1.4.1`);
        const y = await get(`${ASC}.1.4.1.3.1`);
        seen.add(g ? `g${g}` : y ? `y${y}` : 'red');
        expect(g).toBe(2);
      },
      { timeout: 40_000, interval: 500 },
    );
    expect(await get(`${ASC}.1.5.1.6.1`)).toBe(2); // the control object reads back as set
    // Held green: it stays on ew while the hold is refreshed.
    for (let k = 0; k < 3; k++) {
      await snmp(snmpset, goodConf, [`${ASC}.1.5.1.4.1`, 'i', '2']);
      expect(await get(`${ASC}.1.4.1.4.1`)).toBe(2);
    }
  });

  it('refuses writes to status objects and answers nothing to a wrong community', async () => {
    const ro = await snmp(snmpset, goodConf, [`${ASC}.1.4.1.4.1`, 'i', '3']);
    expect(ro.ok).toBe(false);
    expect(ro.out).toMatch(/notWritable|not writable|noAccess|Error/i);
    const wrong = await snmp(snmpget, badConf, [`${ASC}.1.1.0`]);
    expect(wrong.ok).toBe(false);
    expect(wrong.out).toMatch(/Timeout/);
  });

  it('the community is in no process argument and in no log line', async () => {
    expect(await commandLine(emu.pid!)).not.toContain(community);
    expect(printed()).not.toContain(community);
  });

  it('SIGTERM stops it gracefully: exit 0 and the UDP port free again', async () => {
    await stopChild(emu);
    expect(emu.exitCode).toBe(0);
    const { createSocket } = await import('node:dgram');
    const sock = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(port, '127.0.0.1', () => resolve());
    });
    sock.close();
  });
});
