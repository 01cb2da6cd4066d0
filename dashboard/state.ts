/**
 * The dashboard's state reducer (pure): one protocol message in, the next state of its
 * intersection and the live events out. No I/O, no clock: the shell passes the receive time.
 * Bounds: MAX_TIMELINE phase intervals, MAX_SENSORS sensors and MAX_DEVICES devices per
 * intersection (new ones beyond the bound are ignored).
 */
import {
  type Counts,
  decodeMessage,
  detectorsOf,
  type IntersectionConfig,
  type ParsedTopic,
  parseMovement,
  type Signal,
  type Status,
} from '../protocol/index.ts';
import {
  type IntersectionState,
  type LiveEvent,
  STATE_CODES,
  type StateCode,
  type TimelineEntry,
} from './source.ts';

export const MAX_TIMELINE = 240;
export const MAX_SENSORS = 64;
export const MAX_DEVICES = 64;
/** A queue estimate never grows past this: detector drift must not draw a mile-long bar. */
export const MAX_QUEUE_VEH = 200;

export interface Input {
  topic: ParsedTopic;
  payload: Uint8Array | string;
  /** the MQTT retain flag: a retained signal replays old overrides, which are not counted again */
  retained: boolean;
  /** wall-clock receive time, epoch ms */
  receivedMs: number;
}

export interface Output {
  /** the intersection's next state; undefined when its config was cleared */
  next: IntersectionState | undefined;
  events: LiveEvent[];
  /** the message was invalid (counted as rejected) */
  rejected: boolean;
  /** safety overrides newly seen */
  overrides: Signal['overrides'];
}

export function emptyIntersection(id: string): IntersectionState {
  return { id, counts: {}, lastCounts: {}, queues: {}, timeline: [], devices: {}, overrides: 0 };
}

const unchanged = (prev: IntersectionState | undefined): Output => ({
  next: prev,
  events: [],
  rejected: false,
  overrides: [],
});

/**
 * Applies one message to its intersection.
 * @example reduce(undefined, { topic: parseTopic(t)!, payload, retained: true, receivedMs: 0 })
 */
export function reduce(prev: IntersectionState | undefined, input: Input): Output {
  const { topic } = input;
  const id = topic.intersection;
  const empty =
    typeof input.payload === 'string' ? input.payload.length === 0 : input.payload.byteLength === 0;
  // An empty retained payload clears the retained message: the device is gone.
  if (empty && topic.kind === 'config') {
    return prev
      ? { next: undefined, events: [{ k: 'del', i: id }], rejected: false, overrides: [] }
      : unchanged(prev);
  }
  if (empty && (topic.kind === 'signal' || topic.kind === 'status')) return unchanged(prev);
  if (topic.kind === 'decision') return unchanged(prev); // the dashboard shows what the heads show
  const decoded = decodeMessage(topic.kind, input.payload);
  if (!decoded.ok) return { next: prev, events: [], rejected: true, overrides: [] };
  const base = prev ?? emptyIntersection(id);
  switch (topic.kind) {
    case 'config': {
      // The topic names the intersection; a config claiming another id is refused.
      const config = decoded.value as IntersectionConfig;
      if (config.id !== id) return { next: prev, events: [], rejected: true, overrides: [] };
      return onConfig(base, config);
    }
    case 'signal':
      return onSignal(base, decoded.value as Signal, input.retained);
    case 'counts':
      return onCounts(base, topic.sensor, decoded.value as Counts);
    case 'status':
      return onStatus(base, topic.device, decoded.value as Status, input.receivedMs);
  }
}

function onConfig(s: IntersectionState, config: IntersectionConfig): Output {
  if (s.config && JSON.stringify(s.config) === JSON.stringify(config)) return unchanged(s);
  const queues: Record<string, number> = {};
  for (const a of Object.keys(config.approaches)) queues[a] = s.queues[a] ?? 0;
  return {
    next: { ...s, config, queues },
    events: [{ k: 'cfg', i: s.id }],
    rejected: false,
    overrides: [],
  };
}

export function stateCodes(signal: Signal): Record<string, StateCode> {
  const m: Record<string, StateCode> = {};
  for (const [movement, state] of Object.entries(signal.movements))
    m[movement] = STATE_CODES[state];
  return m;
}

function sameHeads(a: Signal, b: Signal): boolean {
  if (a.phase !== b.phase || a.interval !== b.interval || a.controller !== b.controller)
    return false;
  const ka = Object.keys(a.movements);
  if (ka.length !== Object.keys(b.movements).length) return false;
  return ka.every((k) => a.movements[k] === b.movements[k]);
}

function onSignal(s: IntersectionState, signal: Signal, retained: boolean): Output {
  const prev = s.signal;
  if (prev && signal.t < prev.t) return unchanged(s); // stale (e.g. a late retained copy)
  const events: LiveEvent[] = [];
  // Retained copies on (re)subscribe repeat overrides already counted (or from before we came).
  const fresh = !retained || (prev !== undefined && signal.t > prev.t);
  const overrides = fresh ? signal.overrides : [];
  if (!prev || !sameHeads(prev, signal)) {
    events.push({
      k: 'sig',
      i: s.id,
      t: signal.t,
      p: signal.phase,
      iv: signal.interval,
      m: stateCodes(signal),
      c: signal.controller,
    });
  }
  if (overrides.length > 0) {
    events.push({
      k: 'ovr',
      i: s.id,
      o: overrides.map((o) => ({
        kind: o.kind,
        atMs: o.atMs,
        ...(o.requested ? { requested: o.requested } : {}),
      })),
    });
  }
  let timeline = s.timeline;
  const last = timeline[timeline.length - 1];
  if (!last || last.phase !== signal.phase || last.interval !== signal.interval) {
    const entry: TimelineEntry = {
      t: signal.sinceMs,
      phase: signal.phase,
      interval: signal.interval,
    };
    timeline = [...timeline.slice(-(MAX_TIMELINE - 1)), entry];
  }
  return {
    next: {
      ...s,
      signal,
      timeline,
      overrides: s.overrides + overrides.length,
      lastSignalMs: signal.t,
    },
    events,
    rejected: false,
    overrides,
  };
}

/** Per approach: all detectors' counts, and the queue change (advance in − stop-bar out). */
export function approachCounts(
  config: IntersectionConfig | undefined,
  counts: Counts,
): {
  total: Record<string, number>;
  arrivals: Record<string, number>;
  departures: Record<string, number>;
  hasAdvance: Set<string>;
} {
  const total: Record<string, number> = {};
  const arrivals: Record<string, number> = {};
  const departures: Record<string, number> = {};
  const hasAdvance = new Set<string>();
  const byId = new Map(config ? detectorsOf(config).map((d) => [d.id, d]) : []);
  for (const r of counts.detectors) {
    const d = byId.get(r.id);
    const approach = d ? parseMovement(d.movements[0] ?? '')?.approach : undefined;
    const a = approach ?? 'unknown';
    total[a] = (total[a] ?? 0) + r.count;
    if (d?.kind === 'advance') {
      hasAdvance.add(a);
      arrivals[a] = (arrivals[a] ?? 0) + r.count;
    } else if (d?.kind === 'stop-bar') {
      departures[a] = (departures[a] ?? 0) + r.count;
    }
  }
  return { total, arrivals, departures, hasAdvance };
}

function onCounts(s: IntersectionState, sensor: string, counts: Counts): Output {
  if (counts.sensor !== sensor) return { next: s, events: [], rejected: true, overrides: [] };
  const prevCounts = s.counts[sensor];
  if (!prevCounts && Object.keys(s.counts).length >= MAX_SENSORS) return unchanged(s);
  // A replayed or duplicate interval must not move the queue twice.
  if (prevCounts && prevCounts.boot === counts.boot && counts.seq <= prevCounts.seq)
    return unchanged(s);
  const { total, arrivals, departures, hasAdvance } = approachCounts(s.config, counts);
  const queues: Record<string, number> = { ...s.queues };
  for (const a of new Set([...Object.keys(total), ...Object.keys(queues)])) {
    if (a === 'unknown') continue;
    const q = hasAdvance.has(a)
      ? (queues[a] ?? 0) + (arrivals[a] ?? 0) - (departures[a] ?? 0)
      : (departures[a] ?? total[a] ?? 0); // no advance detector: the last interval's flow as a proxy
    queues[a] = Math.max(0, Math.min(MAX_QUEUE_VEH, q));
  }
  const lastCounts: Record<string, number> = {};
  for (const a of Object.keys(queues)) lastCounts[a] = total[a] ?? 0;
  return {
    next: {
      ...s,
      counts: { ...s.counts, [sensor]: counts },
      lastCounts,
      queues,
      lastCountsMs: Math.max(s.lastCountsMs ?? 0, counts.to),
    },
    events: [{ k: 'cnt', i: s.id, t: counts.to, a: lastCounts, q: queues }],
    rejected: false,
    overrides: [],
  };
}

function onStatus(
  s: IntersectionState,
  device: string,
  status: Status,
  receivedMs: number,
): Output {
  if (status.device !== undefined && status.device !== device) {
    return { next: s, events: [], rejected: true, overrides: [] };
  }
  const prev = s.devices[device];
  if (!prev && Object.keys(s.devices).length >= MAX_DEVICES) return unchanged(s);
  const next = {
    online: status.online,
    atMs: status.atMs ?? receivedMs,
    ...(status.role ? { role: status.role } : {}),
  };
  return {
    next: { ...s, devices: { ...s.devices, [device]: next } },
    events:
      prev?.online === status.online ? [] : [{ k: 'st', i: s.id, d: device, on: status.online }],
    rejected: false,
    overrides: [],
  };
}
