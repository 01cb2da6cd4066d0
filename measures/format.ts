/** The measures as text for a terminal (pure): one table per kind, times in the zone. */
import { formatLocal } from '../protocol/index.ts';
import type { Measures } from './types.ts';

const cell = (v: number | null | undefined, unit = '') =>
  v === null || v === undefined ? '–' : `${v}${unit}`;

function table(head: string[], rows: string[][]): string {
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cols: string[]) =>
    cols
      .map((c, i) => c.padEnd(width[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

export function formatMeasures(m: Measures): string {
  const out: string[] = [];
  const when = (t: number) => formatLocal(t, m.timeZone);
  out.push(
    `intersection ${m.intersection}, ${when(m.fromMs)} to ${when(m.toMs)} (times: local wall clock in ${m.timeZone})`,
  );
  out.push('', 'Approach volume');
  out.push(
    table(
      ['approach', 'vehicles', 'veh/h', 'detectors'],
      m.approaches.map((a) => [
        a.approach,
        String(a.volume),
        String(a.flowVph),
        a.detectors.join(' '),
      ]),
    ),
  );
  out.push('', 'Lane groups');
  out.push(
    table(
      [
        'lane group',
        'phases',
        'arrivals',
        'on green',
        'g/C',
        'platoon ratio',
        'delay s/veh',
        'split failures',
        'yellow act.',
        'red act.',
      ],
      m.laneGroups.map((g) => [
        g.laneGroup,
        g.phases.join(' '),
        String(g.arrivals.arrivals),
        cell(g.arrivals.aogPct, ' %'),
        cell(g.arrivals.greenPct, ' %'),
        cell(g.arrivals.platoonRatio),
        cell(g.arrivals.delayPerVehS),
        `${g.splitFailures.failures}/${g.splitFailures.cycles}${g.splitFailures.pct === null ? '' : ` (${g.splitFailures.pct} %)`}`,
        String(g.yellowRed.yellow),
        `${g.yellowRed.red} (${g.yellowRed.severeRed} severe)`,
      ]),
    ),
  );
  out.push('', 'Phase termination (gap-out and force-off cannot be told apart from stored data)');
  out.push(
    table(
      ['phase', 'greens', 'max-out', 'gap-out or force-off', 'mean green s'],
      m.phases.map((p) => [
        p.phase,
        String(p.greens),
        String(p.maxOut),
        String(p.gapOutOrForceOff),
        cell(p.meanGreenS),
      ]),
    ),
  );
  const first = m.laneGroups[0];
  if (first && first.bins.length > 1) {
    out.push('', `Per ${m.binMs / 60_000} min (${m.timeZone})`);
    const rows: string[][] = [];
    for (let i = 0; i < first.bins.length; i++) {
      const b = first.bins[i]!;
      rows.push([
        `${b.label} ${b.offset}`,
        ...m.approaches.map((a) => String(a.bins[i]!.volume)),
        ...m.laneGroups.map((g) => cell(g.bins[i]!.arrivals.aogPct)),
        ...m.laneGroups.map((g) => String(g.bins[i]!.splitFailures.failures)),
      ]);
    }
    out.push(
      table(
        [
          'from',
          ...m.approaches.map((a) => `${a.approach} veh`),
          ...m.laneGroups.map((g) => `${g.laneGroup} AoG %`),
          ...m.laneGroups.map((g) => `${g.laneGroup} SF`),
        ],
        rows,
      ),
    );
  }
  if (m.notes.length > 0) out.push('', ...m.notes.map((n) => `note: ${n}`));
  return out.join('\n');
}
