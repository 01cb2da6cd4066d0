/**
 * MQTT topic-filter matching, pure. Used by the ACL with the patterns of roles.ts, i.e. the
 * same strings Mosquitto gets, matched by the same rules (MQTT 3.1.1 §4.7).
 */

/** True when concrete `topic` matches `filter` (`+` one level, `#` this level and below). */
export function topicMatches(filter: string, topic: string): boolean {
  return levelsMatch(filter.split('/'), topic.split('/'), topic.startsWith('$'));
}

/** Level-array form of {@link topicMatches}, for callers that split once. */
export function levelsMatch(filter: readonly string[], topic: readonly string[], dollar: boolean) {
  // [MQTT-4.7.2-1] a filter starting with a wildcard does not match a topic starting with '$'
  if (dollar && (filter[0] === '+' || filter[0] === '#')) return false;
  for (let i = 0; i < filter.length; i++) {
    const f = filter[i];
    if (f === '#') return true; // also matches the parent level: 'a/#' matches 'a'
    if (i >= topic.length) return false;
    if (f !== '+' && f !== topic[i]) return false;
  }
  return filter.length === topic.length;
}

/**
 * True when some concrete topic matches both filters: a subscription `a` that overlaps a
 * readable pattern `b` can receive something, so it is granted (and delivery is then checked
 * message by message, as Mosquitto does).
 */
export function filtersIntersect(a: readonly string[], b: readonly string[]): boolean {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    if (x === '#' || y === '#') return true;
    if (x === undefined || y === undefined) return false;
    if (x !== '+' && y !== '+' && x !== y) return false;
  }
  return true;
}

/** A filter is valid when '#' is last and alone in its level, and '+' alone in its level. */
export function isValidFilter(filter: string): boolean {
  if (filter.length === 0 || filter.length > 65535) return false;
  const levels = filter.split('/');
  return levels.every(
    (l, i) =>
      (l === '#' ? i === levels.length - 1 : !l.includes('#')) && (l === '+' || !l.includes('+')),
  );
}

/**
 * A set of patterns indexed on one level (the intersection level), so a controller acting for
 * hundreds of intersections checks a handful of patterns per message, not all of them.
 */
export class PatternSet {
  readonly #byKey = new Map<string, string[][]>();
  readonly #always: string[][] = [];
  readonly #all: string[][];
  readonly #level: number;

  constructor(patterns: readonly string[], indexLevel: number) {
    this.#level = indexLevel;
    this.#all = patterns.map((p) => p.split('/'));
    for (const levels of this.#all) {
      const key = levels[indexLevel];
      const wildcardBefore = levels.slice(0, indexLevel + 1).some((l) => l === '+' || l === '#');
      if (key === undefined || wildcardBefore) this.#always.push(levels);
      else {
        const list = this.#byKey.get(key) ?? [];
        list.push(levels);
        this.#byKey.set(key, list);
      }
    }
  }

  get size(): number {
    return this.#all.length;
  }

  /** Does any pattern match the concrete topic? */
  matches(topic: string): boolean {
    const levels = topic.split('/');
    const dollar = topic.startsWith('$');
    for (const p of this.#always) if (levelsMatch(p, levels, dollar)) return true;
    const key = levels[this.#level];
    const list = key === undefined ? undefined : this.#byKey.get(key);
    if (list) for (const p of list) if (levelsMatch(p, levels, dollar)) return true;
    return false;
  }

  /** Can a subscription with this filter match anything the patterns allow? */
  intersects(filter: string): boolean {
    const levels = filter.split('/');
    return this.#all.some((p) => filtersIntersect(levels, p));
  }
}
