/**
 * The sink contract against every sink, and the exact requests of the InfluxDB 2.x sink.
 * - influx-v1: a real InfluxDB 1.6.7.
 * - embedded: its files loaded with the real `influx -import` into that InfluxDB and read back.
 * - influx-v2: no InfluxDB 2.x/3.x can be installed here (Debian bookworm has 1.6.7 only;
 *   `apt-cache policy influxdb2` finds nothing), so a local HTTP server records its requests, and
 *   the contract reads back what InfluxDB would hold after exactly those requests
 *   ({@link storedByInflux}).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLine, pointOf } from '../../collector/line-protocol.ts';
import { int, type Point } from '../../collector/point.ts';
import { createEmbeddedSink } from '../../collector/sinks/embedded/index.ts';
import { createInfluxV1Sink } from '../../collector/sinks/influx-v1/index.ts';
import { createInfluxV2Sink } from '../../collector/sinks/influx-v2/index.ts';
import { isPermanent, SinkError } from '../../collector/sinks/types.ts';
import { requireBinary } from '../../rigs/binaries.ts';
import { type InfluxDBServer, startInfluxDB } from '../../rigs/influxdb.ts';
import { freePort } from '../../rigs/ports.ts';
import { runSinkContract, type StoredPoint } from '../contracts/sink.contract.ts';
import { createDatabase, readPoints } from './collector-influx-read.ts';

const run = promisify(execFile);
let influx: InfluxDBServer;
let n = 0;
const tmpDirs: string[] = [];

beforeAll(async () => {
  influx = await startInfluxDB();
});
afterAll(async () => {
  await influx?.stop();
  for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
});

async function deadUrl() {
  return `http://127.0.0.1:${await freePort()}`;
}

runSinkContract({
  sink: 'influx-v1',
  name: 'influx-v1 (real InfluxDB 1.6.7)',
  async create() {
    const db = `contract_v1_${++n}`;
    const url = await deadUrl();
    return {
      sink: createInfluxV1Sink({ url: influx.url, database: db, createDatabase: true }),
      readBack: (m) => readPoints(influx.url, db, m).catch(() => []),
      unreachable: () =>
        createInfluxV1Sink({ url, database: db, timeoutMs: 2000, createDatabase: true }),
      dispose: async () => {},
    };
  },
});

runSinkContract({
  sink: 'embedded',
  name: 'embedded (files loaded with influx -import into InfluxDB 1.6.7)',
  async create() {
    const db = `contract_emb_${++n}`;
    const dir = mkdtempSync(join(tmpdir(), 'op-embedded-'));
    tmpDirs.push(dir);
    const sink = createEmbeddedSink({ dir, database: db });
    return {
      sink,
      async readBack(m) {
        await createDatabase(influx.url, db);
        const { port } = new URL(influx.url);
        for (const file of sink.files()) {
          const { stdout } = await run(requireBinary('influx'), [
            '-host',
            '127.0.0.1',
            '-port',
            port,
            '-import',
            '-path',
            file,
            '-precision',
            'ns',
          ]);
          expect(stdout + '').not.toMatch(/Failed [1-9]/);
        }
        return readPoints(influx.url, db, m).catch(() => []);
      },
      // A directory that cannot exist: under a regular file.
      unreachable: () => createEmbeddedSink({ dir: '/dev/null/op-store' }),
      dispose: async () => sink.close?.(),
    };
  },
});

/** A local server that answers like InfluxDB 2.x's write endpoint and records every request. */
async function fakeV2(answer: (req: IncomingMessage, body: string) => number = () => 204) {
  const requests: Array<{
    method: string;
    url: string;
    headers: IncomingMessage['headers'];
    body: string;
    status: number;
  }> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const status = answer(req, body);
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        status,
      });
      if (status < 0) return; // never answer: a hung server
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(
        status === 204 ? '' : JSON.stringify({ code: 'invalid', message: `status ${status}` }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const NS_PER = { ns: 1n, us: 1_000n, ms: 1_000_000n, s: 1_000_000_000n } as const;

/**
 * What InfluxDB 2.x holds in `measurement` after the recorded requests, by its documented write
 * rules: only accepted requests (204) count; each line's time is read in the request's
 * `precision` (a line without a time gets the server's clock, so it would be a new point every
 * time); a point is identified by measurement, tag set and time, and a later write of the same
 * point replaces the fields it names. Sorted by time, like the other harnesses' reads.
 * This models the server's storage (it cannot be installed here); what it is fed is the exact
 * bytes the sink sent.
 */
function storedByInflux(
  requests: Array<{ url: string; body: string; status: number }>,
  measurement: string,
): StoredPoint[] {
  const held = new Map<string, StoredPoint>();
  let clock = 0n;
  for (const r of requests) {
    if (r.status !== 204) continue;
    const precision = new URL(r.url, 'http://x').searchParams.get('precision') ?? 'ns';
    const scale = NS_PER[precision as keyof typeof NS_PER];
    if (scale === undefined) throw new Error(`unknown precision ${precision}`);
    for (const line of r.body.split('\n')) {
      const p = parseLine(line);
      if (!p || p.measurement !== measurement) continue;
      const timeNs = p.timeNs
        ? `${BigInt(p.timeNs) * scale}`
        : `${BigInt(Date.now()) * 1_000_000n + clock++}`;
      const tags = Object.fromEntries(Object.entries(p.tags).sort(([a], [b]) => (a < b ? -1 : 1)));
      const fields = Object.fromEntries(
        Object.entries(p.fields).map(([k, v]) => [k, typeof v === 'object' ? v.int : v]),
      );
      const id = JSON.stringify([tags, timeNs]);
      const before = held.get(id);
      held.set(id, { tags, fields: { ...before?.fields, ...fields }, timeNs });
    }
  }
  return [...held.values()].sort((a, b) => {
    const d = BigInt(a.timeNs) - BigInt(b.timeNs);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  });
}

runSinkContract({
  sink: 'influx-v2',
  name: 'influx-v2 (local HTTP server recording /api/v2/write; InfluxDB write rules applied)',
  async create() {
    // Refuses what InfluxDB would refuse, as InfluxDB 2.x answers: 400 for a line it cannot
    // parse, 422 for a field whose type conflicts with the one stored.
    const types = new Map<string, string>();
    const typeOf = (v: unknown) => (typeof v === 'object' ? 'integer' : typeof v);
    const srv = await fakeV2((_req, body) => {
      const lines = body.split('\n').map(parseLine);
      if (lines.some((l) => l === undefined)) return 400;
      for (const l of lines) {
        for (const [k, v] of Object.entries(l!.fields)) {
          const t = types.get(`${l!.measurement} ${k}`);
          if (t !== undefined && t !== typeOf(v)) return 422;
        }
      }
      for (const l of lines) {
        for (const [k, v] of Object.entries(l!.fields)) {
          if (!types.has(`${l!.measurement} ${k}`)) types.set(`${l!.measurement} ${k}`, typeOf(v));
        }
      }
      return 204;
    });
    const sink = createInfluxV2Sink({ url: srv.url, token: 't', org: 'o', bucket: 'b' });
    const url = await deadUrl();
    return {
      sink,
      readBack: async (m) => storedByInflux(srv.requests, m),
      unreachable: () =>
        createInfluxV2Sink({ url, token: 't', org: 'o', bucket: 'b', timeoutMs: 2000 }),
      dispose: () => srv.close(),
    };
  },
});

describe('influx-v2 sink: the exact /api/v2/write request', () => {
  it('posts the lines with org, bucket, ns precision and the token header', async () => {
    const srv = await fakeV2();
    try {
      const sink = createInfluxV2Sink({
        url: srv.url,
        token: 's3cr3t-token',
        org: 'city of x',
        bucket: 'traffic/raw',
      });
      const lines = [
        'counts,detector=N-through-stop,intersection=a count=3i,seq=1i 1764340000000000000',
        'rejected,reason=schema payload="a \\"q\\"",bytes=5i 1764340000000000007',
      ];
      await sink.write(lines.map((l) => pointOf(parseLine(l)!)));
      expect(srv.requests).toHaveLength(1);
      const r = srv.requests[0]!;
      expect(r.method).toBe('POST');
      const u = new URL(r.url, srv.url);
      expect(u.pathname).toBe('/api/v2/write');
      expect(Object.fromEntries(u.searchParams)).toEqual({
        org: 'city of x',
        bucket: 'traffic/raw',
        precision: 'ns',
      });
      expect(r.headers.authorization).toBe('Token s3cr3t-token');
      expect(r.headers['content-type']).toBe('text/plain; charset=utf-8');
      expect(r.headers['content-encoding']).toBeUndefined();
      expect(r.body).toBe(lines.join('\n'));
      await sink.write([]);
      expect(srv.requests).toHaveLength(1); // nothing sent for an empty batch
      await sink.close?.();
    } finally {
      await srv.close();
    }
  });

  it('sends a point written twice byte-identically, time included, so InfluxDB overwrites it', async () => {
    const srv = await fakeV2();
    try {
      const sink = createInfluxV2Sink({ url: srv.url, token: 't', org: 'o', bucket: 'b' });
      const line =
        'counts,approach=N,detector=N-through-stop,intersection=a,movement=N-through,sensor=s1 count=3i,seq=7i 1764340000000000000';
      const p = pointOf(parseLine(line)!);
      await sink.write([p]);
      await sink.write([p, p]);
      expect(srv.requests.map((r) => r.body)).toEqual([line, `${line}\n${line}`]);
      for (const r of srv.requests) {
        expect(new URL(r.url, srv.url).searchParams.get('precision')).toBe('ns');
      }
      // …which InfluxDB's write rules keep as one point (the contract's read-back, above).
      expect(storedByInflux(srv.requests, 'counts')).toHaveLength(1);
      await sink.close?.();
    } finally {
      await srv.close();
    }
  });

  it('classifies answers: 400/413/422 permanent; auth, missing bucket, 429, 5xx, timeout retryable', async () => {
    let status = 204;
    const srv = await fakeV2(() => status);
    try {
      const sink = createInfluxV2Sink({
        url: srv.url,
        token: 't',
        org: 'o',
        bucket: 'b',
        timeoutMs: 500,
      });
      const line: Point[] = [
        { measurement: 'm', tags: {}, fields: { v: int(1) }, timeMs: 0, subMsNs: 1 },
      ];
      for (const [s, permanent] of [
        [400, true],
        [413, true],
        [422, true],
        [401, false],
        [403, false],
        [404, false],
        [429, false],
        [500, false],
        [503, false],
      ] as const) {
        status = s;
        const err = await sink.write(line).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err, String(s)).toBeInstanceOf(SinkError);
        expect(isPermanent(err), String(s)).toBe(permanent);
        expect((err as SinkError).status).toBe(s);
      }
      status = -1;
      const hung = await sink.write(line).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isPermanent(hung)).toBe(false);
      status = 204;
      await sink.write(line); // and it recovers, with nothing left over from failed writes
      expect(srv.requests.at(-1)?.body).toBe('m v=1i 1');
    } finally {
      await srv.close();
    }
  });
});
