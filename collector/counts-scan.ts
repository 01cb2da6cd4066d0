/**
 * A scanner for counts messages as sensors write them (pure, bytes in, offsets out): the JSON of
 * one `Counts` object with readings of `id`, `count` and optionally `occupancy` and `speedKmh`,
 * every number in the form `String(n)` writes it, every string an id. It only says yes: `true`
 * means the bytes are such a message and valid (schema and rules, as protocol/counts-check.ts);
 * `false` means "take the careful way" (protocol/validate.ts), which parses, checks and says
 * what is wrong. So a number's text here is its line-protocol text, and the fast lane
 * (counts-lines.ts) copies it instead of parsing and formatting it again.
 *
 * A message in the plain form — JSON.stringify of a Counts object: no spaces, keys in the order
 * sensors write them — is matched a run of bytes per key (`plainCounts`, `plainReading`); any
 * other form is read key by key. Both fill the same offsets and say the same yes or no.
 *
 * Left to the careful way: actuations (unless `[]`), escapes, exponents, negative numbers,
 * fractions with trailing zeros or more than 15 significant digits, numbers below 1e-6 other
 * than 0 (their `String` form differs from their JSON), duplicate keys, any other key.
 */
import { MAX_DETECTORS_PER_MESSAGE } from '../protocol/index.ts';

const MAX_EPOCH_MS = 8_640_000_000_000_000;

/** Offsets into the message bytes, filled by {@link scanCounts} (one object, reused). */
export interface CountsScan {
  sensorStart: number;
  sensorEnd: number;
  bootStart: number;
  bootEnd: number;
  seq: number;
  seqStart: number;
  seqEnd: number;
  from: number;
  fromStart: number;
  fromEnd: number;
  to: number;
  /** readings */
  n: number;
  /**
   * Per reading `r`, at `r * 8`: id start/end, count start/end, occupancy start/end, speedKmh
   * start/end (-1 when absent).
   */
  at: Int32Array;
}

export const countsScan = (): CountsScan => ({
  sensorStart: 0,
  sensorEnd: 0,
  bootStart: 0,
  bootEnd: 0,
  seq: 0,
  seqStart: 0,
  seqEnd: 0,
  from: 0,
  fromStart: 0,
  fromEnd: 0,
  to: 0,
  n: 0,
  at: new Int32Array(MAX_DETECTORS_PER_MESSAGE * 8),
});

// Positions and values of the last token read (module state: the scanner never re-enters).
let end = 0;
let num = 0;

const isWs = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;
function ws(b: Uint8Array, i: number): number {
  while (i < b.length && isWs(b[i]!)) i++;
  return i;
}

/** 1 for the bytes of an id, `[A-Za-z0-9_-]`. */
const ID_BYTE = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  ID_BYTE[c] =
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45
      ? 1
      : 0;
}

/** `"[A-Za-z0-9_-]{1,64}"` at `i`: the content's start, `end` after the closing quote; -1 if not. */
function id(b: Uint8Array, i: number): number {
  if (b[i] !== 34) return -1;
  const start = i + 1;
  let k = start;
  const n = b.length;
  while (k < n && ID_BYTE[b[k]!] === 1) k++;
  if (k >= n || b[k] !== 34 || k === start || k - start > 64) return -1;
  end = k + 1;
  return start;
}

/** A non-negative integer without leading zeros at `i` (value in `num`, `end` after it); false if not. */
function uint(b: Uint8Array, i: number): boolean {
  let k = i;
  let v = 0;
  while (k < b.length) {
    const c = b[k]!;
    if (c < 48 || c > 57) break;
    v = v * 10 + (c - 48);
    k++;
  }
  const digits = k - i;
  if (digits === 0 || digits > 16 || (digits > 1 && b[i] === 48)) return false;
  const c = b[k];
  if (c === 46 || c === 101 || c === 69) return false; // '.', 'e', 'E': not an integer's text
  num = v;
  end = k;
  return true;
}

/**
 * A non-negative number at `i` whose JSON text is its `String` form, with integer part at most
 * `maxInt` (and exactly `maxInt` only without a fraction): `end` after it; false if not.
 */
function decimal(b: Uint8Array, i: number, maxInt: number): boolean {
  let k = i;
  let intPart = 0;
  while (k < b.length && b[k]! >= 48 && b[k]! <= 57) intPart = intPart * 10 + (b[k++]! - 48);
  const intDigits = k - i;
  if (intDigits === 0 || intDigits > 15 || (intDigits > 1 && b[i] === 48)) return false;
  if (intPart > maxInt) return false;
  if (b[k] === 46) {
    if (intPart === maxInt) return false;
    const f = ++k;
    while (k < b.length && b[k]! >= 48 && b[k]! <= 57) k++;
    const fracDigits = k - f;
    if (fracDigits === 0 || b[k - 1] === 48) return false; // '1.' or a trailing zero
    let lead = 0;
    if (intPart === 0) while (b[f + lead] === 48) lead++;
    if (lead > 5) return false; // below 1e-6: String writes an exponent
    const significant = intPart === 0 ? fracDigits - lead : intDigits + fracDigits;
    if (significant > 15) return false;
  }
  const c = b[k];
  if (c === 101 || c === 69) return false;
  end = k;
  return true;
}

const bytes = (t: string) => Uint8Array.from(t, (c) => c.charCodeAt(0));
const K_ID = bytes('id');
const K_COUNT = bytes('count');
const K_OCCUPANCY = bytes('occupancy');
const K_SPEED = bytes('speedKmh');
const K_TO = bytes('to');
const K_SEQ = bytes('seq');
const K_BOOT = bytes('boot');
const K_FROM = bytes('from');
const K_SENSOR = bytes('sensor');
const K_DETECTORS = bytes('detectors');
const K_ACTUATIONS = bytes('actuations');

/** Key `name` at `i..j` of `b`. */
function is(b: Uint8Array, i: number, j: number, name: Uint8Array): boolean {
  return j - i === name.length && lit(b, i, name) === j;
}

/** `lit` at `i`: the index after it, or -1. */
function lit(b: Uint8Array, i: number, lit: Uint8Array): number {
  const n = lit.length;
  if (i + n > b.length) return -1;
  for (let k = 0; k < n; k++) if (b[i + k] !== lit[k]) return -1;
  return i + n;
}

// The plain form, as JSON.stringify writes a reading: no spaces, keys in this order.
const P_ID = bytes('{"id":"');
const P_COUNT = bytes('","count":');
const P_OCCUPANCY = bytes(',"occupancy":');
const P_SPEED = bytes(',"speedKmh":');

/**
 * A reading in the plain form, `{"id":…,"count":…[,"occupancy":…][,"speedKmh":…]}`, into
 * `at[o..]` as `reading` would fill it; false when it is not in that form (`reading` decides).
 * The keys are matched as one run of bytes each instead of read and looked up.
 */
function plainReading(b: Uint8Array, i: number, at: Int32Array, o: number): boolean {
  let k = lit(b, i, P_ID);
  if (k < 0) return false;
  const s = k;
  while (k < b.length && ID_BYTE[b[k]!] === 1) k++;
  if (k === s || k - s > 64) return false;
  const e = k;
  k = lit(b, k, P_COUNT);
  if (k < 0 || !uint(b, k) || num > 100_000) return false;
  at[o] = s;
  at[o + 1] = e;
  at[o + 2] = k;
  at[o + 3] = end;
  at[o + 4] = -1;
  at[o + 6] = -1;
  k = end;
  if (b[k] === 44 && b[k + 2] === 111) {
    k = lit(b, k, P_OCCUPANCY);
    if (k < 0 || !decimal(b, k, 1)) return false;
    at[o + 4] = k;
    at[o + 5] = end;
    k = end;
  }
  if (b[k] === 44 && b[k + 2] === 115) {
    k = lit(b, k, P_SPEED);
    if (k < 0 || !decimal(b, k, 400)) return false;
    at[o + 6] = k;
    at[o + 7] = end;
    k = end;
  }
  if (b[k] !== 125) return false;
  end = k + 1;
  return true;
}

/** A reading object at `i` into `at[r*8..]`; `end` after it; false to take the careful way. */
function reading(b: Uint8Array, i: number, at: Int32Array, r: number): boolean {
  const o = r * 8;
  if (plainReading(b, i, at, o)) return true;
  at[o] = -1;
  at[o + 2] = -1;
  at[o + 4] = -1;
  at[o + 6] = -1;
  i = ws(b, i + 1);
  if (b[i] === 125) return false; // {} (id and count required)
  for (;;) {
    const ks = id(b, i);
    if (ks < 0) return false;
    const ke = end - 1;
    i = ws(b, end);
    if (b[i] !== 58) return false;
    i = ws(b, i + 1);
    let slot: number;
    const len = ke - ks; // the four keys differ in length
    if (len === 2 && is(b, ks, ke, K_ID)) {
      slot = o;
      if (at[slot]! >= 0) return false;
      const s = id(b, i);
      if (s < 0) return false;
      at[slot] = s;
      at[slot + 1] = end - 1;
    } else {
      if (len === 5 && is(b, ks, ke, K_COUNT)) {
        slot = o + 2;
        if (!uint(b, i) || num > 100_000) return false;
      } else if (len === 9 && is(b, ks, ke, K_OCCUPANCY)) {
        slot = o + 4;
        if (!decimal(b, i, 1)) return false;
      } else if (len === 8 && is(b, ks, ke, K_SPEED)) {
        slot = o + 6;
        if (!decimal(b, i, 400)) return false;
      } else return false;
      if (at[slot]! >= 0) return false;
      at[slot] = i;
      at[slot + 1] = end;
    }
    i = ws(b, end);
    if (b[i] === 44) {
      i = ws(b, i + 1);
      continue;
    }
    if (b[i] !== 125) return false;
    end = i + 1;
    return at[o]! >= 0 && at[o + 2]! >= 0;
  }
}

/** The readings array at `i` (`[` … `]`); `end` after it. */
function readings(b: Uint8Array, i: number, s: CountsScan): boolean {
  i = ws(b, i + 1);
  let n = 0;
  if (b[i] === 93) {
    s.n = 0;
    end = i + 1;
    return true;
  }
  for (;;) {
    if (b[i] !== 123 || n >= MAX_DETECTORS_PER_MESSAGE) return false;
    if (!reading(b, i, s.at, n)) return false;
    n++;
    i = ws(b, end);
    if (b[i] === 44) {
      i = ws(b, i + 1);
      continue;
    }
    if (b[i] !== 93) return false;
    s.n = n;
    end = i + 1;
    return true;
  }
}

/** Bits of the top-level keys seen. */
const V = 1;
const SENSOR = 2;
const BOOT = 4;
const SEQ = 8;
const FROM = 16;
const TO = 32;
const DETECTORS = 64;
const ACTUATIONS = 128;
const REQUIRED = V | SENSOR | BOOT | SEQ | FROM | TO | DETECTORS;

/**
 * True only when `b` is a valid counts message in the plain form described above, its offsets
 * in `s`; false when it is not, or when this scanner leaves it to the careful way.
 * @example scanCounts(Buffer.from('{"v":1,"sensor":"s1","boot":"b","seq":0,"from":0,"to":1000,"detectors":[]}'), countsScan()) // true
 */
export function scanCounts(b: Uint8Array, s: CountsScan): boolean {
  const plain = plainCounts(b, s);
  if (plain >= 0) return plain === 1;
  let i = ws(b, 0);
  if (b[i] !== 123) return false;
  i = ws(b, i + 1);
  let seen = 0;
  for (;;) {
    const ks = id(b, i);
    if (ks < 0) return false;
    const ke = end - 1;
    i = ws(b, end);
    if (b[i] !== 58) return false;
    i = ws(b, i + 1);
    let bit: number;
    switch (ke - ks) {
      case 1: // v
        if (b[ks] !== 118 || !uint(b, i) || num !== 1) return false;
        bit = V;
        break;
      case 2: // to
        if (!is(b, ks, ke, K_TO) || !uint(b, i) || num > MAX_EPOCH_MS) return false;
        s.to = num;
        bit = TO;
        break;
      case 3: // seq
        if (!is(b, ks, ke, K_SEQ) || !uint(b, i) || num > Number.MAX_SAFE_INTEGER) return false;
        s.seq = num;
        s.seqStart = i;
        s.seqEnd = end;
        bit = SEQ;
        break;
      case 4: // boot, from
        if (is(b, ks, ke, K_BOOT)) {
          const v = id(b, i);
          if (v < 0) return false;
          s.bootStart = v;
          s.bootEnd = end - 1;
          bit = BOOT;
        } else if (is(b, ks, ke, K_FROM)) {
          if (!uint(b, i) || num > MAX_EPOCH_MS) return false;
          s.from = num;
          s.fromStart = i;
          s.fromEnd = end;
          bit = FROM;
        } else return false;
        break;
      case 6: {
        if (!is(b, ks, ke, K_SENSOR)) return false;
        const v = id(b, i);
        if (v < 0) return false;
        s.sensorStart = v;
        s.sensorEnd = end - 1;
        bit = SENSOR;
        break;
      }
      case 9:
        if (!is(b, ks, ke, K_DETECTORS) || b[i] !== 91 || !readings(b, i, s)) return false;
        bit = DETECTORS;
        break;
      case 10: {
        // only an empty list: actuations make points of their own (the careful way)
        if (!is(b, ks, ke, K_ACTUATIONS) || b[i] !== 91) return false;
        const k = ws(b, i + 1);
        if (b[k] !== 93) return false;
        end = k + 1;
        bit = ACTUATIONS;
        break;
      }
      default:
        return false;
    }
    if (seen & bit) return false; // a key twice
    seen |= bit;
    i = ws(b, end);
    if (b[i] === 44) {
      i = ws(b, i + 1);
      continue;
    }
    if (b[i] !== 125) return false;
    break;
  }
  if (ws(b, i + 1) !== b.length || (seen & REQUIRED) !== REQUIRED) return false;
  return s.from < s.to && distinct(b, s);
}

// The plain form of a message: JSON.stringify of a Counts object, keys in its order.
const P_HEAD = bytes('{"v":1,"sensor":"');
const P_BOOT = bytes('","boot":"');
const P_SEQ = bytes('","seq":');
const P_FROM = bytes(',"from":');
const P_TO = bytes(',"to":');
const P_DETECTORS = bytes(',"detectors":[');

/** An id's bytes from `i` up to its closing quote: the quote's index, or -1. */
function idRun(b: Uint8Array, i: number): number {
  let k = i;
  while (k < b.length && ID_BYTE[b[k]!] === 1) k++;
  return k === i || k - i > 64 ? -1 : k;
}

/**
 * `scanCounts` for a message in the plain form: 1 valid, 0 not (as `scanCounts` would say);
 * -1 when it is not in that form, for `scanCounts` to read key by key.
 */
function plainCounts(b: Uint8Array, s: CountsScan): number {
  let k = lit(b, 0, P_HEAD);
  if (k < 0) return -1;
  s.sensorStart = k;
  k = idRun(b, k);
  if (k < 0) return -1;
  s.sensorEnd = k;
  k = lit(b, k, P_BOOT);
  if (k < 0) return -1;
  s.bootStart = k;
  k = idRun(b, k);
  if (k < 0) return -1;
  s.bootEnd = k;
  k = lit(b, k, P_SEQ);
  if (k < 0 || !uint(b, k) || num > Number.MAX_SAFE_INTEGER) return -1;
  s.seq = num;
  s.seqStart = k;
  s.seqEnd = end;
  k = lit(b, end, P_FROM);
  if (k < 0 || !uint(b, k) || num > MAX_EPOCH_MS) return -1;
  s.from = num;
  s.fromStart = k;
  s.fromEnd = end;
  k = lit(b, end, P_TO);
  if (k < 0 || !uint(b, k) || num > MAX_EPOCH_MS) return -1;
  s.to = num;
  k = lit(b, end, P_DETECTORS);
  if (k < 0 || !readings(b, k - 1, s)) return -1;
  if (end + 1 !== b.length || b[end] !== 125) return -1;
  return s.from < s.to && distinct(b, s) ? 1 : 0;
}

/** No detector id twice (pairwise for a few readings, as messages carry). */
function distinct(b: Uint8Array, s: CountsScan): boolean {
  const at = s.at;
  if (s.n > 16) {
    const ids = new Set<string>();
    for (let r = 0; r < s.n; r++) {
      ids.add(
        Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString(
          'latin1',
          at[r * 8],
          at[r * 8 + 1],
        ),
      );
    }
    return ids.size === s.n;
  }
  for (let r = 1; r < s.n; r++) {
    const a0 = at[r * 8]!;
    const len = at[r * 8 + 1]! - a0;
    for (let q = 0; q < r; q++) {
      const b0 = at[q * 8]!;
      if (at[q * 8 + 1]! - b0 !== len) continue;
      let k = 0;
      while (k < len && b[a0 + k] === b[b0 + k]) k++;
      if (k === len) return false;
    }
  }
  return true;
}
