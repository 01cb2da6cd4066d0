/**
 * The collector shell: MQTT in → validate and enrich (points.ts) → loss accounting (loss.ts) →
 * the pipeline (batching, spool, retry, dead letters) → a sink; metrics and a periodic log
 * line. Nothing here decides anything the pure modules cannot be tested for.
 */
import { mkdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { assertRoot, DEFAULT_ROOT, topics } from '../protocol/index.ts';
import { loadConfigs, saveConfig } from './config-cache.ts';
import { encodePoint, encodePoints } from './line-protocol.ts';
import { createLossTracker, type Gap, type LossOptions } from './loss.ts';
import { type CollectorStats, createMetrics } from './metrics.ts';
import { createMqttIn } from './mqtt-in.ts';
import { createPipeline } from './pipeline.ts';
import { gapPoint, rejectedPoint, toPoints } from './points.ts';
import { readerFor } from './readers.ts';
import { type IntersectionIndex, indexConfig } from './schema.ts';
import { createSink, type SinkOptions } from './sinks/registry.ts';
import { isPermanent } from './sinks/types.ts';
import { createSpool } from './spool.ts';
import type { CountsReader } from './window.ts';

export interface CollectorOptions {
  mqttUrl: string;
  username?: string;
  password?: string;
  /** fixed id of the persistent session (default `openphase-collector`) */
  clientId?: string;
  /** topic root (default `traffic`) */
  root?: string;
  sink: SinkOptions;
  /**
   * the spool directory; dead letters go to `{spoolDir}/dead-letter/`, learned intersection
   * configs to `{spoolDir}/configs/`
   */
  spoolDir: string;
  /** default 1 GiB */
  spoolMaxBytes?: number;
  batchSize?: number;
  flushMs?: number;
  idleFlushMs?: number;
  /** subscribe through `$share/{sharedGroup}/…` (Mosquitto 2, EMQX, HiveMQ; aedes has none) */
  sharedGroup?: string;
  /** serve Prometheus text on this port (0 = any free port) */
  metricsPort?: number;
  /** default 127.0.0.1 */
  metricsHost?: string;
  /** periodic log line every this many ms (default 10,000; 0 = off) */
  logEveryMs?: number;
  log?: (line: string) => void;
  loss?: Partial<LossOptions>;
  /** injected wall clock, epoch ms */
  clock?: () => number;
}

export interface Collector {
  start(): Promise<{ metricsPort?: number }>;
  close(): Promise<void>;
  stats(): CollectorStats;
  reader: CountsReader;
  /** Prometheus text of the metrics */
  metricsText(): Promise<string>;
  /** Resolves once everything received so far is in the sink (spool replayed). */
  drained(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Most intersection configs remembered for enrichment. */
const MAX_CONFIGS = 10_000;

/**
 * @example
 * const c = createCollector({ mqttUrl: 'mqtt://127.0.0.1:1883', sink: { kind: 'embedded', dir: 'data' }, spoolDir: 'spool' });
 * await c.start();
 */
export function createCollector(opts: CollectorOptions): Collector {
  const root = assertRoot(opts.root ?? DEFAULT_ROOT);
  const clock = opts.clock ?? Date.now;
  const log = opts.log ?? ((l: string) => console.log(l));
  const t = topics(root);
  const intersections = new Map<string, IntersectionIndex>();
  const { registry, m, stats } = createMetrics();
  // In a shared group each collector sees only part of each sensor's stream: seq gaps there
  // say nothing, so loss accounting is off (docs/influxdb.md says how to count gaps instead).
  const loss = opts.sharedGroup ? undefined : createLossTracker(opts.loss);
  const sink = createSink(opts.sink);
  const spool = createSpool({ dir: opts.spoolDir, maxBytes: opts.spoolMaxBytes });
  const deadDir = join(opts.spoolDir, 'dead-letter');
  const configDir = join(opts.spoolDir, 'configs');
  const savedConfigs = new Map<string, string>();
  let rejectSeq = 0;

  const pipeline = createPipeline({
    sink,
    spool,
    batchSize: opts.batchSize,
    flushMs: opts.flushMs,
    idleFlushMs: opts.idleFlushMs,
    deadLetter,
    events: {
      written(n, s) {
        stats.written += n;
        m.written.inc(n);
        m.batchSeconds.observe(s);
      },
      spooled(n) {
        stats.spooled += n;
        m.spooled.inc(n);
      },
      replayed(n) {
        stats.replayed += n;
        m.replayed.inc(n);
      },
      deadLettered(n) {
        stats.deadLettered += n;
        m.deadLettered.inc(n);
      },
      sinkError(e) {
        stats.sinkErrors++;
        m.sinkErrors.inc({ kind: isPermanent(e) ? 'permanent' : 'retryable' });
      },
    },
  });

  /** Refused points: appended to a file (fsync) and recorded as `rejected` points. */
  async function deadLetter(points: string[], reason: string) {
    mkdirSync(deadDir, { recursive: true });
    const h = await open(join(deadDir, 'dead-letter.lp'), 'a');
    try {
      await h.appendFile(
        `# ${new Date(clock()).toISOString()} ${reason.replace(/\n/g, ' ')}\n${points.join('\n')}\n`,
      );
      await h.sync();
    } finally {
      await h.close();
    }
    stats.rejected += points.length;
    stats.rejectedByReason['sink-refused'] =
      (stats.rejectedByReason['sink-refused'] ?? 0) + points.length;
    m.rejected.inc({ reason: 'sink-refused' }, points.length);
    const lines: string[] = [];
    for (const p of points) {
      if (p.startsWith('rejected,')) continue; // never a dead letter about a dead letter
      const rp = rejectedPoint(
        '',
        p,
        'sink-refused',
        reason,
        { receivedMs: clock(), rejectSeq: rejectSeq++ },
        'point',
      );
      const line = encodePoint(rp);
      if (line) lines.push(line);
    }
    if (lines.length > 0) pipeline.push(lines);
  }

  function pushGaps(gaps: Gap[], into: string[]) {
    for (const g of gaps) {
      stats.gapRecords++;
      stats.gaps += g.missing;
      m.gapRecords.inc();
      m.gaps.inc(g.missing);
      const line = encodePoint(gapPoint(g));
      if (line) into.push(line);
      log(
        `collector: gap: ${g.intersection}/${g.sensor} boot ${g.boot} missed seq ${g.fromSeq}..${g.toSeq} (${g.missing})`,
      );
    }
  }

  function onMessage(topic: string, payload: Buffer, durable: () => void) {
    const now = clock();
    const r = toPoints(topic, payload, {
      root,
      intersections,
      receivedMs: now,
      rejectSeq: rejectSeq++,
    });
    stats.received++;
    stats.receivedByKind[r.kind] = (stats.receivedByKind[r.kind] ?? 0) + 1;
    m.received.inc({ kind: r.kind });
    if (r.rejected) {
      stats.rejected++;
      const reason = r.rejected.reason;
      stats.rejectedByReason[reason] = (stats.rejectedByReason[reason] ?? 0) + 1;
      m.rejected.inc({ reason });
    }
    if (r.config && (intersections.has(r.config.id) || intersections.size < MAX_CONFIGS)) {
      intersections.set(r.config.id, indexConfig(r.config));
      const config = r.config;
      const text = JSON.stringify(config);
      if (savedConfigs.get(config.id) !== text) {
        savedConfigs.set(config.id, text);
        saveConfig(configDir, config).catch((e: Error) =>
          log(`collector: could not keep config of ${config.id}: ${e.message}`),
        );
      }
    }
    if (r.unenriched > 0) {
      stats.unenriched += r.unenriched;
      m.unenriched.inc(r.unenriched);
    }
    const lines = encodePoints(r.points);
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
      pushGaps(o.gaps, lines);
    }
    pipeline.push(lines, durable);
  }

  const input = createMqttIn({
    url: opts.mqttUrl,
    username: opts.username,
    password: opts.password,
    clientId: opts.clientId ?? 'openphase-collector',
    // One filter, not `config` plus `#`: aedes 1.x drops a persistent session that has two
    // overlapping subscriptions ("no such packet"). In a shared group every collector still
    // needs every config, so configs come through their own, non-shared subscription first.
    filters: opts.sharedGroup
      ? [[t.filters.config], [`$share/${opts.sharedGroup}/${t.filters.all}`]]
      : [[t.filters.all]],
    onMessage,
    accepting: () => pipeline.accepting(),
    whenAccepting: (cb) => pipeline.whenAccepting(cb),
    log,
  });

  let server: Server | undefined;
  let timers: NodeJS.Timeout[] = [];
  let lastLogged = 0;
  let started = false;
  let closing: Promise<void> | undefined;

  function refreshGauges() {
    const ps = pipeline.stats();
    stats.spoolBytes = ps.spoolBytes;
    stats.paused = !pipeline.accepting();
    stats.heldAcks = input.heldAcks();
    m.spoolBytes.set(ps.spoolBytes);
    m.paused.set(stats.paused ? 1 : 0);
    m.heldAcks.set(stats.heldAcks);
  }

  function logLine() {
    refreshGauges();
    const d = stats.received - lastLogged;
    lastLogged = stats.received;
    log(
      `collector: received ${stats.received} (+${d}) written ${stats.written} rejected ${stats.rejected} ` +
        `spooled ${stats.spooled} replayed ${stats.replayed} spool ${stats.spoolBytes}B ` +
        `gaps ${stats.gapRecords}/${stats.gaps} dups ${stats.duplicates} dead ${stats.deadLettered}` +
        (stats.paused ? ' PAUSED' : ''),
    );
  }

  async function close() {
    if (!started) return;
    closing ??= (async () => {
      for (const tm of timers) clearInterval(tm);
      timers = [];
      // Flush first so the last batch's PUBACKs still go out, then leave the broker.
      await pipeline.close();
      await input.close();
      await sink.close?.();
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
      server = undefined;
    })();
    await closing;
  }

  return {
    async start() {
      if (started) throw new Error('collector already started');
      started = true;
      spool.open();
      const cached = loadConfigs(configDir);
      for (const config of cached.configs.slice(0, MAX_CONFIGS)) {
        intersections.set(config.id, indexConfig(config));
        savedConfigs.set(config.id, JSON.stringify(config));
      }
      if (cached.skipped.length > 0)
        log(`collector: ignored bad cached configs: ${cached.skipped.join(', ')}`);
      if (spool.batches() > 0)
        log(`collector: ${spool.batches()} spooled batches from a previous run will be replayed`);
      let metricsPort: number | undefined;
      if (opts.metricsPort !== undefined) {
        const srv = createServer(async (req, res) => {
          if (req.url !== '/metrics') {
            res.writeHead(404).end('see /metrics\n');
            return;
          }
          refreshGauges();
          res
            .writeHead(200, { 'content-type': registry.contentType })
            .end(await registry.metrics());
        });
        server = srv;
        await new Promise<void>((resolve, reject) => {
          srv.once('error', reject);
          srv.listen(opts.metricsPort, opts.metricsHost ?? '127.0.0.1', () => resolve());
        });
        metricsPort = (srv.address() as AddressInfo).port;
      }
      if (loss) {
        timers.push(
          setInterval(() => {
            const lines: string[] = [];
            pushGaps(loss.tick(clock()), lines);
            if (lines.length > 0) pipeline.push(lines);
          }, 250),
        );
      }
      const every = opts.logEveryMs ?? 10_000;
      if (every > 0) timers.push(setInterval(logLine, every));
      try {
        pipeline.resume(); // replay a previous run's spool, if any
        await input.start();
      } catch (e) {
        await close();
        throw e;
      }
      return { metricsPort };
    },
    close,
    stats() {
      refreshGauges();
      return structuredClone(stats);
    },
    reader: readerFor(opts.sink, sink),
    async metricsText() {
      refreshGauges();
      return registry.metrics();
    },
    drained: () => pipeline.drained(),
    [Symbol.asyncDispose]: close,
  };
}
