/**
 * The report's plain-language summary (pure): one sentence per controller a council member
 * can read without a statistics course, built only from the scorecard.
 */
import { OVERRIDE_KINDS } from '../../protocol/index.ts';
import type { Result, ScorecardT } from '../scorecard-schema.ts';
import type { Paired, Stat } from '../stats.ts';
import { mean } from '../stats.ts';

type Node = Record<string, unknown>;

/** The Stat of `path` in a result's metrics. */
export function statOf(r: Result, path: string): Stat {
  const [a, b] = path.split('.') as [string, string | undefined];
  const n = (r.metrics as Node)[a] as Node;
  return (b === undefined ? n : n[b]) as unknown as Stat;
}

/** Per-run values of `path`, summed over the runs of a result. */
export function runTotal(r: Result, path: string): number {
  const [a, b] = path.split('.') as [string, string | undefined];
  return r.runs.reduce((s, run) => {
    const n = (run.metrics as Node)[a];
    return s + ((b === undefined ? n : (n as Node)[b]) as number);
  }, 0);
}

export const pairedOf = (
  part: Result['vsBaseline'] | undefined,
  path: string,
): Paired | undefined => (part as Record<string, Paired> | undefined)?.[path];

export const pct = (x: number): string => `${Math.round(Math.abs(x) * 100)}%`;

const count = (n: number, one: string, many = `${one}s`) =>
  `${n === 0 ? 'no' : n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

const scenarioWord = (n: number) => `${n} scenario${n === 1 ? '' : 's'}`;

/** Safety interventions of a controller over all its runs, by kind. */
export function overridesByKind(card: ScorecardT, controller: string): Record<string, number> {
  const own = card.results.filter((r) => r.controller === controller);
  return Object.fromEntries(
    OVERRIDE_KINDS.map((k) => [k, own.reduce((s, r) => s + runTotal(r, `overrides.${k}`), 0)]),
  );
}

/** One sentence per controller, in ranking order; plain text (the HTML escapes it). */
export function summaryLines(card: ScorecardT): { controller: string; text: string }[] {
  const base = card.manifest.baseline;
  return card.ranking.map(({ controller }) => {
    const own = card.results.filter((r) => r.controller === controller);
    const parts: string[] = [];
    if (controller === base) {
      parts.push(
        'the reference baseline: every other controller is compared with it, seed by seed',
      );
    } else {
      const rel = own
        .map((r) => pairedOf(r.vsBaseline, 'meanDelayS'))
        .filter((p) => p !== undefined);
      const avg = rel.length > 0 ? mean(rel.map((p) => p.relative)) : 0;
      const lower = rel.filter((p) => p.direction === 'lower').length;
      const higher = rel.filter((p) => p.direction === 'higher').length;
      const head =
        Math.abs(avg) < 0.005
          ? 'about the same delay as the baseline on average'
          : `${pct(avg)} ${avg < 0 ? 'less' : 'more'} delay than the baseline on average`;
      const n = rel.length;
      parts.push(
        lower === 0 && higher === 0
          ? `${head}, but no clear difference on any of the ${scenarioWord(n)}: within what chance gives over these seeds`
          : lower === 0
            ? `${head}; clearly more delay on ${higher} of ${scenarioWord(n)}, clearly less on none`
            : `${head}; clearly less delay on ${lower} of ${scenarioWord(n)}` +
              (higher > 0 ? ` and clearly more on ${higher}` : ''),
      );
    }
    const byKind = overridesByKind(card, controller);
    const overrides = Object.values(byKind).reduce((s, v) => s + v, 0);
    const kinds = Object.entries(byKind)
      .filter(([, v]) => v > 0)
      .map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`)
      .join(', ');
    parts.push(
      overrides === 0
        ? 'no safety interventions'
        : `${count(overrides, 'safety intervention')} (${kinds}) in ${own.reduce((s, r) => s + r.runs.length, 0)} runs`,
    );
    const missed = own.reduce((s, r) => s + runTotal(r, 'missedDeadlines'), 0);
    parts.push(`${missed.toLocaleString('en-US')} missed deadline${missed === 1 ? '' : 's'}`);
    const conflicts = own.reduce((s, r) => s + runTotal(r, 'conflictingGreens'), 0);
    if (conflicts > 0) parts.push(`WARNING: ${count(conflicts, 'conflicting green')} shown`);
    const degr = own
      .filter((r) => r.degradation)
      .map((r) => {
        const p = pairedOf(r.degradation?.change, 'meanDelayS')!;
        const kind = card.manifest.scenarios.find((s) => s.name === r.scenario)?.clean;
        const what = kind === 'faults-removed' ? 'detector faults' : 'the demand surge';
        return p.direction === 'same'
          ? `${what} (${r.scenario}) made no clear difference to its delay`
          : `${what} (${r.scenario}) ${p.relative >= 0 ? 'raised' : 'lowered'} its delay ${pct(p.relative)}`;
      });
    if (degr.length > 0) parts.push(degr.join('; '));
    return { controller, text: `${parts.join('; ')}.` };
  });
}

/** The one-line headline above the details. */
export function headline(card: ScorecardT): string {
  const best = card.ranking[0];
  const m = card.manifest;
  const n = m.scenarios.length;
  const runs = card.results.reduce((s, r) => s + r.runs.length, 0);
  const conflicts = card.results.reduce((s, r) => s + runTotal(r, 'conflictingGreens'), 0);
  const lead =
    best && best.controller !== m.baseline
      ? `${best.controller} had the least delay: ${Math.round(100 - best.delayIndex)}% less than the baseline ${m.baseline} on average over ${scenarioWord(n)}.`
      : `No controller had less delay than the baseline ${m.baseline} on average over ${scenarioWord(n)}.`;
  const safety =
    conflicts === 0
      ? 'No run ever showed two conflicting movements green together.'
      : `WARNING: conflicting greens were shown ${conflicts} times.`;
  const twins = m.scenarios.filter((s) => s.clean).length * m.controllers.length * m.seeds.length;
  const extra = twins > 0 ? `, plus ${twins.toLocaleString('en-US')} runs of clean twins` : '';
  return `${lead} ${m.controllers.length} controllers × ${scenarioWord(n)} × ${m.seeds.length} seeds = ${runs.toLocaleString('en-US')} runs${extra}. ${safety}`;
}
