/**
 * The sensors of the simulated intersections (pure): every counts interval each sensor closes
 * its detectors and reports one counts message [protocol v1: boot, seq], after its scheduled
 * faults. Noise and boot ids come from the sensor streams of the PRNG, never the vehicle ones.
 */
import type { Actuation, Counts, DetectorReading, Scenario } from '../protocol/index.ts';
import { MAX_ACTUATIONS_PER_MESSAGE } from '../protocol/index.ts';
import { DetectorBank } from './detectors.ts';
import { type ActiveFault, activeAt, applyReadingFaults, messageEffects } from './faults.ts';
import type { Net } from './network.ts';
import { type Rng, randomId, STREAM, stream } from './rng.ts';

export interface CountsOut {
  intersection: string;
  sensor: string;
  message: Counts;
  /** when the message is due: the interval end, later under a `late` fault */
  deliverAtMs: number;
}

export interface SensorBank {
  bank: DetectorBank;
  /**
   * Closes the interval ending at `toMs`. `presence(d)` gives the time since which a vehicle
   * has been standing on stop-bar detector d, or NaN. Returns the messages due by `toMs`.
   * With `build` false nobody will read them: the sensors without a scheduled fault close
   * their detectors and use their seq without making a message (a faulty one still draws its
   * noise, so the streams stay the same); none are returned.
   */
  close(toMs: number, presence: (d: number) => number, build?: boolean): CountsOut[];
}

export function createSensors(
  net: Net,
  scenario: Scenario,
  seed: number,
  recordActuations: boolean,
): SensorBank {
  const bank = new DetectorBank(
    net.detectors.length,
    net.startAtMs,
    net.detectors.map((d) => d.id),
    recordActuations,
  );
  const boots = net.sensors.map((_, s) => randomId(stream(seed, STREAM.sensor, s)));
  const noise: Rng[] = net.sensors.map((_, s) => stream(seed, STREAM.noise, s));
  const seq = new Int32Array(net.sensors.length);
  const faults: ActiveFault[][] = net.detectors.map(() => []);
  for (const f of scenario.faults ?? []) {
    const [intersection, detector] = f.detector.split('/');
    const ii = net.intersections.findIndex((it) => it.config.id === intersection);
    if (ii < 0) continue;
    for (const d of net.intersections[ii]!.detectors) {
      if (detector !== '*' && net.detectors[d]!.id !== detector) continue;
      faults[d]!.push({
        kind: f.kind,
        fromMs: f.fromS * 1000,
        toMs: f.toS * 1000,
        magnitude: f.magnitude,
      });
    }
  }
  let pending: CountsOut[] = [];
  const stopBar = Uint8Array.from(net.detectors, (d) => (d.kind === 'stop-bar' ? 1 : 0));
  const intersectionIds = net.intersections.map((it) => it.config.id);
  /** sensors with a scheduled fault on some detector (the others take the plain path) */
  const faulty = Uint8Array.from(net.sensors, (sensor) =>
    sensor.detectors.some((d) => faults[d]!.length > 0) ? 1 : 0,
  );

  function countsMessage(
    s: number,
    n: number,
    fromMs: number,
    toMs: number,
    detectors: DetectorReading[],
  ): Counts {
    return {
      v: 1,
      sensor: net.sensors[s]!.id,
      boot: boots[s]!,
      seq: n,
      from: fromMs,
      to: toMs,
      detectors,
    };
  }

  /** One sensor's message without faults: every reading as measured. */
  function plain(s: number, fromMs: number, toMs: number, presence: (d: number) => number) {
    const sensor = net.sensors[s]!;
    const dets = sensor.detectors;
    const intervalMs = toMs - fromMs;
    // sized once (push would grow a fresh array to 17 slots): one array per message per second
    const readings = new Array<DetectorReading>(dets.length);
    for (let k = 0; k < dets.length; k++) {
      const d = dets[k]!;
      readings[k] = bank.close(d, toMs, intervalMs, stopBar[d] ? presence(d) : Number.NaN);
    }
    const n = seq[s]!;
    seq[s] = n + 1;
    const message = countsMessage(s, n, fromMs, toMs, readings);
    if (recordActuations) {
      const actuations: Actuation[] = [];
      for (let k = 0; k < dets.length; k++)
        for (const a of bank.takeActuations(dets[k]!)) actuations.push(a);
      message.actuations = actuations.slice(-MAX_ACTUATIONS_PER_MESSAGE);
    }
    return {
      intersection: intersectionIds[sensor.intersection]!,
      sensor: sensor.id,
      message,
      deliverAtMs: toMs,
    };
  }

  /** no fault scheduled and no actuations kept: an unread interval is one pass over the bank */
  const plainSkip = !recordActuations && !faulty.includes(1);

  return {
    bank,
    close(toMs, presence, build = true) {
      if (!build && plainSkip) {
        // what the loop below does sensor by sensor, detector by detector, in one pass
        bank.skipAll(toMs);
        for (let s = 0; s < seq.length; s++) seq[s]!++;
        bank.intervalStartMs = toMs;
        pending = pending.filter((p) => p.deliverAtMs > toMs);
        return [];
      }
      const fromMs = bank.intervalStartMs;
      const intervalMs = toMs - fromMs;
      const out: CountsOut[] = [];
      for (let s = 0; s < net.sensors.length; s++) {
        const sensor = net.sensors[s]!;
        if (!faulty[s] && sensor.detectors.length > 0) {
          if (build) out.push(plain(s, fromMs, toMs, presence));
          else {
            const dets = sensor.detectors;
            for (let k = 0; k < dets.length; k++) {
              bank.skip(dets[k]!, toMs);
              if (recordActuations) bank.takeActuations(dets[k]!);
            }
            seq[s]!++;
          }
          continue;
        }
        const readings: DetectorReading[] = [];
        const actuations: Actuation[] = [];
        let sensorFaults: ActiveFault[] | undefined;
        const dets = sensor.detectors;
        for (let k = 0; k < dets.length; k++) {
          const d = dets[k]!;
          const raw = bank.close(d, toMs, intervalMs, stopBar[d] ? presence(d) : Number.NaN);
          const acts = recordActuations ? bank.takeActuations(d) : undefined;
          const active = faults[d]!.length > 0 ? activeAt(faults[d]!, fromMs - net.startAtMs) : [];
          if (active.length === 0) {
            readings.push(raw);
            if (acts) for (const a of acts) actuations.push(a);
            continue;
          }
          sensorFaults = [...(sensorFaults ?? []), ...active];
          const r = applyReadingFaults(raw, active, noise[s]!);
          if (r) readings.push(r);
          if (r?.occupancy === 1) actuations.push({ id: raw.id, onMs: fromMs, offMs: toMs });
        }
        const n = seq[s]!;
        seq[s] = n + 1; // a dropped message still uses its seq: the gap shows the loss
        if (readings.length === 0) continue;
        const message = countsMessage(s, n, fromMs, toMs, readings);
        if (recordActuations) message.actuations = actuations.slice(-MAX_ACTUATIONS_PER_MESSAGE);
        const { copies, delayMs } = sensorFaults
          ? messageEffects(sensorFaults)
          : { copies: 0, delayMs: 0 };
        const item: CountsOut = {
          intersection: intersectionIds[sensor.intersection]!,
          sensor: sensor.id,
          message,
          deliverAtMs: toMs + delayMs,
        };
        if (build) for (let c = 0; c <= copies; c++) (delayMs > 0 ? pending : out).push(item);
      }
      bank.intervalStartMs = toMs;
      if (!build) {
        // nothing is delivered: drop what would have been, late copies included
        pending = pending.filter((p) => p.deliverAtMs > toMs);
        return [];
      }
      if (pending.length > 0) {
        // Late messages come out at the first interval end at or after they are due.
        for (const p of pending) if (p.deliverAtMs <= toMs) out.push(p);
        pending = pending.filter((p) => p.deliverAtMs > toMs);
      }
      return out;
    },
  };
}
