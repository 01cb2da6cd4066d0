/**
 * Inline SVG charts for the report (pure: data in, markup out). No library and no script: the
 * report opens offline, prints, and is archived as one file. Colours are the Okabe–Ito palette
 * (readable with colour-blindness); every mark carries data attributes for tests and a
 * <title> for a tooltip.
 */
import type { Lang } from '../../i18n/index.ts';

export const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#56B4E9',
  '#D55E00',
  '#F0E442',
  '#000000',
];

const ESC: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ESC[c]!);

/** Short number: 1 decimal under 100, none above; integers as they are; a decimal comma in French. */
export function fmt(x: number, digits = 1, lang: Lang = 'en'): string {
  if (!Number.isFinite(x)) return '–';
  const s = Number.isInteger(x) ? String(x) : x.toFixed(Math.abs(x) >= 100 ? 0 : digits);
  return lang === 'fr' ? s.replace('.', ',') : s;
}

/** 0, and "nice" round ticks covering [0, max]. */
export function niceTicks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw)!;
  const out: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) out.push(Math.round(v * 1e6) / 1e6);
  return out;
}

/** Splits a long label at '-' or spaces into lines of about `width` characters. */
export function wrap(label: string, width = 16): string[] {
  const parts = label.split(/(?<=[-\s])/);
  const lines: string[] = [];
  let line = '';
  for (const p of parts) {
    if (line && (line + p).length > width) {
      lines.push(line);
      line = p;
    } else line += p;
  }
  if (line) lines.push(line);
  return lines;
}

const W = 900;
const PAD = { left: 64, right: 16, top: 16, bottom: 64 };

export interface Bar {
  /** series name (legend): a controller */
  series: string;
  value: number;
  /** 95 % interval, drawn as an error bar */
  ci?: [number, number];
  title?: string;
  /** extra data attributes, e.g. { scenario: 'two-phase' } */
  data?: Record<string, string>;
}

export interface BarGroup {
  label: string;
  bars: Bar[];
}

/** The legend under a chart, wrapping onto more rows when display names are long. */
function legend(
  series: readonly string[],
  colour: (s: string) => string,
  y: number,
): { svg: string; extraH: number } {
  let x = PAD.left;
  let row = 0;
  const svg = series
    .map((s) => {
      const w = 28 + s.length * 7;
      if (x > PAD.left && x + w > W - PAD.right) {
        x = PAD.left;
        row++;
      }
      const yy = y + row * 18;
      const item = `<g class="legend-item"><rect x="${x}" y="${yy - 10}" width="12" height="12" fill="${colour(s)}"/><text x="${x + 16}" y="${yy}" font-size="12">${esc(s)}</text></g>`;
      x += w;
      return item;
    })
    .join('');
  return { svg, extraH: row * 18 };
}

function yAxis(
  ticks: number[],
  scale: (v: number) => number,
  width: number,
  unit: string,
  lang: Lang,
): string {
  const lines = ticks
    .map(
      (t) =>
        `<line x1="${PAD.left}" x2="${width - PAD.right}" y1="${scale(t)}" y2="${scale(t)}" stroke="#ddd"/><text x="${PAD.left - 6}" y="${scale(t) + 4}" font-size="11" text-anchor="end">${fmt(t, 1, lang)}</text>`,
    )
    .join('');
  return `${lines}<text x="14" y="${PAD.top + 4}" font-size="11" transform="rotate(-90 14 ${PAD.top + 4})" text-anchor="end">${esc(unit)}</text>`;
}

/**
 * Grouped bars with error bars: one group per label (a scenario), one bar per series
 * (a controller), all on one axis from 0.
 */
export function groupedBars(
  id: string,
  groups: readonly BarGroup[],
  series: readonly string[],
  opts: {
    unit: string;
    height?: number;
    colour?: (s: string) => string;
    ariaLabel: string;
    lang?: Lang;
  },
): string {
  const height = opts.height ?? 340;
  const colour = opts.colour ?? ((s: string) => PALETTE[series.indexOf(s) % PALETTE.length]!);
  const top = Math.max(
    0,
    ...groups.flatMap((g) => g.bars.map((b) => Math.max(b.value, b.ci?.[1] ?? 0))),
  );
  const ticks = niceTicks(top);
  const yMax = ticks.at(-1)!;
  const plotH = height - PAD.top - PAD.bottom;
  const y = (v: number) => PAD.top + plotH * (1 - Math.max(0, v) / yMax);
  const groupW = (W - PAD.left - PAD.right) / Math.max(1, groups.length);
  const barW = Math.min(36, (groupW * 0.8) / Math.max(1, series.length));
  const marks = groups
    .map((g, gi) => {
      const x0 = PAD.left + gi * groupW + (groupW - barW * series.length) / 2;
      const bars = g.bars
        .map((b) => {
          const si = series.indexOf(b.series);
          const x = x0 + si * barW;
          const data = Object.entries({
            series: b.series,
            value: String(b.value),
            ...(b.data ?? {}),
          })
            .map(([k, v]) => `data-${k}="${esc(v)}"`)
            .join(' ');
          const err = b.ci
            ? `<path class="err" d="M${x + barW / 2} ${y(b.ci[0])}V${y(b.ci[1])}M${x + barW / 2 - 5} ${y(b.ci[0])}h10M${x + barW / 2 - 5} ${y(b.ci[1])}h10" stroke="#222" stroke-width="1.5"/>`
            : '';
          return `<g><rect class="bar" ${data} x="${x + 1}" y="${y(b.value)}" width="${Math.max(1, barW - 2)}" height="${Math.max(0, y(0) - y(b.value))}" fill="${colour(b.series)}"><title>${esc(b.title ?? `${b.series}: ${fmt(b.value, 1, opts.lang)}`)}</title></rect>${err}</g>`;
        })
        .join('');
      const label = wrap(g.label)
        .map(
          (line, li) =>
            `<text x="${PAD.left + gi * groupW + groupW / 2}" y="${height - PAD.bottom + 16 + li * 13}" font-size="12" text-anchor="middle">${esc(line)}</text>`,
        )
        .join('');
      return bars + label;
    })
    .join('');
  const key = legend(series, colour, height + 16);
  return `<svg data-chart="${esc(id)}" viewBox="0 0 ${W} ${height + 24 + key.extraH}" width="100%" role="img" aria-label="${esc(opts.ariaLabel)}" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif">${yAxis(ticks, y, W, opts.unit, opts.lang ?? 'en')}<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(0)}" y2="${y(0)}" stroke="#333"/>${marks}${key.svg}</svg>`;
}

export interface Line {
  series: string;
  ys: readonly number[];
}

/** Lines over a shared x axis (minutes), one per series. */
export function lineChart(
  id: string,
  xsMin: readonly number[],
  lines: readonly Line[],
  opts: { unit: string; xLabel: string; ariaLabel: string; height?: number; lang?: Lang },
): string {
  const height = opts.height ?? 320;
  const series = lines.map((l) => l.series);
  const colour = (s: string) => PALETTE[series.indexOf(s) % PALETTE.length]!;
  const ticks = niceTicks(Math.max(0, ...lines.flatMap((l) => l.ys)));
  const yMax = ticks.at(-1)!;
  const xMax = Math.max(1e-9, xsMin.at(-1) ?? 1);
  const xTicks = niceTicks(xMax, 8).filter((t) => t <= xMax + 1e-9);
  const plotH = height - PAD.top - PAD.bottom;
  const plotW = W - PAD.left - PAD.right;
  const x = (v: number) => PAD.left + (plotW * v) / xMax;
  const y = (v: number) => PAD.top + plotH * (1 - v / yMax);
  const paths = lines
    .map((l, i) => {
      // a series identical to an earlier one would hide it: draw it dashed on top
      const twin = lines
        .slice(0, i)
        .some((o) => o.ys.length === l.ys.length && o.ys.every((v, k) => v === l.ys[k]));
      const d = l.ys
        .map((v, i) => `${i === 0 ? 'M' : 'L'}${x(xsMin[i] ?? 0).toFixed(1)} ${y(v).toFixed(1)}`)
        .join('');
      return `<path class="line" data-series="${esc(l.series)}" d="${d}" fill="none" stroke="${colour(l.series)}" stroke-width="2"${twin ? ' stroke-dasharray="7 5"' : ''}><title>${esc(l.series)}</title></path>`;
    })
    .join('');
  const xAxis = xTicks
    .map(
      (t) =>
        `<text x="${x(t)}" y="${height - PAD.bottom + 16}" font-size="11" text-anchor="middle">${fmt(t, 1, opts.lang)}</text>`,
    )
    .join('');
  const key = legend(series, colour, height + 16);
  return `<svg data-chart="${esc(id)}" viewBox="0 0 ${W} ${height + 24 + key.extraH}" width="100%" role="img" aria-label="${esc(opts.ariaLabel)}" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif">${yAxis(ticks, y, W, opts.unit, opts.lang ?? 'en')}<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(0)}" y2="${y(0)}" stroke="#333"/>${xAxis}<text x="${W - PAD.right}" y="${height - PAD.bottom + 32}" font-size="11" text-anchor="end">${esc(opts.xLabel)}</text>${paths}${key.svg}</svg>`;
}

export interface Stack {
  label: string;
  parts: { kind: string; value: number }[];
}

/** Horizontal stacked bars: one row per label (a controller), one colour per kind. */
export function stackedBars(
  id: string,
  rows: readonly Stack[],
  kinds: readonly string[],
  opts: { unit: string; ariaLabel: string; lang?: Lang },
): string {
  const rowH = 28;
  const left = 190;
  const height = PAD.top + rows.length * rowH + 40;
  const colour = (k: string) => PALETTE[(kinds.indexOf(k) + 5) % PALETTE.length]!;
  const total = (r: Stack) => r.parts.reduce((s, p) => s + p.value, 0);
  const ticks = niceTicks(Math.max(0, ...rows.map(total)));
  const xMax = ticks.at(-1)!;
  const plotW = W - left - PAD.right;
  const x = (v: number) => left + (plotW * v) / xMax;
  const grid = ticks
    .map(
      (t) =>
        `<line x1="${x(t)}" x2="${x(t)}" y1="${PAD.top}" y2="${PAD.top + rows.length * rowH}" stroke="#ddd"/><text x="${x(t)}" y="${PAD.top + rows.length * rowH + 14}" font-size="11" text-anchor="middle">${fmt(t, 1, opts.lang)}</text>`,
    )
    .join('');
  const bars = rows
    .map((r, ri) => {
      let acc = 0;
      const yy = PAD.top + ri * rowH + 4;
      const segs = r.parts
        .filter((p) => p.value > 0)
        .map((p) => {
          const seg = `<rect class="bar" data-series="${esc(r.label)}" data-kind="${esc(p.kind)}" data-value="${p.value}" x="${x(acc)}" y="${yy}" width="${Math.max(0, x(acc + p.value) - x(acc))}" height="${rowH - 8}" fill="${colour(p.kind)}"><title>${esc(`${r.label}: ${p.kind} ${fmt(p.value, 1, opts.lang)}`)}</title></rect>`;
          acc += p.value;
          return seg;
        })
        .join('');
      return `<text x="${left - 8}" y="${yy + 14}" font-size="12" text-anchor="end">${esc(r.label)}</text>${segs}<text x="${x(acc) + 4}" y="${yy + 14}" font-size="11">${fmt(acc, 1, opts.lang)}</text>`;
    })
    .join('');
  const key = legend(kinds, colour, height + 16);
  return `<svg data-chart="${esc(id)}" viewBox="0 0 ${W} ${height + 24 + key.extraH}" width="100%" role="img" aria-label="${esc(opts.ariaLabel)}" xmlns="http://www.w3.org/2000/svg" font-family="system-ui, sans-serif">${grid}${bars}<text x="${W - PAD.right}" y="${PAD.top + rows.length * rowH + 30}" font-size="11" text-anchor="end">${esc(opts.unit)}</text>${key.svg}</svg>`;
}
