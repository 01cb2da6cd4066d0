/**
 * Conformance verdicts (pure): given what was observed on the broker, does a controller or a
 * sensor follow protocol v1? The shells (controller.ts, sensor.ts) only record messages and
 * drive the ticks; every judgement is here and unit-tested.
 */
import { type Lang, t } from '../../i18n/index.ts';
import { quantile as quantileOf } from '../../metrics/index.ts';
import {
  type Counts,
  type Decision,
  decodeMessage,
  detectorsOf,
  type IntersectionConfig,
  type Status,
} from '../../protocol/index.ts';

export interface Check {
  id: string;
  /** what is checked, in plain words */
  title: string;
  status: 'pass' | 'fail' | 'skip';
  /** why, with numbers */
  detail: string;
}

export interface Observed {
  topic: string;
  /** the intersection of the topic */
  intersection: string;
  payload: Buffer;
  /** wall-clock ms it arrived (sensor clock check) */
  atMs: number;
  retained?: boolean;
}

const pass = (id: string, title: string, detail: string): Check => ({
  id,
  title,
  status: 'pass',
  detail,
});
const fail = (id: string, title: string, detail: string): Check => ({
  id,
  title,
  status: 'fail',
  detail,
});
export const skip = (id: string, title: string, detail: string): Check => ({
  id,
  title,
  status: 'skip',
  detail,
});
export const verdict = (
  id: string,
  title: string,
  ok: boolean,
  good: string,
  bad: string,
): Check => (ok ? pass(id, title, good) : fail(id, title, bad));

/** An epoch-ms time as ISO 8601 (UTC), for details a person reads. */
const iso = (ms: number) => (Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms));

/** Up to 3 distinct examples of a problem (repeats counted), for the detail line. */
function examples(xs: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  const shown = [...counts].map(([x, n]) => (n > 1 ? `${x} ×${n}` : x));
  return `${shown.slice(0, 3).join('; ')}${shown.length > 3 ? `; … ${shown.length - 3} more kinds` : ''}`;
}

/**
 * Birth: a valid status `{online:true}` from `device` on its status topic, naming itself if it
 * names a device, and retained — `retained` holds what a NEW subscriber received (the broker
 * sends retained messages only then), so a birth published without the retain flag fails.
 * [protocol v1: Birth and Last Will]
 */
export function checkBirth(
  statuses: readonly Observed[],
  device: string,
  title: string,
  retained?: readonly Observed[],
): Check {
  const births = (xs: readonly Observed[]) =>
    xs.flatMap((m) => {
      const r = decodeMessage('status', m.payload);
      return r.ok && (r.value as Status).online === true ? [r.value as Status] : [];
    });
  const live = births(statuses);
  if (live.length === 0) {
    const invalid = statuses.flatMap((m) => {
      const r = decodeMessage('status', m.payload);
      return r.ok ? [] : [`${r.problems[0]?.path} ${r.problems[0]?.message}`];
    });
    return fail(
      'birth',
      title,
      `no valid {"v":1,"online":true,…} on status/${device}${invalid.length > 0 ? `; ${invalid.length} invalid status message(s): ${examples(invalid)}` : ''}`,
    );
  }
  const wrong = live.find((b) => b.device !== undefined && b.device !== device);
  if (wrong)
    return fail(
      'birth',
      title,
      `the birth names device '${wrong.device}', the topic says '${device}'`,
    );
  if (retained && births(retained).length === 0)
    return fail(
      'birth',
      title,
      `${live.length} birth message(s), but none retained: a subscriber arriving later does not see the device online (publish the birth with retain)`,
    );
  return pass(
    'birth',
    title,
    `birth on status/${device}${retained ? ', retained (a later subscriber sees it too)' : ''}`,
  );
}

/** Last Will: after the broker dropped the connection, {online:false} arrived on status/device. */
export function checkWill(after: readonly Observed[], device: string, title: string): Check {
  const wills = after.filter((m) => {
    const r = decodeMessage('status', m.payload);
    return r.ok && (r.value as Status).online === false;
  });
  return verdict(
    'last-will',
    title,
    wills.length > 0,
    `the broker published {online:false} on ${wills[0]?.topic ?? ''} when the connection dropped`,
    `nothing on status/${device} when the connection dropped: no Last Will registered (set it in CONNECT: {"v":1,"online":false} on status/${device} of an intersection it serves, QoS 1, retained)`,
  );
}

export interface DecisionVerdicts {
  valid: Check;
  phases: Check;
  onePerTick: Check;
}

/**
 * Decisions against the ticks published (`ticks`: intersection → signal times) and the
 * configs: each must be a valid decision message, name a phase of its intersection, and
 * answer a published tick exactly once.
 */
export function checkDecisions(
  decisions: readonly Observed[],
  ticks: ReadonlyMap<string, ReadonlySet<number>>,
  configs: ReadonlyMap<string, IntersectionConfig>,
): DecisionVerdicts {
  const invalid: string[] = [];
  const unknown: string[] = [];
  const duplicate: string[] = [];
  const stray: string[] = [];
  const seen = new Set<string>();
  for (const m of decisions) {
    const r = decodeMessage('decision', m.payload);
    if (!r.ok) {
      invalid.push(`${m.intersection}: ${r.problems[0]?.path} ${r.problems[0]?.message}`);
      continue;
    }
    const d = r.value as Decision;
    const phases = configs.get(m.intersection)?.phases.map((p) => p.id) ?? [];
    if (!phases.includes(d.phase))
      unknown.push(`${m.intersection}: '${d.phase}' (known: ${phases.join(', ')})`);
    const key = `${m.intersection}@${d.t}`;
    if (!ticks.get(m.intersection)?.has(d.t))
      stray.push(`${m.intersection}: t=${d.t} was never published`);
    else if (seen.has(key)) duplicate.push(`${m.intersection}: two decisions for t=${d.t}`);
    seen.add(key);
  }
  const n = decisions.length;
  return {
    valid: verdict(
      'valid-messages',
      'only valid messages (decision.schema.json)',
      invalid.length === 0 && n > 0,
      `${n} decisions, all valid`,
      n === 0 ? 'no decision received' : `${invalid.length} of ${n} invalid: ${examples(invalid)}`,
    ),
    phases: verdict(
      'known-phases',
      'only phases the intersection has',
      unknown.length === 0 && n > 0,
      'every decision names a phase of its intersection',
      n === 0
        ? 'no decision received'
        : `${unknown.length} of ${n} decisions ask for an unknown phase: ${examples(unknown)}`,
    ),
    onePerTick: verdict(
      'one-per-tick',
      'one decision per signal, with t = the signal’s t',
      duplicate.length + stray.length === 0 && n > 0,
      'each decision answers one published signal, once',
      n === 0 ? 'no decision received' : examples([...duplicate, ...stray]),
    ),
  };
}

export interface TickRecord {
  /** ticks × intersections published */
  ticks: number;
  /** of those, with no decision for that tick before the deadline */
  missed: number;
  /** ms from a signal published to its decision received, for the ticks answered in time */
  latencyMs: readonly number[];
}

/** The project's one quantile (metrics/quantile.ts): nearest rank, 2 decimals; 0 for no values. */
export const quantile = (xs: readonly number[], q: number): number => quantileOf(xs, q);

/** Every tick answered before the deadline (a lockstep tick waits for it at most that long). */
export function checkDeadlines(r: TickRecord, deadlineMs: number): Check {
  const times = `answer time p50 ${quantile(r.latencyMs, 0.5)} ms, p99 ${quantile(r.latencyMs, 0.99)} ms`;
  return verdict(
    'deadline',
    `answers every tick within ${deadlineMs} ms`,
    r.missed === 0 && r.ticks > 0,
    `${r.ticks} ticks, none missed; ${times}`,
    r.ticks === 0
      ? 'no tick was published'
      : `${r.missed} of ${r.ticks} ticks had no decision in time${r.latencyMs.length > 0 ? `; ${times} when answered` : ''}`,
  );
}

export interface CountsOptions {
  sensor: string;
  config?: IntersectionConfig;
  /** allowed |to − arrival| beyond the interval, ms (clock skew + network) */
  clockToleranceMs: number;
  minMessages: number;
}

/** A sensor's counts over a window: valid, in sequence, contiguous, on time, known detectors. */
export function checkCounts(messages: readonly Observed[], o: CountsOptions): Check[] {
  const out: Check[] = [];
  const invalid: string[] = [];
  const good: Counts[] = [];
  const arrival: number[] = [];
  for (const m of messages) {
    const r = decodeMessage('counts', m.payload);
    if (!r.ok) invalid.push(`${r.problems[0]?.path} ${r.problems[0]?.message}`);
    else if ((r.value as Counts).sensor !== o.sensor)
      invalid.push(`'sensor' is '${(r.value as Counts).sensor}', the topic says '${o.sensor}'`);
    else {
      good.push(r.value as Counts);
      arrival.push(m.atMs);
    }
  }
  out.push(
    verdict(
      'publishes',
      `publishes counts (at least ${o.minMessages} in the window)`,
      messages.length >= o.minMessages,
      `${messages.length} counts messages`,
      `${messages.length} counts messages`,
    ),
    verdict(
      'valid-messages',
      'only valid messages (counts.schema.json), sensor = topic',
      invalid.length === 0 && messages.length > 0,
      `${messages.length} messages, all valid`,
      messages.length === 0
        ? 'no message received'
        : `${invalid.length} of ${messages.length} invalid: ${examples(invalid)}`,
    ),
  );
  const seqProblems: string[] = [];
  const gapProblems: string[] = [];
  const lastOf = new Map<string, Counts>();
  for (const c of good) {
    const prev = lastOf.get(c.boot);
    if (prev) {
      if (c.seq !== prev.seq + 1) seqProblems.push(`boot ${c.boot}: seq ${prev.seq} then ${c.seq}`);
      if (c.from !== prev.to)
        gapProblems.push(
          `[${iso(prev.from)}, ${iso(prev.to)}) then [${iso(c.from)}, ${iso(c.to)})`,
        );
    }
    lastOf.set(c.boot, c);
  }
  out.push(
    verdict(
      'sequence',
      'seq counts up by one per message within a boot',
      seqProblems.length === 0 && good.length > 1,
      `${good.length} messages in ${lastOf.size} boot(s), no gap, no repeat`,
      good.length <= 1 ? 'too few valid messages to tell' : examples(seqProblems),
    ),
    verdict(
      'intervals',
      'intervals are contiguous: each from = the previous to',
      gapProblems.length === 0 && good.length > 1,
      'no hole and no overlap between intervals',
      good.length <= 1 ? 'too few valid messages to tell' : examples(gapProblems),
    ),
  );
  const late = good
    .map((c, i) => ({ c, skew: arrival[i]! - c.to }))
    .filter(({ c, skew }) => Math.abs(skew) > c.to - c.from + o.clockToleranceMs);
  out.push(
    verdict(
      'clock',
      `interval ends are within ${o.clockToleranceMs / 1000} s of the arrival time (a synchronized clock)`,
      late.length === 0 && good.length > 0,
      'timestamps match the wall clock',
      good.length === 0
        ? 'no valid message'
        : `${late.length} of ${good.length} off, e.g. ${Math.round((late[0]?.skew ?? 0) / 1000)} s`,
    ),
  );
  if (!o.config) {
    out.push(
      skip(
        'known-detectors',
        'only detectors the intersection config lists',
        'no retained config for the intersection',
      ),
    );
  } else {
    const known = new Set(detectorsOf(o.config).map((d) => d.id));
    const unknown = [
      ...new Set(good.flatMap((c) => c.detectors.map((d) => d.id)).filter((id) => !known.has(id))),
    ];
    out.push(
      verdict(
        'known-detectors',
        'only detectors the intersection config lists',
        unknown.length === 0 && good.length > 0,
        'every detector id is in the config',
        good.length === 0 ? 'no valid message' : `unknown: ${examples(unknown)}`,
      ),
    );
  }
  return out;
}

/** Exit status: 0 when nothing failed. */
export const failed = (checks: readonly Check[]): number =>
  checks.filter((c) => c.status === 'fail').length;

/** The report printed by `openphase conformance`. */
export function formatChecks(subject: string, checks: readonly Check[], lang: Lang = 'en'): string {
  const marks = {
    pass: t(lang, 'conformance.mark.pass'),
    fail: t(lang, 'conformance.mark.fail'),
    skip: t(lang, 'conformance.mark.skip'),
  };
  const width = Math.max(...Object.values(marks).map((m) => m.length));
  const lines = checks.map(
    (c) => `${marks[c.status].padEnd(width)}  ${c.title}\n${' '.repeat(width + 2)}${c.detail}`,
  );
  const f = failed(checks);
  const s = checks.filter((c) => c.status === 'skip').length;
  return [
    t(lang, 'conformance.head', { subject }),
    ...lines,
    f === 0
      ? `${t(lang, 'conformance.passed', { count: checks.length - s })}${s > 0 ? t(lang, 'conformance.skipped', { count: s }) : ''}`
      : t(lang, 'conformance.failed', { count: f, total: checks.length }),
  ].join('\n');
}
