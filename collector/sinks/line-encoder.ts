/**
 * Points → line protocol for the sinks that speak it (InfluxDB 1.x, 2.x/3.x, the embedded
 * store's files), with a series-key cache: the hot path (every counts point) computes its series
 * key — sorted, escaped tags — once per series, and looks it up after that. The output is exactly
 * `encodePoints` of collector/line-protocol.ts (a property test holds the two together).
 *
 * The cache is a trie over the measurement and the tags in the order the point lists them; it
 * holds nothing but what `seriesKey` would compute again. Bound: `maxKeys` series keys (the
 * trie is cleared at the bound; it refills from the points that follow).
 */
import { encodeField, escapeKey, nanos, seriesKey } from '../line-protocol.ts';
import type { FieldValue, Point } from '../point.ts';

export interface LineEncoder {
  /** One line per point; points with no usable field are left out. */
  encode(points: readonly Point[]): string[];
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
}
const node = (): Node => ({
  tag: undefined,
  byValue: undefined,
  otherKeys: undefined,
  key: undefined,
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

  function keyOf(p: Point): string | undefined {
    let n = next(root, '', p.measurement);
    const tags = p.tags;
    for (const k in tags) {
      const v = tags[k];
      if (v === undefined || v === '' || k === '') continue;
      n = next(n, k, v);
    }
    if (n.key !== undefined) return n.key;
    const key = seriesKey(p.measurement, tags);
    if (key === undefined) return undefined;
    if (size >= maxKeys) {
      root = node();
      size = 0;
      return key;
    }
    n.key = key;
    size++;
    return key;
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

  return {
    encode(points) {
      const lines: string[] = [];
      for (const p of points) {
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
