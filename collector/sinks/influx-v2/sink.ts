/**
 * InfluxDB 2.x/3.x sink through `@influxdata/influxdb-client`:
 * `POST /api/v2/write?org=…&bucket=…&precision=ns` with `Authorization: Token …`; the points are
 * encoded as line protocol here (../line-encoder.ts: cached series keys).
 * The client's own batching, retry buffer and logging are switched off (one write call = one
 * request; the first failure comes straight back): the framework owns batching and retry.
 * No InfluxDB 2.x or 3.x can be installed here (Debian bookworm ships 1.6.7 only), so this sink
 * is tested by the exact request it sends, against a local HTTP server (docs/influxdb.md).
 */
import { HttpError, InfluxDB, type WriteApi } from '@influxdata/influxdb-client';
import { createLineEncoder } from '../line-encoder.ts';
import { kindOfStatus, type Sink, SinkError } from '../types.ts';

export interface InfluxV2Options {
  url: string;
  token: string;
  org: string;
  bucket: string;
  /** per-request timeout, ms (default 10,000) */
  timeoutMs?: number;
  /** gzip bodies above this many bytes (default: never) */
  gzipThreshold?: number;
}

/**
 * @example createInfluxV2Sink({ url: 'http://127.0.0.1:8086', token: 't', org: 'city', bucket: 'traffic' })
 */
export function createInfluxV2Sink(opts: InfluxV2Options): Sink {
  const influx = new InfluxDB({
    url: opts.url,
    token: opts.token,
    timeout: opts.timeoutMs ?? 10_000,
  });
  // One WriteApi per batch, sized to it, so the client never splits or buffers a batch.
  const writeApi = (lines: number): WriteApi =>
    influx.getWriteApi(opts.org, opts.bucket, 'ns', {
      batchSize: lines + 1,
      maxBatchBytes: Number.MAX_SAFE_INTEGER,
      flushInterval: 0,
      maxRetries: 0,
      maxBufferLines: 0,
      gzipThreshold: opts.gzipThreshold ?? Number.MAX_SAFE_INTEGER,
      // Returning a rejected promise hands the error to flush() without retry or logging.
      writeFailed: (error: Error) => Promise.reject(error),
    });
  let closed = false;
  const encoder = createLineEncoder();
  return {
    name: 'influx-v2',
    async write(points) {
      if (points.length === 0) return;
      if (closed) throw new SinkError('influx-v2 write: sink is closed', 'retryable');
      const lines = encoder.encode(points);
      if (lines.length === 0) return;
      const w = writeApi(lines.length);
      w.writeRecords(lines);
      try {
        await w.flush();
      } catch (e) {
        const message = `influx-v2 write: ${(e as Error).message}`;
        if (e instanceof HttpError) {
          throw new SinkError(message, kindOfStatus(e.statusCode), e.statusCode);
        }
        throw new SinkError(message, 'retryable');
      } finally {
        w.dispose();
      }
    },
    async close() {
      closed = true;
    },
  };
}
