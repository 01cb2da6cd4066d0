/**
 * The signal performance measures on the intersection panel (docs/measures.md): a summary line,
 * the Purdue coordination diagram of one lane group drawn as a plot (arrivals as dots at their
 * time of day and seconds into their cycle; the start of green and of yellow in each cycle as
 * lines), and per bin the arrivals on green, the green time and the split failures. Data from
 * GET /api/intersections/{id}/measures; times on the intersection's clock.
 */
import uPlot from 'uplot';
import { num } from '../../i18n/index.ts';
import type { CoordinationDiagram, LaneGroupMeasures, Measures } from '../../measures/types.ts';
import { onLangChange, pageLang, tr } from './i18n.ts';
import { axis, timeAxisIn, tzDateIn } from './panel.ts';

const CHART_W = 388;
const GREEN = '#22c55e';
const YELLOW = '#facc15';

const fmt = (x: number | null, digits = 1) => (x === null ? '–' : num(pageLang(), x, digits));

function el(tag: string, attrs: Record<string, string> = {}, text?: string): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Arrivals as uPlot columns: x (s), seconds in cycle. */
export function diagramData(d: CoordinationDiagram): uPlot.AlignedData {
  return [d.arrivals.map(([t]) => t / 1000), d.arrivals.map(([, s]) => s)];
}

/** The green and yellow lines of every cycle, drawn over the plot. */
function drawCycles(u: uPlot, d: CoordinationDiagram | undefined) {
  if (!d) return;
  const { ctx } = u;
  const { left, top, width, height } = u.bbox;
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top, width, height);
  ctx.clip();
  ctx.lineWidth = 2;
  for (const [key, color] of [
    ['greenS', GREEN],
    ['yellowS', YELLOW],
  ] as const) {
    ctx.strokeStyle = color;
    ctx.beginPath();
    for (const c of d.cycles) {
      const x0 = u.valToPos(c.startMs / 1000, 'x', true);
      const x1 = u.valToPos(c.startMs / 1000 + c.endS, 'x', true);
      const y = u.valToPos(c[key], 'y', true);
      ctx.moveTo(x0, y);
      ctx.lineTo(x1, y);
    }
    ctx.stroke();
  }
  ctx.restore();
}

export type FetchJson = <T>(url: string) => Promise<T>;

export function createMeasuresView(fetchJson: FetchJson) {
  let pcd: uPlot | undefined;
  let bins: uPlot | undefined;
  let diagram: CoordinationDiagram | undefined;
  let box: HTMLElement | undefined;
  let title: HTMLElement | undefined;
  let current: { id: string; zone: string } | undefined;
  let data: Measures | undefined;
  let group = '';

  // a language switch redraws the section in the new language
  onLangChange(() => draw());

  const destroy = () => {
    pcd?.destroy();
    bins?.destroy();
    pcd = undefined;
    bins = undefined;
  };

  function draw() {
    if (!box || !current || !data) return;
    if (title) title.textContent = tr('measures.title');
    destroy();
    box.replaceChildren();
    const { zone } = current;
    const groups = data.laneGroups.filter((g) => g.arrivalDetectors.length > 0);
    if (groups.length === 0) {
      box.append(el('p', { class: 'note', 'data-measures': 'none' }, tr('measures.unavailable')));
      return;
    }
    if (!groups.some((g) => g.laneGroup === group)) group = groups[0]!.laneGroup;
    const g = groups.find((x) => x.laneGroup === group) as LaneGroupMeasures;

    const pick = el('select', { id: 'measures-group', 'aria-label': tr('measures.laneGroup') });
    for (const x of groups) {
      const o = el('option', { value: x.laneGroup }, x.laneGroup) as HTMLOptionElement;
      o.selected = x.laneGroup === group;
      pick.append(o);
    }
    pick.addEventListener('change', () => {
      group = (pick as HTMLSelectElement).value;
      draw();
    });
    const label = el('label', { class: 'measures-group' }, `${tr('measures.laneGroup')} `);
    label.append(pick);
    box.append(label);
    box.append(
      el(
        'p',
        { class: 'measures-summary', 'data-measures': 'summary' },
        tr('measures.summary', {
          aog: fmt(g.arrivals.aogPct, 0),
          gc: fmt(g.arrivals.greenPct, 0),
          rp: fmt(g.arrivals.platoonRatio, 2),
          sf: g.splitFailures.failures,
          cycles: g.splitFailures.cycles,
          delay: fmt(g.arrivals.delayPerVehS),
        }),
      ),
    );

    diagram = g.diagram;
    box.append(el('h4', {}, tr('measures.pcd.title')));
    const pcdEl = el('div', {
      class: 'chart',
      id: 'pcd-chart',
      'data-cycles': String(diagram.cycles.length),
      'data-arrivals': String(diagram.arrivals.length),
    });
    box.append(pcdEl);
    const maxCycle = Math.max(10, ...diagram.cycles.map((c) => c.endS));
    const span = diagram.cycles.length
      ? [
          diagram.cycles[0]!.startMs / 1000,
          diagram.cycles.at(-1)!.startMs / 1000 + diagram.cycles.at(-1)!.endS,
        ]
      : [data.fromMs / 1000, data.toMs / 1000];
    pcd = new uPlot(
      {
        width: CHART_W,
        height: 220,
        tzDate: tzDateIn(zone),
        legend: { show: false },
        cursor: { show: false },
        scales: {
          x: { time: true, range: () => span as [number, number] },
          y: { range: () => [0, maxCycle] },
        },
        axes: [
          timeAxisIn(zone),
          { ...axis, size: 36, label: tr('measures.pcd.axis'), labelSize: 14 },
        ],
        series: [
          {},
          {
            stroke: '#cbd5e1',
            fill: '#cbd5e1',
            paths: () => null,
            points: { show: true, size: 3, stroke: '#cbd5e1', fill: '#cbd5e1' },
          },
        ],
        hooks: { draw: [(u) => drawCycles(u, diagram)] },
      },
      diagramData(diagram),
      pcdEl,
    );

    box.append(el('h4', {}, tr('measures.bins.title', { bin: data.binMs / 60_000 })));
    const binsEl = el('div', {
      class: 'chart',
      id: 'aog-chart',
      'data-bins': String(g.bins.length),
    });
    box.append(binsEl);
    bins = new uPlot(
      {
        width: CHART_W,
        height: 170,
        tzDate: tzDateIn(zone),
        legend: { show: true },
        scales: { x: { time: true }, y: { range: [0, 100] } },
        axes: [timeAxisIn(zone), { ...axis, size: 36 }],
        series: [
          { label: zone },
          { label: tr('measures.series.aog'), stroke: GREEN, width: 1.6 },
          { label: tr('measures.series.gc'), stroke: '#64748b', width: 1.2, dash: [4, 3] },
          { label: tr('measures.series.sf'), stroke: '#ef4444', width: 1.6 },
        ],
      },
      [
        g.bins.map((b) => b.fromMs / 1000),
        g.bins.map((b) => b.arrivals.aogPct),
        g.bins.map((b) => b.arrivals.greenPct),
        g.bins.map((b) => b.splitFailures.pct),
      ],
      binsEl,
    );
    box.append(el('p', { class: 'note' }, tr('measures.zone', { zone })));
  }

  return {
    /** Adds the measures section to the panel and loads it. */
    async open(root: HTMLElement, id: string, zone: string) {
      destroy();
      current = { id, zone };
      data = undefined;
      title = el('h3', {}, tr('measures.title'));
      root.append(title);
      box = el('div', { class: 'measures', id: 'measures', 'data-state': 'loading' });
      root.append(box);
      await this.refresh();
    },
    /** Fetches the last hour again (the panel calls it now and then). */
    async refresh() {
      const c = current;
      if (!c || !box) return;
      try {
        const m = await fetchJson<Measures>(
          `/api/intersections/${encodeURIComponent(c.id)}/measures?bin=15m`,
        );
        if (c !== current) return;
        data = m;
        draw();
        box.setAttribute('data-state', 'ready');
      } catch {
        if (c !== current) return;
        destroy();
        box.replaceChildren(el('p', { class: 'note' }, tr('measures.unavailable')));
        box.setAttribute('data-state', 'unavailable');
      }
    },
    close() {
      destroy();
      current = undefined;
      box = undefined;
    },
  };
}

export type MeasuresView = ReturnType<typeof createMeasuresView>;
