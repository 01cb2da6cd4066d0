/**
 * [protocol v1: seq] Sequence tracking per sensor (pure): duplicates dropped, gaps counted as
 * losses, a late arrival filling its gap, a new boot restarting the count.
 */
import type { Counts } from '../protocol/index.ts';
import type { AggregationStats, SensorState } from './aggregation-types.ts';

/** Recent seqs remembered per sensor for de-duplication. */
export const SEEN_SEQS = 256;

const seenSlot = (seq: number) => seq % SEEN_SEQS;

/**
 * [protocol v1: seq] the sensor's state when the message is new (else undefined); counts losses.
 * `known` is `sensors.get(c.sensor)`, when the caller has it at hand.
 */
export function acceptSeq(
  sensors: Map<string, SensorState>,
  stats: AggregationStats,
  c: Counts,
  known: SensorState | undefined = sensors.get(c.sensor),
): SensorState | undefined {
  let sensor = known;
  if (!sensor || sensor.boot !== c.boot) {
    // A new boot restarts seq: not a loss.
    const seen = new Float64Array(SEEN_SEQS).fill(Number.NaN);
    seen[seenSlot(c.seq)] = c.seq;
    sensor = {
      boot: c.boot,
      maxSeq: c.seq,
      seen,
      byPosition: sensor?.byPosition ?? [],
      idByPosition: sensor?.idByPosition ?? [],
    };
    sensors.set(c.sensor, sensor);
    return sensor;
  }
  // Every seq in (maxSeq − SEEN_SEQS, maxSeq] has its own slot, so a slot holding c.seq means
  // c.seq was seen; seqs above maxSeq were never seen.
  if (c.seq <= sensor.maxSeq - SEEN_SEQS) return undefined;
  const slot = seenSlot(c.seq);
  if (c.seq <= sensor.maxSeq && sensor.seen[slot] === c.seq) return undefined;
  if (c.seq > sensor.maxSeq) {
    stats.lost += c.seq - sensor.maxSeq - 1;
    sensor.maxSeq = c.seq;
  } else {
    stats.lost = Math.max(0, stats.lost - 1); // a late arrival fills a gap counted as lost
  }
  sensor.seen[slot] = c.seq;
  return sensor;
}
