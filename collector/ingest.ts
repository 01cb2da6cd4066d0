/**
 * What the collector does with each message (shell, no sockets): validate and map it
 * (points.ts), learn configs, account for loss (loss.ts), count it, and hand its points to the
 * pipeline with the message's durability callback. Also keeps the points the sink refused.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDirs } from '../ops/make-dirs.ts';
import type { IntersectionConfig } from '../protocol/index.ts';
import { loadConfigs, saveConfig } from './config-cache.ts';
import type { Mapper } from './counts-lines.ts';
import { encodePoint } from './line-protocol.ts';
import type { Gap, LossTracker } from './loss.ts';
import type { Metrics } from './metrics.ts';
import type { Point } from './point.ts';
import {
  createSeriesCache,
  gapPoint,
  MAX_UNKNOWN_DETECTORS,
  type MapContext,
  rejectedPoint,
  toPoints,
} from './points.ts';
import { createRejectionLog } from './rejections.ts';
import { type IntersectionIndex, indexConfig, MEASUREMENTS } from './schema.ts';

/** Most intersections remembered (configs, and detector ids without config). */
export const MAX_INTERSECTIONS = 10_000;

export interface IngestOptions {
  root: string;
  /** where refused points and learned configs are kept */
  spoolDir: string;
  metrics: Metrics;
  /** undefined: no loss accounting (shared subscription groups) */
  loss: LossTracker | undefined;
  /** hands points to the pipeline; `done` once they are durable */
  push(points: Point[], done?: () => void): void;
  clock(): number;
  log(line: string): void;
  /** refuse messages whose timestamps are further than this from the clock; 0/absent: off */
  timeWindowMs?: number;
  /**
   * message → points: `toPoints` (default), or the counts fast lane (`createLineMapper()`) for a
   * sink that takes lines
   */
  map?: Mapper;
}

export function createIngest(opts: IngestOptions) {
  const { metrics, loss, clock, log, push, root } = opts;
  const { m, stats } = metrics;
  const intersections = new Map<string, IntersectionIndex>();
  const savedConfigs = new Map<string, string>();
  const unknownDetectors = new Map<string, Set<string>>();
  /** messages by kind already added to the Prometheus counter (`syncMetrics`) */
  const receivedSynced = new Map<string, number>();
  const deadDir = join(opts.spoolDir, 'dead-letter');
  const configDir = join(opts.spoolDir, 'configs');
  let rejectSeq = 0;
  const rejections = createRejectionLog({
    root,
    log,
    now: clock,
    count: (source, reason) => m.rejectedBySource.inc({ source, reason }),
  });

  function learn(config: IntersectionConfig, save: boolean) {
    if (!intersections.has(config.id) && intersections.size >= MAX_INTERSECTIONS) return;
    intersections.set(config.id, indexConfig(config));
    const text = JSON.stringify(config);
    if (savedConfigs.get(config.id) === text) return;
    savedConfigs.set(config.id, text);
    if (save) {
      saveConfig(configDir, config).catch((e: Error) =>
        log(`collector: could not keep config of ${config.id}: ${e.message}`),
      );
    }
  }

  /** Refused points: appended to a file as line protocol (fsync) and recorded as `rejected` points. */
  async function deadLetter(points: Point[], reason: string) {
    const lines: string[] = [];
    for (const p of points) lines.push(encodePoint(p) ?? JSON.stringify(p));
    makeDirs(deadDir);
    const h = await open(join(deadDir, 'dead-letter.lp'), 'a');
    try {
      await h.appendFile(
        `# ${new Date(clock()).toISOString()} ${reason.replace(/\n/g, ' ')}\n${lines.join('\n')}\n`,
      );
      await h.sync();
    } finally {
      await h.close();
    }
    stats.rejected += points.length;
    stats.rejectedByReason['sink-refused'] =
      (stats.rejectedByReason['sink-refused'] ?? 0) + points.length;
    m.rejected.inc({ reason: 'sink-refused' }, points.length);
    const rejected: Point[] = [];
    points.forEach((p, i) => {
      if (p.measurement === MEASUREMENTS.rejected) return; // never a dead letter about a dead letter
      rejected.push(
        rejectedPoint(
          '',
          lines[i]!,
          'sink-refused',
          reason,
          { receivedMs: clock(), rejectSeq: rejectSeq++ },
          'point',
        ),
      );
    });
    if (rejected.length > 0) push(rejected);
  }

  /** Bounded: MAX_UNKNOWN_DETECTORS ids per intersection, for MAX_INTERSECTIONS intersections. */
  function admitUnknown(intersection: string, detector: string): boolean {
    let seen = unknownDetectors.get(intersection);
    if (!seen) {
      if (unknownDetectors.size >= MAX_INTERSECTIONS) return false;
      seen = new Set();
      unknownDetectors.set(intersection, seen);
    }
    if (seen.has(detector)) return true;
    if (seen.size >= MAX_UNKNOWN_DETECTORS) return false;
    seen.add(detector);
    return true;
  }

  function pushGaps(gaps: readonly Gap[], into: Point[]) {
    for (const g of gaps) {
      stats.gapRecords++;
      stats.gaps += g.missing;
      m.gapRecords.inc();
      m.gaps.inc(g.missing);
      if (g.tail) {
        stats.tailGaps++;
        m.tailGaps.inc();
      }
      into.push(gapPoint(g));
      log(
        `collector: ${g.tail ? 'tail gap' : 'gap'}: ${g.intersection}/${g.sensor} boot ${g.boot} missed seq ${g.fromSeq}..${g.toSeq} (${g.missing})`,
      );
    }
  }

  /** One context for every message (toPoints reads it and keeps nothing of it). */
  const ctx: MapContext = {
    root,
    intersections,
    receivedMs: 0,
    rejectSeq: 0,
    admitUnknown,
    series: createSeriesCache(),
    topics: new Map(),
  };
  const map = opts.map ?? toPoints;
  // one object, its clock reading updated per message
  const timeWindow = opts.timeWindowMs ? { nowMs: 0, windowMs: opts.timeWindowMs } : undefined;
  if (timeWindow) ctx.timeWindow = timeWindow;

  function onMessage(topic: string, payload: Buffer, durable: () => void) {
    const now = clock();
    ctx.receivedMs = now;
    if (timeWindow) timeWindow.nowMs = now;
    ctx.rejectSeq = rejectSeq++;
    const r = map(topic, payload, ctx);
    stats.received++;
    // the Prometheus counter follows from this one when metrics are read (`syncMetrics`)
    stats.receivedByKind[r.kind] = (stats.receivedByKind[r.kind] ?? 0) + 1;
    if (r.rejected) {
      stats.rejected++;
      const reason = r.rejected.reason;
      stats.rejectedByReason[reason] = (stats.rejectedByReason[reason] ?? 0) + 1;
      m.rejected.inc({ reason });
      rejections.rejected(topic, reason, r.rejected.detail);
    }
    if (r.config) learn(r.config, true);
    if (r.unenriched > 0) {
      stats.unenriched += r.unenriched;
      m.unenriched.inc(r.unenriched);
    }
    const { points } = r;
    // [protocol v1: status lastSeq] the sensor says where its stream ends: a missing tail shows
    if (r.lastSeq && loss) loss.expect(r.lastSeq, now);
    if (r.counts && loss) {
      const o = loss.observe(r.counts, now);
      if (o.duplicate) {
        stats.duplicates++;
        m.duplicates.inc();
      }
      if (o.late) {
        stats.late++;
        m.late.inc();
      }
      pushGaps(o.gaps, points);
    }
    push(points, durable);
  }

  return {
    onMessage,
    deadLetter,
    /**
     * Brings the messages-received counter up to date (call before the metrics are read): it
     * moves once per read, not once per message, which cost a label lookup and an update each.
     */
    syncMetrics() {
      for (const [kind, n] of Object.entries(stats.receivedByKind)) {
        const d = n - (receivedSynced.get(kind) ?? 0);
        if (d > 0) {
          m.received.inc({ kind }, d);
          receivedSynced.set(kind, n);
        }
      }
    },
    /** Declares the holes whose reorder window has passed; call periodically. */
    tick() {
      if (!loss) return;
      const points: Point[] = [];
      pushGaps(loss.tick(clock()), points);
      if (points.length > 0) push(points);
    },
    /** Another client held our session: forget stream positions, declare no gap for it. */
    resync() {
      loss?.resync();
    },
    /** Loads the configs a previous run kept; returns the files it could not use. */
    loadCachedConfigs(): string[] {
      const cached = loadConfigs(configDir);
      for (const config of cached.configs) learn(config, false);
      return cached.skipped;
    },
  };
}

export type Ingest = ReturnType<typeof createIngest>;
