/**
 * The city view: one SVG group per intersection with its approach arms, a signal head per
 * movement at the stop line (coloured by state), and a queue bar in each inbound lane.
 * Stable attributes for tests and tools: `data-intersection`, `data-phase`, `data-interval`
 * on the group; `data-movement` and `data-state` on every head; `data-approach` on queue bars;
 * `data-conflict="true"` on the group and the heads when the heads show conflicting greens.
 * Updates set attributes only; the caller batches them into animation frames.
 */

import type { IntersectionConfig, Interval, MovementState } from '../../protocol/index.ts';
import { approachBearing, parseMovement, servedMovements } from '../../protocol/intersection.ts';
import { conflictingGreens } from '../conflicts.ts';
import { tr } from './i18n.ts';
import { layout } from './layout.ts';

const NS = 'http://www.w3.org/2000/svg';
const CELL = 120;
const BOX = 18; // half the side of the junction box
const ARM = CELL / 2 - BOX; // arms reach halfway to the neighbour
const LANE = 14; // inbound half of an arm
const QUEUE_FULL = 12; // vehicles that fill a queue bar: about one 80-m block lane
const ORDER = { right: 0, through: 1, left: 2 } as const; // outer edge → centre line

interface Drawn {
  g: SVGGElement;
  config: IntersectionConfig;
  /** the warning shown while the heads show conflicting greens */
  warning: SVGTextElement;
  heads: Map<string, SVGRectElement>;
  queues: Map<string, SVGRectElement>;
}

function el<K extends keyof SVGElementTagNameMap>(
  name: K,
  attrs: Record<string, string | number>,
  parent?: Element,
): SVGElementTagNameMap[K] {
  const e = document.createElementNS(NS, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  parent?.appendChild(e);
  return e;
}

function drawIntersection(id: string, config: IntersectionConfig, x: number, y: number): Drawn {
  const g = el('g', {
    class: 'ix',
    'data-intersection': id,
    transform: `translate(${x * CELL} ${y * CELL})`,
    tabindex: 0,
  });
  el('title', {}, g).textContent = config.name ? `${config.name} (${id})` : id;
  el(
    'rect',
    {
      x: -CELL / 2 + 6,
      y: -CELL / 2 + 6,
      width: CELL - 12,
      height: CELL - 12,
      fill: 'transparent',
    },
    g,
  );
  const heads = new Map<string, SVGRectElement>();
  const queues = new Map<string, SVGRectElement>();
  const served = servedMovements(config);
  for (const approach of Object.keys(config.approaches)) {
    const bearing = approachBearing(config, approach);
    if (bearing === undefined) continue;
    const arm = el('g', { transform: `rotate(${bearing})`, 'data-arm': approach }, g);
    el('rect', { class: 'road', x: -LANE, y: -(BOX + ARM), width: 2 * LANE, height: ARM }, arm);
    el('line', { class: 'lane', x1: 0, y1: -(BOX + ARM), x2: 0, y2: -BOX - 2 }, arm);
    queues.set(
      approach,
      el(
        'rect',
        {
          class: 'queue',
          'data-approach': approach,
          'data-queue': 0,
          x: -LANE + 2,
          y: -BOX - 8,
          width: LANE - 4,
          height: 0,
        },
        arm,
      ),
    );
    const mine = served
      .filter((m) => parseMovement(m)?.approach === approach)
      .sort((a, b) => ORDER[parseMovement(a)!.turn] - ORDER[parseMovement(b)!.turn]);
    const w = LANE / Math.max(1, mine.length);
    mine.forEach((m, k) => {
      heads.set(
        m,
        el(
          'rect',
          {
            class: 'head',
            'data-movement': m,
            'data-state': 'dark',
            x: -LANE + k * w,
            y: -BOX - 6,
            width: w,
            height: 6,
          },
          arm,
        ),
      );
    });
  }
  el('rect', { class: 'box', x: -BOX, y: -BOX, width: 2 * BOX, height: 2 * BOX, rx: 3 }, g);
  el(
    'rect',
    { class: 'ring', x: -BOX + 1.5, y: -BOX + 1.5, width: 2 * BOX - 3, height: 2 * BOX - 3, rx: 2 },
    g,
  );
  // the intersection's display name (config `name`) when it has one
  el('text', { class: 'label', x: BOX + 16, y: -BOX - 14 }, g).textContent = config.name ?? id;
  const warning = el('text', { class: 'conflict-warning', x: 0, y: BOX + 14 }, g);
  warning.textContent = tr('dashboard.conflict');
  return { g, config, warning, heads, queues };
}

/** Sets an attribute only when it changes: no mutation, no style work for what is unchanged. */
function set(e: Element, name: string, value: string) {
  if (e.getAttribute(name) !== value) e.setAttribute(name, value);
}

export function createCity(svg: SVGSVGElement, onSelect: (id: string) => void) {
  const drawn = new Map<string, Drawn>();
  let selected: string | undefined;
  svg.addEventListener('click', (ev) => {
    const g = (ev.target as Element).closest('[data-intersection]');
    const id = g?.getAttribute('data-intersection');
    if (id) onSelect(id);
  });

  return {
    /** Draws every intersection that has a config (again): call when the set changes. */
    draw(items: { id: string; config?: IntersectionConfig }[]) {
      svg.replaceChildren();
      drawn.clear();
      const withConfig = items.filter((i) => i.config);
      const placed = layout(withConfig);
      const byId = new Map(withConfig.map((i) => [i.id, i.config!]));
      for (const p of placed) {
        const d = drawIntersection(p.id, byId.get(p.id)!, p.x, p.y);
        if (p.id === selected) d.g.setAttribute('data-selected', 'true');
        svg.appendChild(d.g);
        drawn.set(p.id, d);
      }
      const xs = placed.map((p) => p.x);
      const ys = placed.map((p) => p.y);
      const [x0, x1] = [Math.min(...xs, 0), Math.max(...xs, 0)];
      const [y0, y1] = [Math.min(...ys, 0), Math.max(...ys, 0)];
      svg.setAttribute(
        'viewBox',
        `${(x0 - 0.5) * CELL} ${(y0 - 0.5) * CELL} ${(x1 - x0 + 1) * CELL} ${(y1 - y0 + 1) * CELL}`,
      );
      svg.setAttribute('data-drawn', String(placed.length));
    },
    signal(
      id: string,
      phase: string,
      interval: Interval,
      movements: Record<string, MovementState>,
    ) {
      const d = drawn.get(id);
      if (!d) return;
      set(d.g, 'data-phase', phase);
      set(d.g, 'data-interval', interval);
      for (const [m, head] of d.heads) set(head, 'data-state', movements[m] ?? 'dark');
      // [MMU: conflict] never drawn as normal: the group, its heads and a text say so
      const conflicts = new Set(conflictingGreens(d.config, movements));
      set(d.g, 'data-conflict', String(conflicts.size > 0));
      for (const [m, head] of d.heads) set(head, 'data-conflict', String(conflicts.has(m)));
      d.warning.textContent = conflicts.size > 0 ? '⚠ CONFLICTING GREENS' : '';
    },
    queues(id: string, queues: Record<string, number>) {
      const d = drawn.get(id);
      if (!d) return;
      for (const [a, bar] of d.queues) {
        const q = Math.round(queues[a] ?? 0);
        if (bar.getAttribute('data-queue') === String(q)) continue;
        const h = (Math.min(q, QUEUE_FULL) / QUEUE_FULL) * (ARM - 10);
        bar.setAttribute('height', h.toFixed(1));
        bar.setAttribute('y', (-BOX - 8 - h).toFixed(1));
        bar.setAttribute('data-queue', String(q));
      }
    },
    online(id: string, online: boolean) {
      const d = drawn.get(id);
      if (d) set(d.g, 'data-online', String(online));
    },
    select(id: string | undefined) {
      if (selected) drawn.get(selected)?.g.removeAttribute('data-selected');
      selected = id;
      if (id) drawn.get(id)?.g.setAttribute('data-selected', 'true');
    },
    has: (id: string) => drawn.has(id),
  };
}

export type City = ReturnType<typeof createCity>;
