/**
 * The dashboard page: loads the intersections from the API, draws the city, follows the live
 * feed (/live) and keeps the side panel of the selected intersection. Live events only mark
 * an intersection dirty; the DOM is updated once per animation frame, so 100 intersections
 * at several messages a second each stay smooth.
 */
import {
  formatLocal,
  type IntersectionConfig,
  type Interval,
  type MovementState,
} from '../../protocol/index.ts';
import type { DashboardCounters, LiveEvent, TimelineEntry } from '../source.ts';
import { createCity } from './city.ts';
import { STATE_OF } from './codes.ts';
import { applyStatic, mountSwitch, onLangChange, tr } from './i18n.ts';
import { createMeasuresView } from './measures.ts';
import { createPanel } from './panel.ts';

interface Known {
  id: string;
  config?: IntersectionConfig;
  phase?: string;
  interval?: Interval;
  controller?: string;
  movements: Record<string, MovementState>;
  queues: Record<string, number>;
  lastCounts: Record<string, number>;
  timeline: TimelineEntry[];
  overrides: number;
  devices: Record<string, boolean>;
  lastSignalMs?: number;
}

interface Detail {
  id: string;
  config: IntersectionConfig | null;
  signal: {
    t: number;
    phase: string;
    interval: Interval;
    controller: string;
    movements: Record<string, MovementState>;
  } | null;
  queues: Record<string, number>;
  lastCounts: Record<string, number>;
  timeline: TimelineEntry[];
  overrides: number;
  devices: Record<string, { online: boolean }>;
}

const MAX_TIMELINE = 240;
const known = new Map<string, Known>();
const dirty = new Set<string>();
const loading = new Set<string>();
let selected: string | undefined;
let latestMs = 0;
/** the deployment's zone (from the API); an intersection's own zone wins in its panel */
let zone = 'UTC';
let frame = 0;
let timelineKey = '';
let timelineAt = 0;

const $ = <T extends Element>(sel: string) => document.querySelector(sel) as T;
const city = createCity($<SVGSVGElement>('#map'), (id) => select(id));
const panel = createPanel($<HTMLElement>('#panel'));

/** The observer token, when the dashboard asks for one (kept for this tab only). */
const TOKEN_KEY = 'openphase.token';
let asking: Promise<void> | undefined;
const authHeaders = (): Record<string, string> => {
  const t = sessionStorage.getItem(TOKEN_KEY);
  return t ? { authorization: `Bearer ${t}` } : {};
};
function askToken(): Promise<void> {
  asking ??= Promise.resolve().then(() => {
    const t = window.prompt(tr('dashboard.token'));
    if (t) sessionStorage.setItem(TOKEN_KEY, t.trim());
  });
  return asking;
}

/** Asks of one throttled request before giving up on it. */
const MAX_THROTTLED = 30;

/**
 * GETs JSON. The page asks for each intersection when it loads: past the dashboard's throttle
 * (1,200 requests a minute by default) a big city meets `429`, and the page then waits as
 * `retry-after` says (1–60 s) and asks again, rather than leave intersections off the map.
 */
async function json<T>(url: string): Promise<T> {
  for (let throttled = 0; ; throttled++) {
    let res = await fetch(url, { headers: authHeaders() });
    if (res.status === 401) {
      await askToken();
      res = await fetch(url, { headers: authHeaders() });
    }
    if (res.status === 429 && throttled < MAX_THROTTLED) {
      const s = Number(res.headers.get('retry-after'));
      await new Promise((r) => setTimeout(r, Math.min(60, Math.max(1, s || 1)) * 1000));
      continue;
    }
    if (!res.ok) throw new Error(`${url}: ${res.status}`);
    return (await res.json()) as T;
  }
}

const measuresView = createMeasuresView(json);

function fromDetail(d: Detail): Known {
  return {
    id: d.id,
    ...(d.config ? { config: d.config } : {}),
    ...(d.signal
      ? {
          phase: d.signal.phase,
          interval: d.signal.interval,
          controller: d.signal.controller,
          lastSignalMs: d.signal.t,
        }
      : {}),
    movements: d.signal?.movements ?? {},
    queues: d.queues,
    lastCounts: d.lastCounts,
    timeline: d.timeline,
    overrides: d.overrides,
    devices: Object.fromEntries(Object.entries(d.devices).map(([k, v]) => [k, v.online])),
  };
}

function schedule() {
  if (frame === 0) frame = requestAnimationFrame(render);
}

function render() {
  frame = 0;
  for (const id of dirty) {
    const k = known.get(id);
    if (!k) continue;
    if (k.phase && k.interval) city.signal(id, k.phase, k.interval, k.movements);
    city.queues(id, k.queues);
    city.online(id, Object.values(k.devices).every(Boolean));
  }
  if (selected && dirty.has(selected)) showFacts();
  dirty.clear();
  if (latestMs > 0) {
    $('[data-counter="time"]').textContent =
      `${formatLocal(latestMs, zone, { seconds: true, timeOnly: true, offset: false })} ${zone}`;
  }
}

function showFacts() {
  const k = selected ? known.get(selected) : undefined;
  if (!k) return;
  const devices = Object.entries(k.devices);
  panel.facts({
    ...(k.phase ? { phase: k.phase } : {}),
    ...(k.interval ? { interval: k.interval } : {}),
    ...(k.controller ? { controller: k.controller } : {}),
    overrides: k.overrides,
    devices:
      devices.length === 0
        ? '–'
        : tr('dashboard.panel.online', {
            online: devices.filter(([, on]) => on).length,
            count: devices.length,
          }),
    lastCounts: k.lastCounts,
    queues: k.queues,
  });
  // the phase chart redraws when a new interval starts, and at most once a second otherwise
  const last = k.timeline[k.timeline.length - 1];
  const key = `${k.id}/${k.timeline.length}/${last?.t}/${last?.interval}`;
  const now = performance.now();
  if (key !== timelineKey || now - timelineAt > 1000) {
    timelineKey = key;
    timelineAt = now;
    panel.timeline(k.timeline, k.lastSignalMs ?? latestMs);
  }
}

let redrawTimer: ReturnType<typeof setTimeout> | undefined;
function redraw() {
  clearTimeout(redrawTimer);
  redrawTimer = setTimeout(() => {
    city.draw([...known.values()]);
    city.select(selected);
    for (const id of known.keys()) dirty.add(id);
    $('[data-counter="intersections"]').textContent = String(known.size);
    schedule();
  }, 50);
}

async function refreshCounts() {
  const id = selected;
  if (!id) return;
  try {
    const r = await json<{ rows: { t: number; approach: string; count: number }[] }>(
      `/api/intersections/${encodeURIComponent(id)}/counts?every=10s`,
    );
    if (id === selected) panel.counts(r.rows);
  } catch {
    // the next refresh tries again
  }
}

async function select(id: string) {
  selected = id;
  city.select(id);
  history.replaceState(null, '', `#${id}`);
  const d = await json<Detail>(`/api/intersections/${encodeURIComponent(id)}`).catch(
    () => undefined,
  );
  if (id !== selected) return;
  if (d) known.set(id, { ...fromDetail(d), ...pick(known.get(id)) });
  const config = known.get(id)?.config ?? null;
  panel.open(id, config, zone);
  void measuresView.open($<HTMLElement>('#panel'), id, config?.timeZone ?? zone);
  timelineKey = '';
  showFacts();
  await refreshCounts();
}

/** Live state already newer than a fetched detail wins over it. */
function pick(k: Known | undefined): Partial<Known> {
  if (!k?.lastSignalMs) return {};
  return {
    phase: k.phase,
    interval: k.interval,
    movements: k.movements,
    lastSignalMs: k.lastSignalMs,
  };
}

async function load(id: string) {
  const d = await json<Detail>(`/api/intersections/${encodeURIComponent(id)}`).catch(
    () => undefined,
  );
  if (!d) return;
  known.set(id, { ...fromDetail(d), ...pick(known.get(id)) });
  redraw();
}

function counters(c: DashboardCounters) {
  $('[data-counter="overrides"]').textContent = String(c.overrides);
  $('[data-counter="rejected"]').textContent = String(c.rejected);
  $('[data-counter="gaps"]').textContent = String(c.gaps);
}

function apply(e: LiveEvent) {
  if (e.k === 'ctr') return counters(e.c);
  if (e.k === 'cfg') return void load(e.i);
  if (e.k === 'del') {
    known.delete(e.i);
    return redraw();
  }
  const k = known.get(e.i);
  if (!k) {
    // appeared while the feed was down (or before the page loaded): fetch it once
    if (!loading.has(e.i)) {
      loading.add(e.i);
      void load(e.i).finally(() => loading.delete(e.i));
    }
    return;
  }
  switch (e.k) {
    case 'sig': {
      if (k.lastSignalMs !== undefined && e.t < k.lastSignalMs) return;
      const last = k.timeline[k.timeline.length - 1];
      if (!last || last.phase !== e.p || last.interval !== e.iv) {
        k.timeline.push({ t: e.t, phase: e.p, interval: e.iv });
        if (k.timeline.length > MAX_TIMELINE) k.timeline.shift();
      }
      k.phase = e.p;
      k.interval = e.iv;
      k.controller = e.c;
      k.lastSignalMs = e.t;
      k.movements = Object.fromEntries(Object.entries(e.m).map(([m, c]) => [m, STATE_OF[c]]));
      if (e.t > latestMs) latestMs = e.t;
      break;
    }
    case 'cnt':
      k.queues = e.q;
      k.lastCounts = e.a;
      if (e.t > latestMs) latestMs = e.t;
      break;
    case 'ovr':
      k.overrides += e.o.length;
      break;
    case 'st':
      k.devices[e.d] = e.on;
      break;
  }
  dirty.add(e.i);
}

function connect() {
  const status = $('[data-counter="live"]');
  const token = sessionStorage.getItem(TOKEN_KEY);
  const ws = new WebSocket(
    `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/live`,
    token ? [`bearer.${token}`] : undefined,
  );
  ws.onopen = () => {
    status.setAttribute('data-i18n', 'dashboard.live.open');
    status.textContent = tr('dashboard.live.open');
    status.setAttribute('data-live', 'open');
  };
  ws.onmessage = (m) => {
    for (const e of JSON.parse(String(m.data)) as LiveEvent[]) apply(e);
    schedule();
  };
  ws.onclose = () => {
    status.setAttribute('data-i18n', 'dashboard.live.closed');
    status.textContent = tr('dashboard.live.closed');
    status.setAttribute('data-live', 'closed');
    setTimeout(connect, 1000);
  };
}

async function boot() {
  applyStatic();
  mountSwitch($<HTMLSelectElement>('[data-lang-switch]'));
  onLangChange(() => {
    // the map's warnings and the open panel are built in the language they were drawn in
    redraw();
    if (selected) void select(selected);
  });
  const list = await json<{
    intersections: { id: string }[];
    latestMs?: number;
    simulated?: boolean;
    timeZone?: string;
  }>('/api/intersections');
  zone = list.timeZone ?? 'UTC';
  $<HTMLElement>('[data-note="simulated"]').hidden = list.simulated !== true;
  latestMs = list.latestMs ?? 0;
  // at most 16 requests in flight
  const ids = list.intersections.map((i) => i.id);
  for (let k = 0; k < ids.length; k += 16) {
    const details = await Promise.all(
      ids
        .slice(k, k + 16)
        .map((id) =>
          json<Detail>(`/api/intersections/${encodeURIComponent(id)}`).catch(() => undefined),
        ),
    );
    for (const d of details) if (d) known.set(d.id, fromDetail(d));
  }
  city.draw([...known.values()]);
  for (const id of known.keys()) dirty.add(id);
  $('[data-counter="intersections"]').textContent = String(known.size);
  schedule();
  connect();
  const wanted = decodeURIComponent(location.hash.slice(1));
  if (wanted && known.has(wanted)) void select(wanted);
  setInterval(() => void refreshCounts(), 5000);
  setInterval(() => void measuresView.refresh(), 30_000);
  document.body.setAttribute('data-ready', 'true');
}

void boot();
