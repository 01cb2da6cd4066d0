/**
 * The collector shell: MQTT in → validate and enrich (points.ts) → loss accounting (loss.ts) →
 * the pipeline (batching, spool, retry, dead letters) → a sink; metrics and a periodic log
 * line. Nothing here decides anything the pure modules cannot be tested for.
 */
import { listenError } from '../broker/listeners.ts';
import { createOpsServer } from '../ops/http.ts';
import { defaultClientId } from '../ops/mqtt-options.ts';
import { assertRoot, DEFAULT_ROOT, topics } from '../protocol/index.ts';
import { createLineMapper } from './counts-lines.ts';
import { createIngest } from './ingest.ts';
import { createLossTracker, type LossOptions } from './loss.ts';
import { type CollectorStats, createMetrics } from './metrics.ts';
import { createMqttIn } from './mqtt-in.ts';
import { createPipeline } from './pipeline.ts';
import { createSink, readerFor, type SinkOptions, sinkPlugin } from './sinks/registry.ts';
import { isPermanent } from './sinks/types.ts';
import { createSpool } from './spool.ts';
import { sinkIdentity } from './state-dir.ts';
import type { CountsReader } from './window.ts';

export interface CollectorOptions {
  mqttUrl: string;
  username?: string;
  password?: string;
  /** fixed id of the persistent session (default: the username, else `openphase-collector`) */
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
  /** replay a spool left for another sink into this one (default: refuse to start) */
  forceSpool?: boolean;
  batchSize?: number;
  flushMs?: number;
  idleFlushMs?: number;
  /** subscribe through `$share/{sharedGroup}/…` (Mosquitto 2, EMQX, HiveMQ; aedes has none) */
  sharedGroup?: string;
  /** serve `/metrics` (Prometheus text) and `/health` (JSON) on this port (0 = any free port) */
  metricsPort?: number;
  /** default 127.0.0.1 */
  metricsHost?: string;
  /** periodic log line every this many ms (default 10,000; 0 = off) */
  logEveryMs?: number;
  log?: (line: string) => void;
  loss?: Partial<LossOptions>;
  /** injected wall clock, epoch ms */
  clock?: () => number;
  /**
   * refuse (reject as `implausible-time`) messages whose timestamps lie further than this from
   * the clock: seconds sent as milliseconds, far-future times, each of which would otherwise
   * create an InfluxDB shard. Absent or 0: off. `openphase collector` defaults to 1 day.
   */
  timeWindowMs?: number;
}

export interface Collector {
  start(): Promise<{ metricsPort?: number }>;
  close(): Promise<void>;
  stats(): CollectorStats;
  /** what `/health` serves; `ok` while connected to the broker */
  health(): { ok: boolean } & Record<string, unknown>;
  reader: CountsReader;
  /** Prometheus text of the metrics */
  metricsText(): Promise<string>;
  /** Resolves once everything received so far is in the sink (spool replayed). */
  drained(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

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
  // In a shared group each collector sees only part of each sensor's stream: seq gaps there
  // say nothing, so loss accounting is off (docs/influxdb.md says how to count gaps instead).
  const loss = opts.sharedGroup ? undefined : createLossTracker(opts.loss);
  const sink = createSink(opts.sink);
  const spool = createSpool({
    dir: opts.spoolDir,
    maxBytes: opts.spoolMaxBytes,
    owner: sinkIdentity(opts.sink),
    force: opts.forceSpool,
  });
  let lastSinkLog = Number.NEGATIVE_INFINITY;
  const metrics = createMetrics();
  const { registry, m, stats } = metrics;
  // a sink that only encodes lines gets counts as lines, straight from their bytes
  const lineMapper = sinkPlugin(opts.sink.kind).takesLines ? createLineMapper() : undefined;
  const ingest = createIngest({
    root,
    spoolDir: opts.spoolDir,
    metrics,
    loss,
    push: (points, done) => pipeline.push(points, done),
    clock,
    log,
    ...(opts.timeWindowMs ? { timeWindowMs: opts.timeWindowMs } : {}),
    ...(lineMapper ? { map: lineMapper } : {}),
  });

  const pipeline = createPipeline({
    sink,
    spool,
    batchSize: opts.batchSize,
    flushMs: opts.flushMs,
    idleFlushMs: opts.idleFlushMs,
    deadLetter: (points, reason) => ingest.deadLetter(points, reason),
    // the lane writes later lines over the bytes of points written or spooled
    ...(lineMapper ? { released: (points) => lineMapper.release(points) } : {}),
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
      spoolError(e) {
        log(`collector: spool write failed, will retry: ${(e as Error).message}`);
      },
      sinkError(e) {
        // Logged at most every 10 s: an outage must not flood the log.
        const now = clock();
        if (now - lastSinkLog >= 10_000) {
          lastSinkLog = now;
          log(
            `collector: ${sink.name} write failed (${(e as Error).message}); spooling, will retry`,
          );
        }
        stats.sinkErrors++;
        m.sinkErrors.inc({ kind: isPermanent(e) ? 'permanent' : 'retryable' });
      },
    },
  });

  const clientId = defaultClientId(opts, 'openphase-collector');
  const input = createMqttIn({
    url: opts.mqttUrl,
    username: opts.username,
    password: opts.password,
    clientId,
    // One filter, not `config` plus `#`: aedes 1.x drops a persistent session that has two
    // overlapping subscriptions ("no such packet"). In a shared group every collector still
    // needs every config, so configs come through their own, non-shared subscription first.
    filters: opts.sharedGroup
      ? [[t.filters.config], [`$share/${opts.sharedGroup}/${t.filters.all}`]]
      : [[t.filters.all]],
    onMessage: ingest.onMessage,
    accepting: () => pipeline.accepting(),
    whenAccepting: (cb) => pipeline.whenAccepting(cb),
    log,
    // the other client got the messages we did not see: they are not gaps
    onTakeover: () => ingest.resync(),
  });

  let server: ReturnType<typeof createOpsServer> | undefined;
  let timers: NodeJS.Timeout[] = [];
  let lastLogged = 0;
  let started = false;
  let closing: Promise<void> | undefined;

  function refreshGauges() {
    ingest.syncMetrics();
    const ps = pipeline.stats();
    stats.spoolBytes = ps.spoolBytes;
    stats.paused = !pipeline.accepting();
    stats.heldAcks = input.heldAcks();
    const conn = input.connection();
    stats.connected = conn.connected;
    stats.takeovers = conn.takeovers;
    m.connected.set(conn.connected ? 1 : 0);
    m.reconnects.set(conn.reconnects);
    m.refusals.set(conn.refusals);
    m.takeovers.set(conn.takeovers);
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
        (stats.paused ? ' PAUSED' : '') +
        (stats.connected ? '' : ' DISCONNECTED'),
    );
  }

  /** What `/health` says: connected to the broker and able to keep what arrives. */
  function health() {
    refreshGauges();
    const c = input.connection();
    return {
      ok: c.connected,
      component: 'collector',
      clientId,
      connected: c.connected,
      reconnects: c.reconnects,
      refusals: c.refusals,
      takeovers: c.takeovers,
      ...(c.lastError ? { lastError: c.lastError } : {}),
      paused: stats.paused,
      spoolBytes: stats.spoolBytes,
      received: stats.received,
      written: stats.written,
    };
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
      await server?.close();
      server = undefined;
    })();
    await closing;
  }

  return {
    async start() {
      if (started) throw new Error('collector already started');
      await sink.ready?.(); // a missing database stops the start here, in words
      started = true;
      spool.open();
      const skipped = ingest.loadCachedConfigs();
      if (skipped.length > 0) log(`collector: ignored bad cached configs: ${skipped.join(', ')}`);
      if (spool.batches() > 0)
        log(`collector: ${spool.batches()} spooled batches from a previous run will be replayed`);
      let metricsPort: number | undefined;
      if (opts.metricsPort !== undefined) {
        const host = opts.metricsHost ?? '127.0.0.1';
        server = createOpsServer({
          port: opts.metricsPort,
          host,
          health: () => health(),
          metrics: async () => {
            refreshGauges();
            return registry.metrics();
          },
          contentType: registry.contentType,
        });
        try {
          metricsPort = await server.start();
        } catch (e) {
          // a port in use must not leave a half-started collector holding the process
          const err = listenError(e, 'collector metrics', host, opts.metricsPort);
          await close();
          throw err;
        }
      }
      if (loss) timers.push(setInterval(ingest.tick, 250));
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
    health,
    reader: readerFor(opts.sink, sink),
    async metricsText() {
      refreshGauges();
      return registry.metrics();
    },
    drained: () => pipeline.drained(),
    [Symbol.asyncDispose]: close,
  };
}
