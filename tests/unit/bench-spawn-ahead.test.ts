/**
 * Fresh programs one run ahead: every run gets a program no other run had, the next run's is
 * already started on the lane's other broker, and no program starts on a broker before the one
 * there before it is gone. Programs and brokers here are stand-ins that record what happens.
 */
import { setImmediate as turn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { MqttSide } from '../../bench/mqtt-side.ts';
import { createSpawnAhead } from '../../bench/spawn-ahead.ts';
import type { VendorProcess } from '../../bench/vendor.ts';

interface Program extends VendorProcess {
  n: number;
  url: string;
  stopped: boolean;
  crash(): void;
}

function world() {
  const log: string[] = [];
  const programs: Program[] = [];
  let brokers = 0;
  let closedBrokers = 0;
  const open = async () => {
    const url = `broker-${brokers++}`;
    return {
      side: { url, janitor: undefined, creds: new Map() } as MqttSide,
      async close() {
        closedBrokers++;
      },
    };
  };
  const start = (side: MqttSide): Program => {
    // a program may only start where every earlier one has stopped
    const live = programs.filter((p) => p.url === side.url && !p.stopped);
    if (live.length > 0) log.push(`OVERLAP on ${side.url}`);
    let ended: string | undefined;
    const p: Program = {
      n: programs.length,
      url: side.url,
      stopped: false,
      start() {},
      exited: () => ended,
      onExit() {},
      crash() {
        ended = 'code 1';
      },
      async close() {
        await turn(); // stopping takes a while
        p.stopped = true;
      },
    };
    programs.push(p);
    log.push(`start #${p.n} on ${side.url}`);
    return p;
  };
  return {
    log,
    programs,
    open,
    start,
    brokers: () => brokers,
    closedBrokers: () => closedBrokers,
  };
}

describe('spawn ahead', () => {
  it('gives every run a program of its own, the next one already started on the other broker', async () => {
    const w = world();
    const ahead = createSpawnAhead(w.open);
    const served: number[] = [];
    const urls: string[] = [];
    for (let run = 0; run < 5; run++) {
      const r = await ahead.take('acme', 'acme-cmd', w.start);
      served.push((r.program as Program).n);
      urls.push(r.side.url);
      expect((r.program as Program).url).toBe(r.side.url); // started on the run's broker
      await turn();
      r.release();
    }
    expect(new Set(served).size).toBe(5); // never one program for two runs
    expect(urls).toEqual(['broker-0', 'broker-1', 'broker-0', 'broker-1', 'broker-0']);
    // runs 2… took the program started ahead during the run before: 5 runs, 6 programs
    expect(w.programs.length).toBe(6);
    expect(w.log.filter((l) => l.startsWith('OVERLAP'))).toEqual([]);
    await ahead.close();
    expect(w.programs.every((p) => p.stopped)).toBe(true);
    expect(w.closedBrokers()).toBe(2);
    await ahead.close(); // safe twice
    await expect(ahead.take('acme', 'acme-cmd', w.start)).rejects.toThrow('stopped');
  });

  it('starts no program ahead for a lane told that no further run is sure to come', async () => {
    const w = world();
    const ahead = createSpawnAhead(w.open);
    const last = [true, true, false, false]; // the lane's last two runs: nothing ahead
    const served: number[] = [];
    for (const startNext of last) {
      const r = await ahead.take('acme', 'acme-cmd', w.start, startNext);
      served.push((r.program as Program).n);
      await turn();
      r.release();
    }
    // run 3 used the one started ahead by run 2; run 4 started its own: 4 runs, 4 programs
    expect(new Set(served).size).toBe(4);
    expect(w.programs.length).toBe(4);
    await ahead.close();
    expect(w.programs.every((p) => p.stopped)).toBe(true);
    expect(w.log.filter((l) => l.startsWith('OVERLAP'))).toEqual([]);
  });

  it('replaces a program started ahead for another vendor, or one that ended before its run', async () => {
    const w = world();
    const ahead = createSpawnAhead(w.open);
    const a = await ahead.take('acme', 'acme-cmd', w.start);
    a.release();
    const b = await ahead.take('zeta', 'zeta-cmd', w.start); // acme's standby is not zeta's
    expect(b.program).not.toBe(w.programs[1]);
    expect(w.programs[1]!.stopped).toBe(true);
    b.release();
    for (let i = 0; i < 5; i++) await turn(); // the standby starts once acme's program stopped
    // zeta's standby crashes while it waits
    const standby = w.programs.at(-1)!;
    expect(standby).not.toBe(b.program);
    standby.crash();
    const c = await ahead.take('zeta', 'zeta-cmd', w.start);
    expect(c.program).not.toBe(standby);
    expect(standby.stopped).toBe(true);
    c.release();
    await ahead.close();
    expect(w.log.filter((l) => l.startsWith('OVERLAP'))).toEqual([]);
    expect(w.programs.every((p) => p.stopped)).toBe(true);
  });
});
