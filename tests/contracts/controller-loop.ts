/**
 * A small closed loop for controller tests: point queues per lane group, emulated stop-bar and
 * advance detectors, the real safety monitor, and a controller from
 * `createIntersectionController`, in the TIMING.md order (counts of tick t, then signal t,
 * then the decision for t, applied at t + 1). Deterministic per seed. Not the project's
 * simulator: just enough traffic to tell a good controller from a bad one.
 */

import {
  createIntersectionController,
  type IntersectionControllerOptions,
} from '../../controller/intersection-controller.ts';
import {
  type Counts,
  detectorsOf,
  type IntersectionConfig,
  laneGroups,
  movementsConflict,
  type Override,
  type Signal,
} from '../../protocol/index.ts';
import {
  createMonitor,
  type MonitorState,
  monitorStep,
  movementStates,
  toSignal,
} from '../../signal/index.ts';

export interface LoopFault {
  detector: string;
  kind: 'dropout' | 'stuck-on' | 'stuck-off';
  fromS: number;
  toS: number;
}

export interface LoopOptions {
  config: IntersectionConfig;
  algorithm: string;
  seed: number;
  durationS: number;
  /** veh/h per movement, or a function of time (s) */
  flowVph: Record<string, number> | ((tS: number) => Record<string, number>);
  arrivals?: 'poisson' | 'uniform';
  faults?: LoopFault[];
  /** ticks at which no decision is made (the controller is silent) */
  silent?: (tS: number) => boolean;
  controllerOptions?: IntersectionControllerOptions;
  startAtMs?: number;
  /** sees every counts and signal message, in the order the controller gets them */
  tap?: (kind: 'counts' | 'signal', message: Counts | Signal) => void;
}

export interface LoopResult {
  decisions: string[];
  greens: { phase: string; startS: number; endS: number }[];
  clearances: { interval: string; startS: number; endS: number }[];
  overrides: Override[];
  conflicts: string[];
  arrived: number;
  served: number;
  queuedAtEnd: number;
  meanDelayS: number;
  maxWaitS: number;
  controllers: string[];
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const GREEN = new Set(['protected-Movement-Allowed', 'permissive-Movement-Allowed']);
const TRAVEL_S = 4; // advance detector → stop bar
const SAT_VPHPL = 1800;
const STARTUP_LOST_S = 2;

export function runLoop(o: LoopOptions): LoopResult {
  const { config } = o;
  const rand = mulberry32(o.seed);
  const t0 = o.startAtMs ?? Date.UTC(2026, 0, 1);
  const groups = laneGroups(config).map((g) => ({
    ...g,
    queue: [] as number[], // arrival times at the stop bar (s)
    approaching: [] as number[], // times they reach the stop bar
    credit: 0,
    nextUniform: 0,
    arrivalsThisTick: 0,
    departuresThisTick: 0,
  }));
  const dets = detectorsOf(config);
  const ctl = createIntersectionController(config, o.algorithm, {
    controllerId: 'ctl',
    ...(o.controllerOptions ?? {}),
  });
  let state: MonitorState = createMonitor(config, t0);
  let request: string | undefined;
  const res: LoopResult = {
    decisions: [],
    greens: [],
    clearances: [],
    overrides: [],
    conflicts: [],
    arrived: 0,
    served: 0,
    queuedAtEnd: 0,
    meanDelayS: 0,
    maxWaitS: 0,
    controllers: [],
  };
  let delaySum = 0;
  let seq = 0;
  let seg = { phase: state.phase, interval: state.interval as string, startS: 0 };
  const closeSeg = (endS: number) => {
    if (seg.interval === 'green') res.greens.push({ phase: seg.phase, startS: seg.startS, endS });
    else res.clearances.push({ interval: seg.interval, startS: seg.startS, endS });
  };
  for (let t = 0; t < o.durationS; t++) {
    const flows = typeof o.flowVph === 'function' ? o.flowVph(t) : o.flowVph;
    const states = movementStates(state);
    const greenNow = Object.keys(states).filter((m) => GREEN.has(states[m]!));
    for (let i = 0; i < greenNow.length; i++)
      for (let j = i + 1; j < greenNow.length; j++)
        if (movementsConflict(config, greenNow[i]!, greenNow[j]!))
          res.conflicts.push(`${t}: ${greenNow[i]} + ${greenNow[j]}`);
    const sinceS = (state.sinceMs - t0) / 1000;
    for (const g of groups) {
      g.arrivalsThisTick = 0;
      g.departuresThisTick = 0;
      const rate = g.movements.reduce((a, m) => a + (flows[m] ?? 0), 0) / 3600;
      let n = 0;
      if (o.arrivals === 'uniform') {
        g.nextUniform += rate;
        n = Math.floor(g.nextUniform);
        g.nextUniform -= n;
      } else {
        // Poisson arrivals in one second.
        let p = Math.exp(-rate);
        let u = rand();
        while (u > p && n < 20) {
          u -= p;
          n++;
          p *= rate / n;
        }
      }
      for (let k = 0; k < n; k++) g.approaching.push(t + TRAVEL_S + k / Math.max(1, n));
      g.arrivalsThisTick = n;
      res.arrived += n;
      while (g.approaching.length > 0 && g.approaching[0]! <= t)
        g.queue.push(g.approaching.shift()!);
      const st = g.movements.map((m) => states[m]);
      const green = st.some((s) => s !== undefined && GREEN.has(s));
      const yellow = st.some((s) => s === 'protected-clearance' || s === 'permissive-clearance');
      const effective =
        (green && t - sinceS >= STARTUP_LOST_S) ||
        (yellow && t + 1 <= sinceS + Math.max(3, config.yellowS) - 1);
      if (effective) {
        g.credit = Math.min(g.credit + (g.lanes * SAT_VPHPL) / 3600, g.lanes);
        while (g.credit >= 1 && g.queue.length > 0 && g.queue[0]! <= t) {
          g.credit -= 1;
          const a = g.queue.shift()!;
          delaySum += t - a;
          res.maxWaitS = Math.max(res.maxWaitS, t - a);
          res.served++;
          g.departuresThisTick++;
        }
        if (g.queue.length === 0) g.credit = Math.min(g.credit, 1);
      } else g.credit = 0;
    }
    // Counts of [t, t+1), then the signal of t+1, then the decision for t+1.
    const atMs = t0 + (t + 1) * 1000;
    const readings: Counts['detectors'] = [];
    for (const d of dets) {
      const fault = o.faults?.find((f) => f.detector === d.id && t >= f.fromS && t < f.toS);
      if (fault?.kind === 'dropout') continue;
      const g = groups.find((x) => x.movements.some((m) => d.movements.includes(m)))!;
      let count = d.kind === 'advance' ? g.arrivalsThisTick : g.departuresThisTick;
      const waiting = g.queue.length > 0 && g.departuresThisTick === 0;
      let occupancy =
        d.kind === 'advance'
          ? Math.min(1, count * 0.25 + (g.queue.length > 7 * g.lanes ? 1 : 0))
          : Math.min(1, waiting ? 1 : count * 0.35);
      if (fault?.kind === 'stuck-on') {
        count = 0;
        occupancy = 1;
      } else if (fault?.kind === 'stuck-off') {
        count = 0;
        occupancy = 0;
      }
      readings.push({ id: d.id, count, occupancy });
    }
    const counts: Counts = {
      v: 1,
      sensor: `${config.id}-det`,
      boot: 'b1',
      seq: seq++,
      from: atMs - 1000,
      to: atMs,
      detectors: readings,
    };
    o.tap?.('counts', counts);
    ctl.onCounts(counts);
    const step = monitorStep(
      state,
      atMs,
      request ? { phase: request, controller: 'ctl' } : undefined,
    );
    state = step.state;
    res.overrides.push(...step.overrides);
    for (const tr of step.transitions) {
      const s = (tr.sinceMs - t0) / 1000;
      closeSeg(s);
      seg = { phase: tr.phase, interval: tr.interval, startS: s };
    }
    const signal = toSignal(state, atMs, step.overrides);
    res.controllers.push(signal.controller);
    o.tap?.('signal', signal);
    ctl.onSignal(signal);
    if (o.silent?.(t + 1)) {
      request = undefined;
      res.decisions.push('');
    } else {
      request = ctl.decide(atMs);
      res.decisions.push(request);
    }
  }
  closeSeg(o.durationS);
  for (const g of groups) {
    for (const a of g.queue) {
      delaySum += o.durationS - a;
      res.maxWaitS = Math.max(res.maxWaitS, o.durationS - a);
    }
    res.queuedAtEnd += g.queue.length;
  }
  res.meanDelayS = delaySum / Math.max(1, res.served + res.queuedAtEnd);
  ctl.close();
  return res;
}
