/** The measures as text for a terminal (pure): one table per kind, times in the zone. */
import { type Lang, t } from '../i18n/index.ts';
import { formatLocal } from '../protocol/index.ts';
import type { Measures } from './types.ts';

/** A number as computed (already rounded), with a decimal comma in French. */
const n = (lang: Lang, v: number) => (lang === 'fr' ? String(v).replace('.', ',') : String(v));

const cellOf =
  (lang: Lang) =>
  (v: number | null | undefined, unit = '') =>
    v === null || v === undefined ? '–' : `${n(lang, v)}${unit}`;

function table(head: string[], rows: string[][]): string {
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cols: string[]) =>
    cols
      .map((c, i) => c.padEnd(width[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

export function formatMeasures(m: Measures, lang: Lang = 'en'): string {
  const out: string[] = [];
  const cell = cellOf(lang);
  const when = (ms: number) => formatLocal(ms, m.timeZone);
  out.push(
    t(lang, 'mtable.head', {
      intersection: m.intersection,
      from: when(m.fromMs),
      to: when(m.toMs),
      zone: m.timeZone,
    }),
  );
  out.push('', t(lang, 'mtable.volume'));
  out.push(
    table(
      [
        t(lang, 'mtable.col.approach'),
        t(lang, 'mtable.col.vehicles'),
        t(lang, 'mtable.col.vph'),
        t(lang, 'mtable.col.detectors'),
      ],
      m.approaches.map((a) => [
        a.approach,
        String(a.volume),
        cell(a.flowVph),
        a.detectors.join(' '),
      ]),
    ),
  );
  out.push('', t(lang, 'mtable.laneGroups'));
  out.push(
    table(
      [
        t(lang, 'mtable.col.laneGroup'),
        t(lang, 'mtable.col.phases'),
        t(lang, 'mtable.col.arrivals'),
        t(lang, 'mtable.col.onGreen'),
        t(lang, 'mtable.col.gc'),
        t(lang, 'mtable.col.platoon'),
        t(lang, 'mtable.col.delay'),
        t(lang, 'mtable.col.splitFailures'),
        t(lang, 'mtable.col.yellowAct'),
        t(lang, 'mtable.col.redAct'),
      ],
      m.laneGroups.map((g) => [
        g.laneGroup,
        g.phases.join(' '),
        String(g.arrivals.arrivals),
        cell(g.arrivals.aogPct, ' %'),
        cell(g.arrivals.greenPct, ' %'),
        cell(g.arrivals.platoonRatio),
        cell(g.arrivals.delayPerVehS),
        `${g.splitFailures.failures}/${g.splitFailures.cycles}${g.splitFailures.pct === null ? '' : ` (${cell(g.splitFailures.pct)} %)`}`,
        String(g.yellowRed.yellow),
        t(lang, 'mtable.severe', { red: g.yellowRed.red, severe: g.yellowRed.severeRed }),
      ]),
    ),
  );
  out.push('', t(lang, 'mtable.termination'));
  out.push(
    table(
      [
        t(lang, 'mtable.col.phase'),
        t(lang, 'mtable.col.greens'),
        t(lang, 'mtable.col.maxOut'),
        t(lang, 'mtable.col.gapOrForce'),
        t(lang, 'mtable.col.meanGreen'),
      ],
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
    out.push('', t(lang, 'mtable.bins', { bin: m.binMs / 60_000, zone: m.timeZone }));
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
          t(lang, 'mtable.col.binFrom'),
          ...m.approaches.map((a) => t(lang, 'mtable.col.binVeh', { approach: a.approach })),
          ...m.laneGroups.map((g) => t(lang, 'mtable.col.binAog', { laneGroup: g.laneGroup })),
          ...m.laneGroups.map((g) => t(lang, 'mtable.col.binSf', { laneGroup: g.laneGroup })),
        ],
        rows,
      ),
    );
  }
  if (m.notes.length > 0) out.push('', ...m.notes.map((text) => t(lang, 'cli.note', { text })));
  return out.join('\n');
}
