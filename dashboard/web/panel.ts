/**
 * The side panel of the selected intersection: facts, per-approach counts and queues, and two
 * uPlot charts — vehicles per approach (from the API, i.e. from InfluxDB or the embedded
 * store) and the phase timeline (from the API's recent timeline plus live signal changes).
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatLocal, type IntersectionConfig } from '../../protocol/index.ts';
import type { TimelineEntry } from '../source.ts';
import { colorOf, PHASE_COLORS } from './codes.ts';
import { tr } from './i18n.ts';

export interface CountsRow {
  t: number;
  approach: string;
  count: number;
}

export interface PanelFacts {
  phase?: string;
  interval?: string;
  controller?: string;
  overrides: number;
  devices: string;
  lastCounts: Record<string, number>;
  queues: Record<string, number>;
}

const CHART_W = 388;

const intervalWord = (interval: string): string =>
  interval === 'green' || interval === 'yellow' || interval === 'red-clearance'
    ? tr(`dashboard.interval.${interval}`)
    : interval;
export const axis = {
  stroke: '#94a3b8',
  grid: { stroke: '#1e293b' },
  ticks: { stroke: '#1e293b' },
};
/** uPlot's dates and ticks in the intersection's zone (ticks fall on local whole minutes). */
export const tzDateIn = (zone: string) => (ts: number) => uPlot.tzDate(new Date(ts * 1e3), zone);
/** Local clock labels in `zone`: HH:MM, with seconds when ticks are closer. */
export const timeAxisIn = (zone: string) => ({
  ...axis,
  values: (_u: uPlot, splits: number[], _i: number, _space: number, incr: number) =>
    splits.map((s) =>
      formatLocal(s * 1000, zone, { timeOnly: true, offset: false, seconds: incr < 60 }),
    ),
});

function html(tag: string, attrs: Record<string, string> = {}, text?: string): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Rows → uPlot's aligned columns: x in seconds, one series per approach. */
export function alignCounts(rows: CountsRow[], approaches: string[]): uPlot.AlignedData {
  const xs = [...new Set(rows.map((r) => r.t))].sort((a, b) => a - b);
  const index = new Map(xs.map((t, k) => [t, k]));
  const series = approaches.map(() => xs.map(() => 0 as number | null));
  for (const r of rows) {
    const a = approaches.indexOf(r.approach);
    if (a >= 0) series[a]![index.get(r.t)!] = r.count;
  }
  return [xs.map((t) => t / 1000), ...series];
}

export interface Segment {
  from: number;
  to: number;
  phase: string;
  interval: TimelineEntry['interval'];
}

/** Timeline entries → the intervals between them, the last one running to `endMs`. */
export function toSegments(entries: TimelineEntry[], endMs: number): Segment[] {
  return entries.map((e, k) => ({
    from: e.t,
    to: Math.max(e.t, entries[k + 1]?.t ?? endMs),
    phase: e.phase,
    interval: e.interval,
  }));
}

const INTERVAL_COLOR = { yellow: '#facc15', 'red-clearance': '#ef4444' } as const;

/** One bar per phase row: its colour while green, yellow and red during its clearance. */
function drawSegments(u: uPlot, segments: Segment[], phases: string[]) {
  const { ctx } = u;
  const { left, top, width, height } = u.bbox;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  for (const s of segments) {
    const k = phases.indexOf(s.phase);
    if (k < 0) continue;
    const x0 = u.valToPos(s.from / 1000, 'x', true);
    const x1 = u.valToPos(s.to / 1000, 'x', true);
    const y0 = u.valToPos(k + 0.85, 'y', true);
    const y1 = u.valToPos(k + 0.15, 'y', true);
    ctx.fillStyle =
      s.interval === 'green' ? PHASE_COLORS[k % PHASE_COLORS.length]! : INTERVAL_COLOR[s.interval];
    ctx.fillRect(x0, y0, Math.max(1, x1 - x0), y1 - y0);
  }
  ctx.restore();
}

export function createPanel(root: HTMLElement) {
  let countsChart: uPlot | undefined;
  let phaseChart: uPlot | undefined;
  let phases: string[] = [];
  let approaches: string[] = [];
  const fields = new Map<string, HTMLElement>();
  let table: HTMLTableSectionElement | undefined;
  let segments: Segment[] = [];
  let tableKey = '';

  const destroy = () => {
    fields.clear();
    tableKey = '';
    countsChart?.destroy();
    phaseChart?.destroy();
    countsChart = undefined;
    phaseChart = undefined;
  };

  return {
    /** Builds the panel for one intersection. */
    open(id: string, config: IntersectionConfig | null, deploymentZone = 'UTC') {
      destroy();
      const zone = config?.timeZone ?? deploymentZone;
      const timeAxis = timeAxisIn(zone);
      const tzDate = tzDateIn(zone);
      root.replaceChildren();
      root.setAttribute('data-selected', id);
      approaches = Object.keys(config?.approaches ?? {});
      phases = (config?.phases ?? []).map((p) => p.id);
      root.append(
        html(
          'h2',
          {},
          config?.name ? `${config.name} · ${id}` : tr('dashboard.panel.intersection', { id }),
        ),
      );
      const facts = html('dl', { class: 'facts' });
      for (const [key, label] of [
        ['phase', tr('dashboard.panel.phase')],
        ['interval', tr('dashboard.panel.interval')],
        ['controller', tr('dashboard.panel.controller')],
        ['overrides', tr('dashboard.panel.overrides')],
        ['devices', tr('dashboard.panel.devices')],
      ] as const) {
        facts.append(html('dt', {}, label));
        const dd = html('dd', { 'data-field': key }, '–');
        fields.set(key, dd);
        facts.append(dd);
      }
      root.append(facts);
      root.append(html('h3', {}, tr('dashboard.panel.approaches')));
      const t = html('table', { class: 'approaches' }) as HTMLTableElement;
      const head = t.createTHead().insertRow();
      for (const k of [
        'dashboard.panel.approach',
        'dashboard.panel.lastInterval',
        'dashboard.panel.queue',
      ] as const)
        head.append(html('th', {}, tr(k)));
      table = t.createTBody();
      root.append(t);

      root.append(html('h3', {}, tr('dashboard.panel.countsChart')));
      const countsEl = html('div', { class: 'chart', id: 'counts-chart', 'data-points': '0' });
      root.append(countsEl);
      countsChart = new uPlot(
        {
          width: CHART_W,
          height: 190,
          tzDate,
          legend: { show: true },
          scales: {
            x: { time: true },
            y: { range: (_u, _min, max) => [0, Math.max(4, max * 1.1)] },
          },
          axes: [timeAxis, { ...axis, size: 36 }],
          series: [
            {
              label: zone,
              value: (_u, v) =>
                v == null
                  ? '–'
                  : formatLocal(v * 1000, zone, { timeOnly: true, offset: false, seconds: true }),
            },
            ...approaches.map((a, k) => ({
              label: a,
              stroke: colorOf(a, k),
              width: 1.6,
              points: { show: false },
              paths: uPlot.paths.stepped?.({ align: 1 }),
            })),
          ],
        },
        [[], ...approaches.map(() => [])],
        countsEl,
      );

      root.append(html('h3', {}, tr('dashboard.panel.timeline')));
      const phaseEl = html('div', { class: 'chart', id: 'phase-chart', 'data-points': '0' });
      root.append(phaseEl);
      phaseChart = new uPlot(
        {
          width: CHART_W,
          height: 46 + 26 * Math.max(1, phases.length),
          tzDate,
          legend: { show: false },
          cursor: { show: false },
          scales: { x: { time: true }, y: { range: [0, Math.max(1, phases.length)] } },
          axes: [
            timeAxis,
            {
              ...axis,
              size: 48,
              splits: () => phases.map((_, k) => k + 0.5),
              values: (_u, splits) => splits.map((s) => phases[Math.round(s - 0.5)] ?? ''),
              grid: { show: false },
            },
          ],
          series: [{}, { show: false }],
          hooks: { draw: [(u) => drawSegments(u, segments, phases)] },
        },
        [[], []],
        phaseEl,
      );
    },
    facts(f: PanelFacts) {
      if (fields.size === 0) return; // not open yet
      fields.get('phase')!.textContent = f.phase ?? '–';
      fields.get('interval')!.textContent = f.interval ? intervalWord(f.interval) : '–';
      fields.get('controller')!.textContent =
        f.controller === 'fallback' ? tr('dashboard.controller.fallback') : (f.controller ?? '–');
      fields.get('overrides')!.textContent = String(f.overrides);
      fields.get('devices')!.textContent = f.devices;
      if (!table) return;
      const key = approaches
        .map((a) => `${f.lastCounts[a] ?? 0}/${Math.round(f.queues[a] ?? 0)}`)
        .join(',');
      if (key === tableKey) return;
      tableKey = key;
      const rows = approaches.map((a) => {
        const tr = document.createElement('tr');
        tr.setAttribute('data-approach', a);
        for (const v of [a, String(f.lastCounts[a] ?? 0), String(Math.round(f.queues[a] ?? 0))]) {
          tr.append(html('td', {}, v));
        }
        return tr;
      });
      table.replaceChildren(...rows);
    },
    counts(rows: CountsRow[]) {
      if (!countsChart) return;
      const data = alignCounts(rows, approaches);
      countsChart.setData(data);
      countsChart.root.parentElement?.setAttribute('data-points', String(data[0].length));
    },
    timeline(entries: TimelineEntry[], endMs: number) {
      if (!phaseChart) return;
      segments = toSegments(entries, endMs);
      const xs =
        segments.length > 0
          ? [segments[0]!.from / 1000, segments[segments.length - 1]!.to / 1000]
          : [];
      phaseChart.setData([xs, xs.map(() => null)]);
      phaseChart.root.parentElement?.setAttribute('data-points', String(segments.length));
    },
  };
}

export type Panel = ReturnType<typeof createPanel>;
