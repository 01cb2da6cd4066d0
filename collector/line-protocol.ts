/**
 * The InfluxDB line-protocol codec (pure, no I/O): the encoding of the InfluxDB sinks and of the
 * embedded store's files, the spool's and dead-letter file's format, and a parser for the lines
 * it produces (the store's reload, the spool's replay, tests).
 *
 * Escaping follows the InfluxDB 1.x/2.x line-protocol reference and is checked against a real
 * InfluxDB 1.6.7 in tests/integration/collector-influx.test.ts:
 * - measurement: `,` and space are backslash-escaped;
 * - tag keys, tag values, field keys: `,`, `=` and space are backslash-escaped;
 * - string field values: `"` and `\` are backslash-escaped, inside double quotes.
 * What line protocol cannot carry is replaced, not sent: a newline or carriage return in a
 * measurement, key or tag value becomes a space (it would end the line); a backslash there
 * becomes `/` (InfluxDB 1.x never unescapes `\\` in tags, and a backslash before a separator
 * escapes the separator: such a value cannot be written exactly); a newline or carriage return in
 * a string field becomes the two characters `\n` / `\r`, so one point is always one line (the
 * spool, the store's files and `influx -import` read line by line); an empty tag value drops the
 * tag; a non-finite float or an unsafe integer drops the field; a point with no field left
 * encodes to `undefined`.
 *
 * Timestamps go out in nanoseconds (`precision=ns`): the protocol's epoch milliseconds with
 * six digits appended, so `from` stays exact, plus an optional sub-millisecond offset that keeps
 * apart points that share a millisecond and a series (dead letters).
 */

import { type FieldValue, int, type Point } from './point.ts';

const NL = /[\r\n]/g;

/** Nothing to escape: the common case (protocol ids, our names) skips the replacing. */
const PLAIN = /^[\w.:/+-]*$/;

function cleanKey(s: string): string {
  return s.replace(NL, ' ').replace(/\\/g, '/');
}

export function escapeMeasurement(s: string): string {
  return PLAIN.test(s) ? s : cleanKey(s).replace(/[, ]/g, '\\$&');
}

/** Tag keys, tag values and field keys. */
export function escapeKey(s: string): string {
  return PLAIN.test(s) ? s : cleanKey(s).replace(/[,= ]/g, '\\$&');
}

export function escapeString(s: string): string {
  if (PLAIN.test(s)) return `"${s}"`;
  return `"${s.replace(/["\\]/g, '\\$&').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

/** One field value as line protocol, or undefined when it cannot be carried (dropped). */
export function encodeField(v: FieldValue): string | undefined {
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? String(v) : undefined;
    case 'string':
      return escapeString(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return Number.isSafeInteger(v.int) ? `${v.int}i` : undefined;
  }
}

/** Nanosecond timestamp text for epoch ms plus a sub-millisecond offset. */
export function nanos(timeMs: number, subMsNs = 0): string {
  const sub = Math.min(999_999, Math.max(0, Math.trunc(subMsNs)));
  if (Number.isSafeInteger(timeMs) && timeMs >= 0) {
    if (sub === 0) return timeMs === 0 ? '0' : `${timeMs}000000`;
    return timeMs === 0 ? String(sub) : `${timeMs}${String(sub).padStart(6, '0')}`;
  }
  return String(BigInt(Math.trunc(timeMs)) * 1_000_000n + BigInt(sub));
}

/**
 * The series key of a point: escaped measurement and its tags sorted by key (as InfluxDB
 * recommends), empty and undefined tags dropped; undefined for an empty measurement. A caller
 * writing many points of one series may keep it and reuse it ({@link encodeLine}).
 * @example seriesKey('counts', { sensor: 's1', detector: 'N 1' }) // 'counts,detector=N\\ 1,sensor=s1'
 */
export function seriesKey(
  measurement: string,
  tags: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (!measurement) return undefined;
  // Parts joined once: a flat string, where `+=` would leave a rope of many nodes alive for as
  // long as the key (and the lines made from it) are kept.
  const parts: string[] = [escapeMeasurement(measurement)];
  const keys = Object.keys(tags).sort();
  for (const key of keys) {
    const v = tags[key];
    if (v === undefined || v === '' || key === '') continue;
    parts.push(',', escapeKey(key), '=', escapeKey(v));
  }
  return parts.join('');
}

/** The field set `k=v,k=v` of a point, or undefined when no field is left. */
export function encodeFields(fields: Readonly<Record<string, FieldValue | undefined>>) {
  let out = '';
  for (const key in fields) {
    const v = fields[key];
    if (v === undefined || key === '') continue;
    const enc = encodeField(v);
    if (enc === undefined) continue;
    out = out === '' ? `${escapeKey(key)}=${enc}` : `${out},${escapeKey(key)}=${enc}`;
  }
  return out === '' ? undefined : out;
}

/** A line from its parts: a {@link seriesKey}, an {@link encodeFields} text, a {@link nanos} time. */
export const encodeLine = (key: string, fields: string, time: string): string =>
  `${key} ${fields} ${time}`;

/**
 * One point → one line (no trailing newline), or undefined when it has no usable field.
 * Tags are sorted by key, as InfluxDB recommends.
 * @example encodePoint({ measurement: 'counts', tags: { detector: 'N 1' }, fields: { count: int(3) }, timeMs: 5 })
 * // 'counts,detector=N\\ 1 count=3i 5000000'
 */
export function encodePoint(p: Point): string | undefined {
  const key = seriesKey(p.measurement, p.tags);
  if (key === undefined) return undefined;
  const fields = encodeFields(p.fields);
  if (fields === undefined) return undefined; // no field left
  return encodeLine(key, fields, nanos(p.timeMs, p.subMsNs));
}

/** Encodes many points, skipping the ones with no usable field. */
export function encodePoints(points: readonly Point[]): string[] {
  const out: string[] = [];
  for (const p of points) {
    const line = encodePoint(p);
    if (line !== undefined) out.push(line);
  }
  return out;
}

/**
 * The point a parsed line stands for (exact: the nanosecond time splits into ms and sub-ms).
 * @example pointOf(parseLine('m f=1i 5000007')!) // { measurement: 'm', …, timeMs: 5, subMsNs: 7 }
 */
export function pointOf(p: ParsedLine): Point {
  const ns = p.timeNs === '' ? 0n : BigInt(p.timeNs);
  let ms = ns / 1_000_000n;
  let sub = ns % 1_000_000n;
  if (sub < 0n) {
    ms -= 1n;
    sub += 1_000_000n;
  }
  const point: Point = {
    measurement: p.measurement,
    tags: p.tags,
    fields: p.fields,
    timeMs: Number(ms),
  };
  if (sub !== 0n) point.subMsNs = Number(sub);
  return point;
}

/** A parsed line: fields keep their line-protocol type; time stays exact as nanosecond text. */
export interface ParsedLine {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, FieldValue>;
  timeNs: string;
  /** epoch ms (floor), for convenience */
  timeMs: number;
}

/** Reads up to an unescaped stop character; returns [unescaped text, index of the stop]. */
function readEscaped(line: string, i: number, stops: string, escapable = ',= '): [string, number] {
  let out = '';
  while (i < line.length) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length && escapable.includes(line[i + 1]!)) {
      out += line[i + 1];
      i += 2;
      continue;
    }
    if (stops.includes(c)) break;
    out += c;
    i++;
  }
  return [out, i];
}

/**
 * Parses one line this module encoded (and ordinary line protocol); undefined when malformed.
 * @example parseLine('m,t=a f=1i 5000000')?.fields.f // { int: 1 }
 */
export function parseLine(line: string): ParsedLine | undefined {
  if (!line.includes('\\') && !line.includes('"')) return parsePlain(line);
  let [measurement, i] = readEscaped(line, 0, ', ', ', ');
  if (!measurement) return undefined;
  const tags: Record<string, string> = {};
  while (line[i] === ',') {
    const [k, j] = readEscaped(line, i + 1, ',= ');
    if (line[j] !== '=') return undefined;
    const [v, n] = readEscaped(line, j + 1, ', ');
    tags[k] = v;
    i = n;
  }
  if (line[i] !== ' ') return undefined;
  const fields: Record<string, FieldValue> = {};
  i++;
  for (;;) {
    const [k, j] = readEscaped(line, i, ',= ');
    if (line[j] !== '=' || !k) return undefined;
    i = j + 1;
    if (line[i] === '"') {
      let s = '';
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && (line[i + 1] === '"' || line[i + 1] === '\\')) i++;
        s += line[i];
        i++;
      }
      if (line[i] !== '"') return undefined;
      fields[k] = s;
      i++;
    } else {
      let end = i;
      while (end < line.length && line[end] !== ',' && line[end] !== ' ') end++;
      const raw = line.slice(i, end);
      if (raw === 'true' || raw === 't' || raw === 'T' || raw === 'True' || raw === 'TRUE')
        fields[k] = true;
      else if (raw === 'false' || raw === 'f' || raw === 'F' || raw === 'False' || raw === 'FALSE')
        fields[k] = false;
      else if (/^-?\d+i$/.test(raw)) fields[k] = int(Number(raw.slice(0, -1)));
      else if (raw !== '' && Number.isFinite(Number(raw))) fields[k] = Number(raw);
      else return undefined;
      i = end;
    }
    if (line[i] === ',') {
      i++;
      continue;
    }
    break;
  }
  let timeNs = '';
  if (line[i] === ' ') timeNs = line.slice(i + 1).trim();
  else if (i !== line.length) return undefined;
  if (timeNs && !/^-?\d+$/.test(timeNs)) return undefined;
  const timeMs = timeNs ? Number(BigInt(timeNs) / 1_000_000n) : Number.NaN;
  return { measurement, tags, fields, timeNs, timeMs };
}

function parseNumber(raw: string): FieldValue | undefined {
  const last = raw.charCodeAt(raw.length - 1);
  if (last === 105 /* i */) {
    const n = Number(raw.slice(0, -1));
    return /^-?\d+i$/.test(raw) && Number.isFinite(n) ? int(n) : undefined;
  }
  if (raw === 'true' || raw === 't' || raw === 'T' || raw === 'True' || raw === 'TRUE') return true;
  if (raw === 'false' || raw === 'f' || raw === 'F' || raw === 'False' || raw === 'FALSE')
    return false;
  const n = Number(raw);
  return raw !== '' && Number.isFinite(n) ? n : undefined;
}

/** The common case: no escapes and no string fields, so plain splits are exact. */
function parsePlain(line: string): ParsedLine | undefined {
  const parts = line.split(' ');
  if (parts.length < 2 || parts.length > 3) return undefined;
  const [head, body, time = ''] = parts as [string, string, string?];
  const heads = head.split(',');
  const measurement = heads[0]!;
  if (!measurement) return undefined;
  const tags: Record<string, string> = {};
  for (let k = 1; k < heads.length; k++) {
    const kv = heads[k]!;
    const eq = kv.indexOf('=');
    if (eq <= 0 || eq !== kv.lastIndexOf('=')) return undefined;
    tags[kv.slice(0, eq)] = kv.slice(eq + 1);
  }
  const fields: Record<string, FieldValue> = {};
  for (const kv of body.split(',')) {
    const eq = kv.indexOf('=');
    if (eq <= 0 || eq !== kv.lastIndexOf('=')) return undefined;
    const v = parseNumber(kv.slice(eq + 1));
    if (v === undefined) return undefined;
    fields[kv.slice(0, eq)] = v;
  }
  if (time && !/^-?\d+$/.test(time)) return undefined;
  const timeMs = time ? Math.floor(Number(time.slice(0, -6) || '0')) : Number.NaN;
  return { measurement, tags, fields, timeNs: time, timeMs };
}
