/**
 * The dashboard's state store: the latest state per intersection, the counters and the live
 * listeners, fed one raw protocol message at a time (`feed`). Decisions are the pure reducer's
 * (state.ts); the MQTT shell (mqtt-source.ts) only feeds it. Tests feed it by hand.
 * Bound: at most `maxIntersections` intersections (new ones beyond it are ignored).
 */
import type { CountsReader } from '../collector/index.ts';
import { assertRoot, DEFAULT_ROOT, parseTopic } from '../protocol/index.ts';
import type { DashboardCounters, DashboardSource, IntersectionState, LiveEvent } from './source.ts';
import { reduce } from './state.ts';

export const DEFAULT_MAX_INTERSECTIONS = 10_000;

export interface StoreOptions {
  root?: string;
  reader: CountsReader;
  /** counters kept elsewhere (the collector's rejected messages and seq gaps) */
  external?: () => { rejected?: number; gaps?: number };
  maxIntersections?: number;
  /** wall clock, epoch ms */
  clock?: () => number;
  log?: (line: string) => void;
}

export interface Store extends Omit<DashboardSource, 'start' | 'close' | 'connected'> {
  /** one raw MQTT message; anything that is not a v1 topic under the root is ignored */
  feed(topic: string, payload: Uint8Array | string, retained?: boolean): void;
  /** drops every listener */
  clearListeners(): void;
}

export function createStore(o: StoreOptions): Store {
  const root = assertRoot(o.root ?? DEFAULT_ROOT);
  const clock = o.clock ?? Date.now;
  const log = o.log ?? ((l: string) => console.error(l));
  const max = o.maxIntersections ?? DEFAULT_MAX_INTERSECTIONS;
  const state = new Map<string, IntersectionState>();
  const listeners = new Set<(e: LiveEvent) => void>();
  const own = {
    rejected: 0,
    messages: 0,
    overrides: 0,
    byKind: {} as DashboardCounters['overridesByKind'],
  };
  let latest: number | undefined;

  const emit = (e: LiveEvent) => {
    for (const l of listeners) {
      try {
        l(e);
      } catch (err) {
        log(`dashboard: live listener failed: ${(err as Error).message}`);
      }
    }
  };

  return {
    reader: o.reader,
    feed(topic, payload, retained = false) {
      const parsed = parseTopic(topic, root);
      if (!parsed || parsed.kind === 'decision') return;
      own.messages++;
      const prev = state.get(parsed.intersection);
      if (!prev && state.size >= max) return;
      const out = reduce(prev, { topic: parsed, payload, retained, receivedMs: clock() });
      if (out.rejected) own.rejected++;
      if (out.next) state.set(parsed.intersection, out.next);
      else state.delete(parsed.intersection);
      for (const ov of out.overrides) {
        own.overrides++;
        own.byKind[ov.kind] = (own.byKind[ov.kind] ?? 0) + 1;
      }
      const dataMs = Math.max(out.next?.lastSignalMs ?? 0, out.next?.lastCountsMs ?? 0);
      if (dataMs > 0 && (latest === undefined || dataMs > latest)) latest = dataMs;
      for (const e of out.events) emit(e);
    },
    ids: () => [...state.keys()].sort(),
    get: (id) => state.get(id),
    counters() {
      const ext = o.external?.() ?? {};
      return {
        overrides: own.overrides,
        overridesByKind: { ...own.byKind },
        rejected: own.rejected + (ext.rejected ?? 0),
        gaps: ext.gaps ?? 0,
        messages: own.messages,
      };
    },
    latestMs: () => latest,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    clearListeners: () => listeners.clear(),
  };
}
