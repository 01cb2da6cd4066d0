/**
 * Fresh vendor programs, started one run ahead (shell). A `--spawn`ed program is started afresh
 * for every run, so nothing passes from one run to the next; but starting one (Node boots,
 * loads its modules, connects, subscribes) takes 0.3–1.5 s that a lane would wait out at each
 * of its runs. Here a lane has two brokers and takes turns: while run k goes on one, the
 * program for run k+1 starts on the other, where it sees nothing until run k+1 publishes its
 * config. A run's program is stopped when the run ends, and the next program on that broker
 * starts only once it is gone: no program ever sees two runs, and no two programs share one.
 */

import type { MqttSide } from './mqtt-side.ts';
import type { VendorProcess } from './vendor.ts';

/** One of the lane's brokers, as the simulator and the programs reach it. */
export interface AheadSide {
  side: MqttSide;
  close(): Promise<void>;
}

export interface AheadRun {
  side: MqttSide;
  program: VendorProcess;
  /** the run is over (its retained messages cleared): its program is stopped */
  release(): void;
}

export interface SpawnAhead {
  /**
   * The program for this run of vendor `id`, already started (ahead, or now); `start` starts
   * one on a broker (also the next run's, ahead, unless `startNext` is false: no run of this
   * vendor is sure to come to this lane, and a program started for none is CPU spent for nothing).
   */
  take(
    id: string,
    command: string,
    start: (side: MqttSide) => VendorProcess,
    startNext?: boolean,
  ): Promise<AheadRun>;
  /** stops every program and closes both brokers. Safe twice. */
  close(): Promise<void>;
}

interface Slot {
  opened: Promise<AheadSide> | undefined;
  /** the last program used on this broker, stopping */
  stopping: Promise<void>;
  standby: { id: string; command: string; program: Promise<VendorProcess> } | undefined;
}

/**
 * @example
 * const ahead = createSpawnAhead(openBroker);
 * const { side, release } = await ahead.take('acme', 'node acme.js', (side) => spawn(side)); … release();
 */
export function createSpawnAhead(open: () => Promise<AheadSide>): SpawnAhead {
  const slots: [Slot, Slot] = [0, 1].map(() => ({
    opened: undefined,
    stopping: Promise.resolve(),
    standby: undefined,
  })) as [Slot, Slot];
  let turn = 0;
  let closing: Promise<void> | undefined;
  const sideOf = (s: Slot) => {
    s.opened ??= open();
    return s.opened;
  };
  const startOn = async (s: Slot, start: (side: MqttSide) => VendorProcess) => {
    const { side } = await sideOf(s);
    await s.stopping;
    return start(side);
  };

  return {
    async take(id, command, start, startNext = true) {
      if (closing) throw new Error('the bench was stopped');
      const slot = slots[turn]!;
      turn ^= 1;
      const { side } = await sideOf(slot);
      let program: VendorProcess | undefined;
      const waiting = slot.standby;
      slot.standby = undefined;
      if (waiting) {
        const p = await waiting.program;
        // another vendor's, or one that ended before its run: a fresh one instead
        if (waiting.id === id && waiting.command === command && p.exited() === undefined)
          program = p;
        else await p.close();
      }
      program ??= await startOn(slot, start);
      // the next run's program, on the other broker (likely the same vendor: runs are sorted)
      const other = slots[turn]!;
      if (startNext && !other.standby && !closing)
        other.standby = { id, command, program: startOn(other, start) };
      const used = program;
      return {
        side,
        program: used,
        release() {
          slot.stopping = used.close();
        },
      };
    },
    close() {
      closing ??= (async () => {
        await Promise.all(
          slots.map(async (s) => {
            const p = await s.standby?.program.catch(() => undefined);
            await p?.close();
            await s.stopping;
            await (await s.opened?.catch(() => undefined))?.close();
          }),
        );
      })();
      return closing;
    },
  };
}
