/**
 * Points → line protocol for the sinks that speak it (InfluxDB 1.x, 2.x/3.x, the embedded
 * store's files), with a series-key cache: the hot path (every counts point) computes its series
 * key — sorted, escaped tags — once per series, and looks it up after that. The output is exactly
 * `encodePoints` of collector/line-protocol.ts (a property test holds the two together).
 *
 * `body()` writes a batch's lines straight into bytes (the HTTP request body): the cached series
 * key as bytes, integers as digits, plain text byte by byte. Building a string per line and then
 * encoding each one was a third of the collector's CPU per point (profile of `bench:ingest`).
 *
 * Points kept as their line (`Point.encoded`: the counts fast lane's `LinePoint`s) are not
 * encoded again: `body()` copies their bytes, a run of lines that lie one after the other in one
 * copy, and `pieces()` hands those runs out as views for the socket to gather, uncopied.
 *
 * The cache is a trie over the measurement and the tags in the order the point lists them; it
 * holds nothing but what `seriesKey` would compute again. Bound: `maxKeys` series keys (the
 * trie is cleared at the bound; it refills from the points that follow).
 */
import { encodeField, escapeKey, escapeString, nanos, seriesKey } from '../line-protocol.ts';
import type { FieldValue, Point } from '../point.ts';

export interface LineEncoder {
  /** One line per point; points with no usable field are left out. */
  encode(points: readonly Point[]): string[];
  /**
   * The same lines as UTF-8 bytes, newline-separated, no trailing newline (a `/write` body);
   * empty when no point has a usable field.
   */
  body(points: readonly Point[]): Buffer;
  /**
   * The bytes of `body()` in pieces, for a socket to gather: lines kept as bytes are views of
   * those bytes (not copied); what is encoded here is copied out.
   */
  pieces(points: readonly Point[]): Buffer[];
  /** series keys held */
  size(): number;
}

/**
 * A trie node. Points of one kind list the same tag keys in the same order, so a node expects
 * one tag key (`tag`) and looks up only the value; another key goes through `otherKeys`.
 */
interface Node {
  tag: string | undefined;
  byValue: Map<string, Node> | undefined;
  otherKeys: Map<string, Node> | undefined;
  key: string | undefined;
  /** `key` as UTF-8 bytes, made on first use by `body()` */
  keyBytes: Buffer | undefined;
}
const NEWLINE = Buffer.from('\n');

const node = (): Node => ({
  tag: undefined,
  byValue: undefined,
  otherKeys: undefined,
  key: undefined,
  keyBytes: undefined,
});

function next(n: Node, tag: string, value: string): Node {
  let at = n;
  if (n.tag === undefined) n.tag = tag;
  else if (n.tag !== tag) {
    n.otherKeys ??= new Map();
    let k = n.otherKeys.get(tag);
    if (k === undefined) {
      k = node();
      k.tag = tag;
      n.otherKeys.set(tag, k);
    }
    at = k;
  }
  at.byValue ??= new Map();
  let c = at.byValue.get(value);
  if (c === undefined) {
    c = node();
    at.byValue.set(value, c);
  }
  return c;
}

/** Field keys are few (the collector's schema): their escaped text is kept. Bound: 10,000. */
const MAX_FIELD_KEYS = 10_000;

/** @example createLineEncoder().encode([{ measurement: 'm', tags: {}, fields: { v: 1 }, timeMs: 5 }]) // ['m v=1 5000000'] */
export function createLineEncoder(maxKeys = 100_000): LineEncoder {
  let root = node();
  let size = 0;
  const fieldKeys = new Map<string, string>();

  /** Nodes by `Point.series`: one lookup instead of a walk down the trie. Same bound. */
  let bySeries = new Map<object, Node>();

  /** The trie node holding the point's series key (a detached one past the bound). */
  function nodeOf(p: Point): Node | undefined {
    const series = p.series;
    if (series === undefined) return walk(p);
    let n = bySeries.get(series);
    if (n === undefined) {
      n = walk(p);
      if (n === undefined) return undefined;
      if (bySeries.size >= maxKeys) bySeries = new Map();
      bySeries.set(series, n);
    }
    return n;
  }

  function walk(p: Point): Node | undefined {
    let n = next(root, '', p.measurement);
    const tags = p.tags;
    for (const k in tags) {
      const v = tags[k];
      if (v === undefined || v === '' || k === '') continue;
      n = next(n, k, v);
    }
    if (n.key !== undefined) return n;
    const key = seriesKey(p.measurement, tags);
    if (key === undefined) return undefined;
    if (size >= maxKeys) {
      root = node();
      size = 0;
      n = node(); // not kept
    } else size++;
    n.key = key;
    return n;
  }

  function keyOf(p: Point): string | undefined {
    return nodeOf(p)?.key;
  }

  function fieldKey(k: string): string {
    let e = fieldKeys.get(k);
    if (e === undefined) {
      e = escapeKey(k);
      if (fieldKeys.size < MAX_FIELD_KEYS) fieldKeys.set(k, e);
    }
    return e;
  }

  function fieldsOf(fields: Readonly<Record<string, FieldValue | undefined>>): string {
    let out = '';
    for (const k in fields) {
      const v = fields[k];
      if (v === undefined || k === '') continue;
      const enc = encodeField(v);
      if (enc === undefined) continue;
      out = out === '' ? `${fieldKey(k)}=${enc}` : `${out},${fieldKey(k)}=${enc}`;
    }
    return out;
  }

  // The points of one message share their time: its text is kept for the next point.
  let lastMs = Number.NaN;
  let lastTime = '';
  function timeOf(p: Point): string {
    if (p.subMsNs) return nanos(p.timeMs, p.subMsNs);
    if (p.timeMs !== lastMs) {
      lastMs = p.timeMs;
      lastTime = nanos(p.timeMs);
    }
    return lastTime;
  }

  // body(): the batch is written into `buf` (grown as needed), which a large body keeps.
  let buf = Buffer.allocUnsafe(1 << 16);
  let o = 0;
  function room(n: number) {
    if (o + n <= buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(o + n, buf.length * 2));
    buf.copy(bigger, 0, 0, o);
    buf = bigger;
  }
  /** Any text as UTF-8: byte by byte while it is ASCII (short strings: cheaper than a native call). */
  function text(s: string) {
    const n = s.length;
    room(n * 3);
    const start = o;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) {
        o = start + buf.write(s, start, 'utf8');
        return;
      }
      buf[o++] = c;
    }
  }
  /** A safe integer's decimal digits. */
  function digits(v: number) {
    room(17);
    let n = v;
    if (n < 0) {
      buf[o++] = 45; // '-'
      n = -n;
    }
    let d = 1;
    for (let t = n; t >= 10; t = Math.floor(t / 10)) d++;
    let e = o + d;
    o = e;
    do {
      const q = Math.floor(n / 10);
      buf[--e] = 48 + (n - q * 10);
      n = q;
    } while (n > 0);
  }
  /**
   * Fractional numbers as text, kept by value: `String(v)` is the costliest step of a counts
   * point (occupancy), and sensors repeat a few values (0.1, 0.25, …). Bound: 4,096 values.
   */
  const floatBytes = new Map<number, Buffer>();
  function float(v: number) {
    let b = floatBytes.get(v);
    if (b === undefined) {
      b = Buffer.from(String(v), 'latin1'); // a finite number's text is ASCII
      if (floatBytes.size >= 4096) floatBytes.clear();
      floatBytes.set(v, b);
    }
    room(b.length);
    buf.set(b, o);
    o += b.length;
  }
  const fieldKeyBytes = new Map<string, Buffer>();
  function writeFieldKey(k: string) {
    let b = fieldKeyBytes.get(k);
    if (b === undefined) {
      b = Buffer.from(fieldKey(k), 'utf8');
      if (fieldKeyBytes.size < MAX_FIELD_KEYS) fieldKeyBytes.set(k, b);
    }
    room(b.length + 1);
    buf.set(b, o);
    o += b.length;
    buf[o++] = 61; // '='
  }
  /** start of the bytes encoded into `buf` not yet handed out as a piece */
  let segment = 0;
  /** Hands out what was encoded since the last piece, as a copy (`buf` is reused). */
  function cutSegment(into: Buffer[]) {
    if (o > segment) into.push(Buffer.from(buf.subarray(segment, o)));
    segment = o;
  }
  /**
   * Kept lines `bytes[start..end)` and a newline: copied into `buf`, or with `into`, handed out
   * as a view of their bytes (the newline that follows them there included).
   */
  function keptRun(bytes: Buffer, start: number, end: number, into: Buffer[] | undefined) {
    if (into !== undefined) {
      cutSegment(into);
      if (bytes[end] === 10) into.push(bytes.subarray(start, end + 1));
      else into.push(bytes.subarray(start, end), NEWLINE);
      return;
    }
    room(end - start + 1);
    o += bytes.copy(buf, o, start, end);
    buf[o++] = 10;
  }

  /**
   * Every point's line and a newline into `buf` from 0. Points kept as bytes (`Point.encoded`)
   * are not encoded again; lines that lie one after the other in the same bytes (a message's,
   * and the messages' after it) go as one run.
   */
  function writeLines(points: readonly Point[], into: Buffer[] | undefined) {
    o = 0;
    segment = 0;
    let run: Buffer | undefined;
    let runStart = 0;
    let runEnd = 0;
    for (const p of points) {
      const e = p.encoded;
      if (e !== undefined) {
        if (run === e.bytes && e.start === runEnd + 1 && run[runEnd] === 10) {
          runEnd = e.end;
          continue;
        }
        if (run !== undefined) keptRun(run, runStart, runEnd, into);
        run = e.bytes;
        runStart = e.start;
        runEnd = e.end;
        continue;
      }
      if (run !== undefined) {
        keptRun(run, runStart, runEnd, into);
        run = undefined;
      }
      const n = nodeOf(p);
      if (n === undefined) continue;
      const start = o;
      n.keyBytes ??= Buffer.from(n.key!, 'utf8');
      const kb = n.keyBytes;
      room(kb.length + 1);
      buf.set(kb, o);
      o += kb.length;
      buf[o++] = 32; // ' '
      if (!writeFields(p.fields)) {
        o = start; // no field left: no line
        continue;
      }
      room(1);
      buf[o++] = 32;
      text(timeOf(p));
      room(1);
      buf[o++] = 10; // '\n'
    }
    if (run !== undefined) keptRun(run, runStart, runEnd, into);
  }
  /** Writes the field set; false when no field was usable (nothing written). */
  function writeFields(fields: Readonly<Record<string, FieldValue | undefined>>): boolean {
    let any = false;
    for (const k in fields) {
      const v = fields[k];
      if (v === undefined || k === '') continue;
      // the same choices as encodeField: what it drops is dropped here
      switch (typeof v) {
        case 'number':
          if (!Number.isFinite(v)) continue;
          break;
        case 'object':
          if (!Number.isSafeInteger(v.int)) continue;
          break;
      }
      if (any) {
        room(1);
        buf[o++] = 44; // ','
      }
      any = true;
      writeFieldKey(k);
      switch (typeof v) {
        case 'number':
          // a safe integer's text is its digits (-0 too: '0'), as String(v) writes it
          if (Number.isSafeInteger(v)) digits(v);
          else float(v);
          break;
        case 'string':
          text(escapeString(v));
          break;
        case 'boolean':
          text(v ? 'true' : 'false');
          break;
        default:
          digits(v.int);
          room(1);
          buf[o++] = 105; // 'i'
      }
    }
    return any;
  }

  return {
    body(points) {
      writeLines(points, undefined);
      const len = Math.max(0, o - 1); // no trailing newline
      if (len < 4096) return Buffer.from(buf.subarray(0, len)); // a copy: `buf` is reused
      // A batch: hand out these bytes, write the next batch into new ones (no copy).
      const out = buf.subarray(0, len);
      buf = Buffer.allocUnsafe(buf.length);
      return out;
    },
    pieces(points) {
      const into: Buffer[] = [];
      writeLines(points, into);
      cutSegment(into);
      // no trailing newline
      const last = into.length - 1;
      if (last >= 0) {
        const l = into[last]!;
        if (l.length <= 1) into.pop();
        else into[last] = l.subarray(0, l.length - 1);
      }
      return into;
    },
    encode(points) {
      const lines: string[] = [];
      for (const p of points) {
        const e = p.encoded;
        if (e !== undefined) {
          lines.push(e.bytes.toString('utf8', e.start, e.end));
          continue;
        }
        const fields = fieldsOf(p.fields);
        if (fields === '') continue; // no field left
        const key = keyOf(p);
        if (key === undefined) continue;
        lines.push(`${key} ${fields} ${timeOf(p)}`);
      }
      return lines;
    },
    size: () => size,
  };
}
