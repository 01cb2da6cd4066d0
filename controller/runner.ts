/**
 * The multi-intersection runner (pure core of the controller service): topic + payload in,
 * decisions out. It discovers intersections from their retained `config`, feeds counts and
 * signals to one controller each (the fast one of controller/fast/ unless told otherwise; it
 * decides as the reference `createIntersectionController`), and answers every signal newer
 * than the last one answered with one decision (docs/protocol.md, Timing). No sockets, no clock.
 *
 * Bounds: at most `maxIntersections` intersections (default 10,000); one pending signal per
 * known-but-unconfigured intersection; invalid messages are counted, never thrown.
 */
import {
  type Counts,
  DEFAULT_LIMITS,
  DEFAULT_ROOT,
  type Decision,
  decodeMessage,
  type IntersectionConfig,
  parseTopic,
  type Signal,
  topics,
} from '../protocol/index.ts';
import { createFastIntersectionController } from './fast/controller.ts';
import type {
  IntersectionController,
  IntersectionControllerFactory,
  IntersectionControllerOptions,
} from './intersection-controller.ts';

export interface RunnerOptions {
  algorithm: string;
  /** the intersections served, or every one whose config is seen */
  intersections: string[] | 'all';
  /** the id put in decisions */
  controllerId: string;
  root?: string;
  algorithmOptions?: IntersectionControllerOptions;
  maxIntersections?: number;
  /**
   * Refuse counts and signals whose timestamps lie further than `windowMs` from `nowMs()`
   * (counted invalid): one signal with a far-future `t` must not become the last answered `t`
   * that every real signal then falls below. Absent: no check (a simulation on its own clock).
   */
  timeWindow?: { nowMs: () => number; windowMs: number };
  /** the controller implementation (default the fast one; both decide alike) */
  createController?: IntersectionControllerFactory;
}

export interface Outgoing {
  topic: string;
  payload: string;
  intersection: string;
}

export interface RunnerResult {
  decision?: Outgoing & { decision: Decision };
  /** an intersection seen for the first time (the shell publishes its birth there) */
  discovered?: string;
}

export interface RunnerStats {
  intersections: number;
  decisions: number;
  configs: number;
  invalid: { config: number; counts: number; signal: number };
  /** messages for intersections not served, or over the bound */
  ignored: number;
  /** signals not newer than the last answered (retained repeats, duplicates) */
  stale: number;
}

interface Entry {
  configText: string;
  controller: IntersectionController;
  lastAnsweredT: number;
  seq: number;
}

export function createRunner(options: RunnerOptions) {
  const root = options.root ?? DEFAULT_ROOT;
  const t = topics(root);
  const served = options.intersections === 'all' ? undefined : new Set(options.intersections);
  const max = options.maxIntersections ?? 10_000;
  const create = options.createController ?? createFastIntersectionController;
  const entries = new Map<string, Entry>();
  const pendingSignal = new Map<string, Signal>();
  const stats: RunnerStats = {
    intersections: 0,
    decisions: 0,
    configs: 0,
    invalid: { config: 0, counts: 0, signal: 0 },
    ignored: 0,
    stale: 0,
  };

  const serves = (id: string) => (served ? served.has(id) : true);
  const tw = options.timeWindow;
  const window = () => (tw ? { nowMs: tw.nowMs(), windowMs: tw.windowMs } : undefined);

  function answer(id: string, e: Entry, signal: Signal): RunnerResult {
    if (signal.t <= e.lastAnsweredT) {
      stats.stale++;
      return {};
    }
    e.controller.onSignal(signal);
    e.lastAnsweredT = signal.t;
    const phase = e.controller.decide(signal.t);
    // [protocol v1: seq] +1 per decision of this controller for this intersection.
    const decision: Decision = {
      v: 1,
      controller: options.controllerId,
      seq: e.seq++,
      t: signal.t,
      phase,
    };
    stats.decisions++;
    return {
      decision: {
        topic: t.decision(id),
        payload: JSON.stringify(decision),
        intersection: id,
        decision,
      },
    };
  }

  function onConfig(id: string, payload: Uint8Array | string): RunnerResult {
    // [protocol v1: config cleared] a zero-length retained config: the intersection is no
    // longer served; forget it, so a config published later starts it afresh, as at its first
    if (payload.length === 0) {
      entries.get(id)?.controller.close();
      entries.delete(id);
      pendingSignal.delete(id);
      stats.intersections = entries.size;
      return {};
    }
    const r = decodeMessage('config', payload);
    if (!r.ok || (r.value as IntersectionConfig).id !== id) {
      stats.invalid.config++;
      return {};
    }
    const config = r.value as IntersectionConfig;
    const text = JSON.stringify(config);
    const old = entries.get(id);
    if (old && old.configText === text) return {}; // the retained config again
    if (!old && entries.size >= max) {
      stats.ignored++;
      return {};
    }
    old?.controller.close();
    // A changed config starts a fresh controller (its detectors and phases may differ); seq
    // keeps counting so the signal side never sees it go back.
    const entry: Entry = {
      configText: text,
      controller: create(config, options.algorithm, {
        ...options.algorithmOptions,
        controllerId: options.controllerId,
      }),
      lastAnsweredT: old?.lastAnsweredT ?? Number.NEGATIVE_INFINITY,
      seq: old?.seq ?? 0,
    };
    entries.set(id, entry);
    stats.configs++;
    stats.intersections = entries.size;
    const out: RunnerResult = old ? {} : { discovered: id };
    const pending = pendingSignal.get(id);
    if (pending) {
      pendingSignal.delete(id);
      Object.assign(out, answer(id, entry, pending));
    }
    return out;
  }

  return {
    /** The subscription filters the shell needs (wide; the broker's ACL narrows delivery). */
    filters: [t.filters.config, t.filters.counts, t.filters.signal],

    handle(topic: string, payload: Uint8Array | string): RunnerResult {
      const p = parseTopic(topic, root);
      if (!p || !serves(p.intersection)) {
        stats.ignored++;
        return {};
      }
      if (p.kind === 'config') return onConfig(p.intersection, payload);
      if (p.kind === 'counts') {
        const r = decodeMessage('counts', payload, DEFAULT_LIMITS, window());
        if (!r.ok || (r.value as Counts).sensor !== p.sensor) {
          stats.invalid.counts++;
          return {};
        }
        const e = entries.get(p.intersection);
        if (e) e.controller.onCounts(r.value as Counts);
        else stats.ignored++;
        return {};
      }
      if (p.kind === 'signal') {
        const r = decodeMessage('signal', payload, DEFAULT_LIMITS, window());
        if (!r.ok) {
          stats.invalid.signal++;
          return {};
        }
        const signal = r.value as Signal;
        const e = entries.get(p.intersection);
        if (e) return answer(p.intersection, e, signal);
        if (pendingSignal.size < max) pendingSignal.set(p.intersection, signal);
        return {};
      }
      stats.ignored++;
      return {};
    },

    intersections: () => [...entries.keys()],
    controller: (id: string) => entries.get(id)?.controller,
    stats: (): RunnerStats => ({ ...stats, invalid: { ...stats.invalid } }),

    close(): void {
      for (const e of entries.values()) e.controller.close();
      entries.clear();
      pendingSignal.clear();
    },
  };
}

export type Runner = ReturnType<typeof createRunner>;
