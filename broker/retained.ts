/**
 * Retained messages, bounded: the broker holds a retained message for ever and hands all of
 * them to every new subscriber, so each device may retain only where the protocol says
 * (config, status, signal) and only up to a byte quota. Pure bookkeeping; the gatekeeper asks.
 */
import { parseTopic } from '../protocol/index.ts';

/** [protocol v1: retained] the topic kinds the protocol publishes retained. */
export const RETAINED_KINDS: ReadonlySet<string> = new Set(['config', 'status', 'signal']);

/**
 * The default quota grows with what a device serves. A signal device for 100 intersections
 * (config ~2 KB, signal and status ~0.3 KB each) needs ~260 KB: at least 1 MiB, and 16 KiB per
 * intersection it lists. A device of every intersection (`*`: a city-wide controller, gateway
 * or collector) gets 32 MiB: a status per intersection (~150 B) for 10,000 intersections is
 * 1.5 MB, and a gateway's configs and signals for them ~25 MB. Admins are not bounded (they are
 * the operators). An explicit `--max-retained` applies to every device alike.
 */
export const DEFAULT_MAX_RETAINED_BYTES = 1024 * 1024;
export const RETAINED_BYTES_PER_INTERSECTION = 16 * 1024;
export const DEFAULT_MAX_RETAINED_BYTES_ALL = 32 * 1024 * 1024;

/** The retained quota of a device: `fixed` if given, else the default for what it serves. */
export function retainedQuota(
  device: { intersections: readonly string[] | '*' } | undefined,
  fixed?: number,
): number {
  if (fixed !== undefined) return fixed;
  if (!device) return DEFAULT_MAX_RETAINED_BYTES;
  if (device.intersections === '*') return DEFAULT_MAX_RETAINED_BYTES_ALL;
  return Math.max(
    DEFAULT_MAX_RETAINED_BYTES,
    device.intersections.length * RETAINED_BYTES_PER_INTERSECTION,
  );
}

export type RetainVerdict =
  | { ok: true }
  | { ok: false; reason: 'retain-not-allowed' | 'retained-quota' };

/**
 * Which device holds how many retained bytes. A retained message replaces the previous one on
 * its topic (whoever sent it) and an empty payload clears it, as in the broker's store. The
 * map is bounded by the quotas: every entry costs at least its topic's bytes.
 */
export function createRetainedLedger(
  maxBytesPerDevice: number | ((device: string) => number),
  root: string,
) {
  const quotaOf =
    typeof maxBytesPerDevice === 'number' ? () => maxBytesPerDevice : maxBytesPerDevice;
  const byTopic = new Map<string, { device: string; bytes: number }>();
  const byDevice = new Map<string, number>();
  const add = (device: string, bytes: number) => {
    const total = (byDevice.get(device) ?? 0) + bytes;
    if (total <= 0) byDevice.delete(device);
    else byDevice.set(device, total);
  };

  return {
    /** Judges a retained publish and, when it passes, books it. */
    admit(device: string, topic: string, payloadBytes: number): RetainVerdict {
      const kind = parseTopic(topic, root)?.kind;
      if (kind === undefined || !RETAINED_KINDS.has(kind)) {
        return { ok: false, reason: 'retain-not-allowed' };
      }
      const old = byTopic.get(topic);
      if (payloadBytes === 0) {
        // [MQTT-3.3.1-10] an empty retained message clears the topic
        if (old) add(old.device, -old.bytes);
        byTopic.delete(topic);
        return { ok: true };
      }
      const bytes = Buffer.byteLength(topic) + payloadBytes;
      const mine = (byDevice.get(device) ?? 0) - (old?.device === device ? old.bytes : 0);
      if (mine + bytes > quotaOf(device)) return { ok: false, reason: 'retained-quota' };
      if (old) add(old.device, -old.bytes);
      byTopic.set(topic, { device, bytes });
      add(device, bytes);
      return { ok: true };
    },
    /** Retained bytes booked to `device`. */
    bytesOf: (device: string) => byDevice.get(device) ?? 0,
  };
}

export type RetainedLedger = ReturnType<typeof createRetainedLedger>;
