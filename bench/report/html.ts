/**
 * report.html (pure): one self-contained page from the scorecard alone — summary, ranking,
 * delay per scenario with error bars, queue over time, safety and deadlines, robustness, the
 * scenarios and the manifest. Inline CSS and SVG, no script, no network: it opens from a USB
 * stick and prints. Private scenarios appear by name and hash only.
 */
import { OVERRIDE_KINDS } from '../../protocol/index.ts';
import type { Result, ScorecardT } from '../scorecard-schema.ts';
import { enginesSection, forEngine, sensitivitySection } from './engines.ts';
import {
  headline,
  overridesByKind,
  pairedOf,
  pct,
  runTotal,
  statOf,
  summaryLines,
} from './summary.ts';
import { type BarGroup, esc, fmt, groupedBars, lineChart, stackedBars } from './svg.ts';

const CSS = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1b1b;max-width:980px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:20px;margin:36px 0 8px;border-bottom:2px solid #0072B2;padding-bottom:4px}
h3{font-size:16px;margin:20px 0 6px}.muted{color:#555;font-size:13px}
.summary{background:#f3f8fc;border-left:5px solid #0072B2;padding:12px 18px;margin:16px 0}
.summary p.lead{font-size:17px;margin:4px 0 10px}.summary li{margin:4px 0}
table{border-collapse:collapse;width:100%;margin:8px 0;font-size:14px}
th,td{border-bottom:1px solid #ddd;padding:5px 8px;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}th{background:#f6f6f6}
.good{color:#006b4f}.bad{color:#b03a00}.warn{color:#b00020;font-weight:600}
code{font-size:12px;word-break:break-all}.ci{white-space:nowrap}figure{margin:12px 0}figcaption{font-size:13px;color:#444}
@media print{body{max-width:none}h2{break-after:avoid}svg{break-inside:avoid}}
`;

const ci = (s: { mean: number; ci95: [number, number] }, unit = '') =>
  `${fmt(s.mean)}${unit} <span class="muted ci">[${fmt(s.ci95[0])}–${fmt(s.ci95[1])}]</span>`;

function versus(r: Result, path: string): string {
  const p = pairedOf(r.vsBaseline, path);
  if (!p) return '<span class="muted">baseline</span>';
  const cls = p.direction === 'lower' ? 'good' : p.direction === 'higher' ? 'bad' : 'muted';
  const word = p.direction === 'same' ? 'no clear difference' : p.relative < 0 ? 'less' : 'more';
  return `<span class="${cls}">${p.direction === 'same' ? '' : `${pct(p.relative)} `}${word}</span>`;
}

function rankingTable(card: ScorecardT): string {
  const rows = card.ranking
    .map(
      (e) =>
        `<tr><td>${e.rank}. <b>${esc(e.controller)}</b>${e.controller === card.manifest.baseline ? ' <span class="muted">(baseline)</span>' : ''}</td><td>${fmt(e.delayIndex, 0)}</td><td>${e.controller === card.manifest.baseline ? '–' : `${e.lowerDelay} / ${e.higherDelay} / ${e.scenarios - e.lowerDelay - e.higherDelay}`}</td><td>${fmt(e.overrides)}</td><td>${fmt(e.missedDeadlines)}</td><td class="${e.conflictingGreens > 0 ? 'warn' : ''}">${fmt(e.conflictingGreens)}</td></tr>`,
    )
    .join('');
  return `<table data-table="ranking"><thead><tr><th>controller</th><th>delay index<br><span class="muted">baseline = 100</span></th><th>scenarios with less / more / same delay</th><th>safety interventions<br><span class="muted">in one run of each scenario</span></th><th>missed deadlines<br><span class="muted">in one run of each scenario</span></th><th>conflicting greens</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function delaySection(card: ScorecardT): string {
  const { controllers, scenarios } = card.manifest;
  const groups: BarGroup[] = scenarios.map((s) => ({
    label: s.name,
    bars: card.results
      .filter((r) => r.scenario === s.name)
      .map((r) => {
        const st = statOf(r, 'meanDelayS');
        return {
          series: r.controller,
          value: st.mean,
          ci: st.ci95,
          title: `${r.controller} on ${s.name}: ${fmt(st.mean)} s [${fmt(st.ci95[0])}–${fmt(st.ci95[1])}]`,
          data: { scenario: s.name },
        };
      }),
  }));
  const chart = groupedBars('delay', groups, controllers, {
    unit: 'seconds',
    ariaLabel: 'average delay per vehicle per scenario and controller, with 95% intervals',
  });
  const head = scenarios.map((s) => `<th>${esc(s.name)}</th>`).join('');
  const rows = controllers
    .map((c) => {
      const cells = scenarios
        .map((s) => {
          const r = card.results.find((x) => x.controller === c && x.scenario === s.name);
          return r
            ? `<td>${ci(statOf(r, 'meanDelayS'))}<br>${versus(r, 'meanDelayS')}</td>`
            : '<td>–</td>';
        })
        .join('');
      return `<tr><td><b>${esc(c)}</b></td>${cells}</tr>`;
    })
    .join('');
  return `<h2>Delay per scenario</h2><p>Average delay per vehicle, in seconds, over ${card.manifest.seeds.length} seeds; the black whiskers are 95% confidence intervals. Vehicles still waiting at the end count with the delay they had. Lower is better.</p><figure>${chart}</figure><table data-table="delay"><thead><tr><th>controller</th>${head}</tr></thead><tbody>${rows}</tbody></table><p class="muted">Under each value: the difference from the baseline, compared seed by seed; "no clear difference" when the 95% interval of the difference includes zero.</p>`;
}

const sameSeries = (a: readonly number[], b: readonly number[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);

function queueSection(card: ScorecardT): string {
  const q = card.queueSeries;
  if (!q) return '';
  const lines = card.manifest.controllers
    .filter((c) => q.byController[c])
    .map((c) => ({ series: c, ys: q.byController[c]! }));
  const chart = lineChart(
    'queue',
    q.tS.map((t) => t / 60),
    lines,
    {
      unit: 'vehicles queued',
      xLabel: 'minutes',
      ariaLabel: `vehicles queued over time in ${q.scenario}`,
    },
  );
  const same = lines
    .map((l, i) => ({ l, twin: lines.slice(0, i).find((o) => sameSeries(o.ys, l.ys)) }))
    .filter((x) => x.twin)
    .map((x) => `${esc(x.l.series)} is identical to ${esc(x.twin!.series)} (dashed on top of it)`);
  const note = same.length > 0 ? `<figcaption>${same.join('; ')}.</figcaption>` : '';
  return `<h2>Queue over time: ${esc(q.scenario)}</h2><p>Vehicles waiting at all approaches together, seed ${q.seed}. A controller that keeps this line low and brings it back down quickly after a peak serves the traffic best.</p><figure>${chart}${note}</figure>`;
}

function safetySection(card: ScorecardT): string {
  const { controllers } = card.manifest;
  const runsOf = (c: string) =>
    card.results.filter((r) => r.controller === c).reduce((s, r) => s + r.runs.length, 0);
  const perRun = (x: number, c: string) => Math.round((100 * x) / Math.max(1, runsOf(c))) / 100;
  const missedOf = (c: string) =>
    card.results
      .filter((r) => r.controller === c)
      .reduce((s, r) => s + runTotal(r, 'missedDeadlines'), 0);
  const rows = controllers.map((c) => {
    const by = overridesByKind(card, c);
    return {
      label: c,
      parts: OVERRIDE_KINDS.map((k) => ({ kind: k, value: perRun(by[k] ?? 0, c) })),
    };
  });
  const any = rows.some((r) => r.parts.some((p) => p.value > 0));
  const anyMissed = controllers.some((c) => missedOf(c) > 0);
  const chart = stackedBars('safety', rows, OVERRIDE_KINDS, {
    unit: 'safety interventions per run',
    ariaLabel: 'safety-monitor interventions per run, by kind',
  });
  const missed = stackedBars(
    'deadlines',
    controllers.map((c) => ({
      label: c,
      parts: [{ kind: 'missed deadlines', value: perRun(missedOf(c), c) }],
    })),
    ['missed deadlines'],
    { unit: 'missed deadlines per run', ariaLabel: 'missed deadlines per run' },
  );
  const totals = controllers
    .map((c) => {
      const by = overridesByKind(card, c);
      const own = card.results.filter((r) => r.controller === c);
      const conflicts = own.reduce((s, r) => s + runTotal(r, 'conflictingGreens'), 0);
      return `<tr><td><b>${esc(c)}</b></td><td>${runsOf(c)}</td>${OVERRIDE_KINDS.map((k) => `<td>${by[k] ?? 0}</td>`).join('')}<td>${missedOf(c)}</td><td class="${conflicts > 0 ? 'warn' : ''}">${conflicts}</td></tr>`;
    })
    .join('');
  const body = card.results
    .map((r) => {
      const o = OVERRIDE_KINDS.map((k) => `<td>${fmt(statOf(r, `overrides.${k}`).mean)}</td>`).join(
        '',
      );
      return `<tr><td>${esc(r.controller)}</td><td style="text-align:left">${esc(r.scenario)}</td>${o}<td>${fmt(statOf(r, 'missedDeadlines').mean)}</td><td>${fmt(statOf(r, 'decisionLatencyMs.p50').mean, 2)} / ${fmt(statOf(r, 'decisionLatencyMs.p99').mean, 2)}</td></tr>`;
    })
    .join('');
  const kindsHead = OVERRIDE_KINDS.map((k) => `<th>${k}</th>`).join('');
  return `<h2>Safety and deadlines</h2><p>The safety monitor stands between every controller and the signal heads. When a controller asks for something unsafe or invalid — ending a green before its minimum, holding it past its maximum, a phase that does not exist — the monitor refuses and counts an intervention (<i>minGreen</i>, <i>maxGreen</i>, <i>unknownPhase</i>, <i>conflict</i>); when a controller stays silent it holds the signal and, after a while, runs the fallback plan (<i>watchdog</i>). A missed deadline is a tick the controller did not answer within ${card.manifest.deadlineMs} ms. Conflicting greens are checked on every tick independently of the monitor and must be zero.</p>${any ? `<figure>${chart}<figcaption>Safety interventions per run, by kind.</figcaption></figure>` : '<p class="good" data-note="no-interventions">No controller triggered any safety intervention.</p>'}${anyMissed ? `<figure>${missed}<figcaption>Missed deadlines per run.</figcaption></figure>` : '<p class="good" data-note="no-missed-deadlines">No controller missed a deadline.</p>'}<table data-table="safety"><thead><tr><th>controller</th><th>runs</th>${kindsHead}<th>missed deadlines</th><th>conflicting greens</th></tr></thead><tbody>${totals}</tbody></table><p class="muted">Totals over all runs of the scenarios above.</p><details><summary>Per scenario: means per run, and decision times</summary><table data-table="safety-detail"><thead><tr><th>controller</th><th style="text-align:left">scenario</th>${kindsHead}<th>missed deadlines</th><th>decision ms p50 / p99</th></tr></thead><tbody>${body}</tbody></table><p class="muted">Decision times are wall-clock: in-process for built-ins, from the signal published to the decision received over MQTT.</p></details>`;
}

function robustnessSection(card: ScorecardT): string {
  const twins = card.manifest.scenarios.filter((s) => s.clean);
  if (twins.length === 0) return '';
  const figs = twins
    .map((s) => {
      const rs = card.results.filter((r) => r.scenario === s.name && r.degradation);
      const what = s.clean === 'faults-removed' ? 'with detector faults' : 'with the surge';
      const clean =
        s.clean === 'faults-removed'
          ? 'the same traffic, no faults'
          : 'the same vehicles, spread evenly over the hour';
      const groups: BarGroup[] = rs.map((r) => {
        const c = (r.degradation!.clean as Record<string, { mean: number; ci95: [number, number] }>)
          .meanDelayS!;
        const m = statOf(r, 'meanDelayS');
        return {
          label: r.controller,
          bars: [
            {
              series: clean,
              value: c.mean,
              ci: c.ci95,
              data: { scenario: s.name, controller: r.controller },
            },
            {
              series: what,
              value: m.mean,
              ci: m.ci95,
              data: { scenario: s.name, controller: r.controller },
            },
          ],
        };
      });
      const chart = groupedBars(`degradation-${s.name}`, groups, [clean, what], {
        unit: 'seconds',
        height: 260,
        colour: (x) => (x === clean ? '#9bbfd9' : '#D55E00'),
        ariaLabel: `delay in ${s.name} against its clean twin`,
      });
      const rows = rs
        .map((r) => {
          const p = pairedOf(r.degradation!.change, 'meanDelayS')!;
          return `<tr><td>${esc(r.controller)}</td><td>${fmt(p.diff.mean)} s <span class="muted ci">[${fmt(p.diff.ci95[0])}–${fmt(p.diff.ci95[1])}]</span></td><td>${p.relative >= 0 ? '+' : '−'}${pct(p.relative)}${p.direction === 'same' ? ' <span class="muted">(no clear difference)</span>' : ''}</td></tr>`;
        })
        .join('');
      return `<h3>${esc(s.name)}: ${what}, compared with ${clean}</h3><figure>${chart}</figure><table data-table="degradation"><thead><tr><th>controller</th><th>extra delay per vehicle</th><th>change</th></tr></thead><tbody>${rows}</tbody></table>`;
    })
    .join('');
  return `<h2>Robustness: degradation from the clean run</h2><p>Each fault or surge scenario is also run clean, with the same seeds: detector faults removed (the vehicles are the same, only what the controller sees changes), or a surge spread evenly over the hour. The difference is what the fault or the surge costs each controller.</p>${figs}`;
}

function scenariosSection(card: ScorecardT): string {
  const rows = card.manifest.scenarios
    .map((s) =>
      s.source === 'private'
        ? `<tr><td>${esc(s.name)}</td><td style="text-align:left">private: kept by the city, shown by name and hash only</td><td><code>${s.sha256}</code></td></tr>`
        : `<tr><td>${esc(s.name)}</td><td style="text-align:left">${esc(s.description ?? '')} <span class="muted">(${s.source}, ${s.intersections} intersection${s.intersections === 1 ? '' : 's'}, ${fmt((s.durationS ?? 0) / 60)} min)</span></td><td><code>${s.sha256}</code></td></tr>`,
    )
    .join('');
  return `<h2>Scenarios</h2><table data-table="scenarios"><thead><tr><th>scenario</th><th style="text-align:left">what it tests</th><th>SHA-256 of the file</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function manifestSection(card: ScorecardT): string {
  const m = card.manifest;
  return `<h2>How to rerun this</h2><p>OpenPhase ${esc(m.version)} (protocol ${m.protocol}), Node ${esc(m.environment.node)} on ${esc(m.environment.platform)}; seeds ${m.seeds.join(', ')}; lockstep, deadline ${m.deadlineMs} ms; ${m.durationS === null ? "each scenario's own duration" : `${m.durationS} simulated seconds per run`}; broker: ${m.broker}. Started ${esc(m.startedAt)}, took ${fmt(m.wallS)} s.</p><p><code>openphase ${m.command.map((a) => esc(/[\s"']/.test(a) ? JSON.stringify(a) : a)).join(' ')}</code></p><p class="muted">The same command with the same scenario files (same hashes) gives the same scorecard.json, except for the start time and the wall-clock timings. Method: docs/benchmark.md.</p>`;
}

/** @example writeFileSync('report.html', renderReport(scorecard)) */
export function renderReport(full: ScorecardT): string {
  // every section but the engine comparison reads the reference engine's runs
  const card = forEngine(full, full.manifest.engines[0]!);
  const lines = summaryLines(card)
    .map((l) => `<li><b>${esc(l.controller)}</b>: ${esc(l.text)}</li>`)
    .join('');
  const body = [
    `<h1>Traffic signal controller benchmark</h1><p class="muted">OpenPhase ${esc(card.manifest.version)} · ${esc(card.manifest.startedAt.slice(0, 10))} · ${card.manifest.controllers.length} controllers · ${card.manifest.scenarios.length} scenarios · ${card.manifest.seeds.length} seeds each</p>`,
    `<section class="summary" data-section="summary"><p class="lead">${esc(headline(card))}</p><ul>${lines}</ul><p class="muted">"Clearly" means the 95% confidence interval of the seed-by-seed difference excludes zero. Every run counts; there is no best-of.</p></section>`,
    `<h2>Ranking</h2>${rankingTable(card)}<p class="muted">Delay index: each controller's average delay divided by the baseline's on the same scenario, averaged over the scenarios (lower is better).</p>`,
    enginesSection(full),
    sensitivitySection(full),
    delaySection(card),
    queueSection(card),
    safetySection(card),
    robustnessSection(card),
    scenariosSection(card),
    manifestSection(card),
  ].join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>OpenPhase benchmark: ${esc(card.manifest.controllers.join(', '))}</title><style>${CSS}</style></head>
<body>
${body}
</body></html>
`;
}
