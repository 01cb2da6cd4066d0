/**
 * `openphase bench`: controllers × scenarios × seeds, in lockstep, → scorecard.json and
 * report.html. Method: docs/benchmark.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { DEFAULT_BASELINE, DEFAULT_SEEDS, DEFAULT_SUITE } from '../../bench/plan.ts';
import { createProgressView } from '../../bench/progress.ts';
import { renderReport } from '../../bench/report/html.ts';
import { controllerName } from '../../bench/report/names.ts';
import { checkParallel, createBench, defaultParallel } from '../../bench/runner.ts';
import { resolveScenarios } from '../../bench/scenarios.ts';
import type { ScorecardT } from '../../bench/scorecard-schema.ts';
import { runSensitivity, YELLOW_USED_RANGE_S } from '../../bench/sensitivity-run.ts';
import { checkScorecard } from '../../bench/validate.ts';
import { ALGORITHMS } from '../../controller/algorithms/registry.ts';
import { ENGINE_NAMES } from '../../engines/index.ts';
import { num as numberIn, t } from '../../i18n/index.ts';
import { makeDirs } from '../../ops/make-dirs.ts';
import { assertTimeZone, formatProblems } from '../../protocol/index.ts';
import { ScenarioError } from '../../simulator/index.ts';
import { readArgData } from '../args.ts';
import { cliLang, langOption } from '../lang.ts';
import { packageJson } from '../package-json.ts';
import { MQTT_PASSWORD, refusedSecretOption, resolveSecret, secretFileOption } from '../secrets.ts';

interface Opts {
  timeZone?: string;
  controller?: string[];
  scenario?: string[];
  private?: string[];
  seeds: string;
  duration?: string;
  deadlineMs: string;
  baseline: string;
  out: string;
  mqtt?: string;
  username?: string;
  password?: string;
  root: string;
  spawn?: string[];
  connectTimeout: string;
  degradation: boolean;
  queueScenario?: string;
  reportFrom?: string;
  engine: string;
  sensitivity: boolean;
  parallel?: string;
  reuseSpawned?: boolean;
  label?: string[];
}

const here = dirname(fileURLToPath(import.meta.url));
const VERSION = (JSON.parse(readFileSync(packageJson(here), 'utf8')) as { version: string })
  .version;

const collect = (v: string, prev: string[] | undefined) => [...(prev ?? []), v];

const num = (name: string, v: string | undefined, min: number): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min)
    throw new Error(`--${name} must be a number ≥ ${min}, got '${v}'`);
  return n;
};

/** `--spawn "cmd"` (the only mqtt: controller) or `--spawn "ID=cmd"`. */
export function parseSpawn(
  values: readonly string[],
  vendors: readonly string[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const m = /^([A-Za-z0-9_-]{1,64})=(.+)$/s.exec(v);
    let id: string;
    let cmd: string;
    if (m && vendors.includes(m[1]!)) {
      id = m[1]!;
      cmd = m[2]!;
    } else if (vendors.length === 1) {
      id = vendors[0]!;
      cmd = v;
    } else {
      throw new Error(
        `--spawn '${v}': with ${vendors.length === 0 ? 'no' : 'several'} mqtt: controllers, write --spawn ID="command"`,
      );
    }
    if (out[id]) throw new Error(`--spawn: two commands for mqtt:${id}`);
    out[id] = cmd;
  }
  return out;
}

/**
 * `--label mqtt:acme="Acme SmartSignal 2.1"` (repeat): display names for the report and the
 * summaries, for controllers of this bench only.
 */
export function parseLabels(
  values: readonly string[],
  controllers: readonly string[],
): Record<string, string> {
  const lang = cliLang();
  const out: Record<string, string> = {};
  for (const v of values) {
    const m = /^((?:builtin|mqtt):[A-Za-z0-9_-]{1,64})=(.{1,100})$/s.exec(v.trim());
    const name = m?.[2]
      ?.trim()
      .replace(/^(["'])(.*)\1$/s, '$2')
      .trim();
    if (!m || !name) throw new Error(t(lang, 'cli.label.format', { value: v }));
    const controller = m[1]!;
    if (!controllers.includes(controller))
      throw new Error(t(lang, 'cli.label.unknown', { controller, known: controllers.join(', ') }));
    if (out[controller]) throw new Error(t(lang, 'cli.label.twice', { controller }));
    out[controller] = name;
  }
  return out;
}

/** The scorecard with its display names, when any were given. */
const withLabels = (card: ScorecardT, labels: Record<string, string>): ScorecardT =>
  Object.keys(labels).length === 0
    ? card
    : { ...card, manifest: { ...card.manifest, labels: { ...card.manifest.labels, ...labels } } };

/**
 * The command line for the manifest, rebuilt from the parsed options with every default
 * spelled out (so environment variables cannot hide a setting), without the password and
 * without --out (where results go does not change them).
 */
export function canonicalCommand(o: Opts, controllers: readonly string[]): string[] {
  const flag = (name: string, values: readonly string[] | string | undefined) =>
    (values === undefined ? [] : typeof values === 'string' ? [values] : values).flatMap((v) => [
      `--${name}`,
      v,
    ]);
  return [
    'bench',
    ...flag('controller', controllers),
    ...flag('scenario', o.scenario),
    ...flag('private', o.private),
    ...flag('seeds', o.seeds),
    ...flag('duration', o.duration),
    ...flag('deadline-ms', o.deadlineMs),
    ...flag('baseline', o.baseline),
    ...flag('mqtt', o.mqtt),
    ...flag('username', o.mqtt ? o.username : undefined),
    ...flag('root', o.root),
    ...flag('spawn', o.spawn),
    ...(o.reuseSpawned ? ['--reuse-spawned'] : []),
    ...(o.degradation ? [] : ['--no-degradation']),
    ...flag('queue-scenario', o.queueScenario),
    ...flag('engine', o.engine),
    ...(o.sensitivity ? ['--sensitivity'] : []),
    ...flag('label', o.label),
  ];
}

/** The zone the report shows its clock times in (the deployment's, default UTC). */
function reportZone(o: Opts): string {
  return assertTimeZone(o.timeZone ?? 'UTC', '--time-zone');
}

async function run(o: Opts): Promise<void> {
  const out = resolve(o.out);
  makeDirs(out);
  const lang = cliLang();
  if (o.reportFrom) {
    const read = checkScorecard(readArgData('--report-from', o.reportFrom));
    const card = withLabels(read, parseLabels(o.label ?? [], read.manifest.controllers));
    writeFileSync(join(out, 'report.html'), renderReport(card, { lang, timeZone: reportZone(o) }));
    console.error(t(lang, 'cli.bench.wroteReport', { path: join(out, 'report.html') }));
    return;
  }
  const controllers = o.controller ?? ALGORITHMS.map((a) => `builtin:${a.name}`);
  const baseline = o.baseline;
  const labels = parseLabels(
    o.label ?? [],
    controllers.includes(baseline) ? controllers : [...controllers, baseline],
  );
  const vendors = controllers
    .filter((c) => c.startsWith('mqtt:'))
    .map((c) => c.slice('mqtt:'.length));
  const scenarios = resolveScenarios(
    o.scenario ?? (o.private?.length ? [] : [...DEFAULT_SUITE]),
    o.private ?? [],
  );
  const durationS = num('duration', o.duration, 1);
  const options = {
    controllers,
    engines: o.engine.split(','),
    baseline: o.baseline,
    scenarios,
    seeds: num('seeds', o.seeds, 1)!,
    ...(durationS !== undefined ? { durationS } : {}),
    deadlineMs: num('deadline-ms', o.deadlineMs, 1)!,
    root: o.root,
    ...(o.mqtt
      ? {
          mqtt: {
            url: o.mqtt,
            ...(o.username ? { username: o.username, password: o.password ?? '' } : {}),
          },
        }
      : {}),
    spawn: parseSpawn(o.spawn ?? [], vendors),
    ...(o.reuseSpawned ? { reuseSpawned: true } : {}),
    connectTimeoutS: num('connect-timeout', o.connectTimeout, 1)!,
    workDir: out,
    degradation: o.degradation,
    ...(o.queueScenario ? { queueScenario: o.queueScenario } : {}),
    ...(o.parallel !== undefined ? { parallel: checkParallel(Number(o.parallel)) } : {}),
    command: canonicalCommand(o, controllers),
    version: VERSION,
    lang,
  };
  const bench = createBench({
    ...options,
    onProgress: (p) => view.update(p),
    onNotice: (line) => view.note(line),
  });
  const view = createProgressView(bench.total, process.stderr, lang);
  view.note(t(lang, 'cli.bench.runs', { total: bench.total, parallel: bench.parallel }));
  const stop = () => {
    view.note(t(lang, 'cli.bench.stopping'));
    void bench.close();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    let card = await bench.start();
    view.stop();
    if (o.sensitivity) {
      console.error(
        t(lang, 'cli.bench.sensitivity', {
          values: YELLOW_USED_RANGE_S.map((v) => numberIn(lang, v)).join(' / '),
        }),
      );
      card = { ...card, sensitivity: await runSensitivity(options, card.results) };
    }
    card = withLabels(checkScorecard(card), labels);
    writeFileSync(join(out, 'scorecard.json'), `${JSON.stringify(card, null, 2)}\n`);
    writeFileSync(join(out, 'report.html'), renderReport(card, { lang, timeZone: reportZone(o) }));
    console.error(t(lang, 'cli.bench.rankingHead'));
    const several = card.manifest.engines.length > 1;
    for (const r of card.ranking)
      console.error(
        (several ? `${r.engine.padEnd(10)} ` : '') +
          t(lang, 'cli.bench.rankingLine', {
            rank: String(r.rank).padStart(2),
            name: controllerName(lang, card.manifest, r.controller).padEnd(28),
            index: numberIn(lang, r.delayIndex).padStart(6),
            overrides: r.overrides,
            missed: r.missedDeadlines,
            conflicts: r.conflictingGreens,
          }),
      );
    console.error(
      t(lang, 'cli.bench.wrote', {
        scorecard: join(out, 'scorecard.json'),
        report: join(out, 'report.html'),
      }),
    );
  } finally {
    view.stop();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await bench.close();
  }
}

export function command(): Command {
  const builtins = ALGORITHMS.map((a) => `builtin:${a.name}`).join(', ');
  const cmd = new Command('bench')
    .description(
      'score controllers on the same scenarios and seeds, in lockstep, the safety monitor always in between: scorecard.json and report.html',
    )
    .option(
      '--controller <c>',
      `builtin:NAME (${builtins}) or mqtt:ID (repeat; default: every built-in)`,
      collect,
    )
    .option(
      '--scenario <file|dir|name>',
      `a scenario file, a folder of them, or a bundled name (repeat; default: ${DEFAULT_SUITE.join(', ')})`,
      collect,
    )
    .option(
      '--private <dir>',
      'a folder of private scenarios: shown by name and hash only (repeat)',
      collect,
    )
    .option(
      '--seeds <n>',
      'seeds 1…n: every controller runs every scenario once per seed, with the same vehicles (at least 2)',
      String(DEFAULT_SEEDS),
    )
    .option('--duration <s>', 'simulated seconds per run (default: each scenario’s own)')
    .option(
      '--deadline-ms <ms>',
      'lockstep: how long each tick waits for an mqtt: controller’s decision; no decision in time is a missed deadline (the signal holds)',
      '1000',
    )
    .option(
      '--baseline <c>',
      'the reference every controller is compared with, seed by seed',
      DEFAULT_BASELINE,
    )
    .addOption(
      new Option('--out <dir>', 'where scorecard.json and report.html go')
        .env('OPENPHASE_BENCH_OUT')
        .default('out/bench'),
    )
    .addOption(
      new Option(
        '--mqtt <url>',
        'use this broker instead of starting one; --username must be an admin device (the bench publishes config, counts and signals and reads decisions); vendor programs then connect with their own credentials',
      ).env('OPENPHASE_MQTT_URL'),
    )
    .addOption(
      new Option('--username <name>', 'MQTT username for --mqtt').env('OPENPHASE_MQTT_USERNAME'),
    )
    .addOption(secretFileOption(MQTT_PASSWORD))
    .addOption(refusedSecretOption(MQTT_PASSWORD))
    .hook('preAction', resolveSecret(MQTT_PASSWORD))
    .addOption(new Option('--root <root>', 'topic root').env('OPENPHASE_ROOT').default('traffic'))
    .option(
      '--spawn <[ID=]command>',
      'a shell command that starts mqtt:ID’s program, afresh for every run and started one run ahead (repeat per vendor, written ID=command when there are several); it gets OPENPHASE_MQTT_URL, OPENPHASE_MQTT_USERNAME, OPENPHASE_MQTT_PASSWORD and OPENPHASE_ROOT; its output goes to OUT/ID.log',
      collect,
    )
    .option(
      '--reuse-spawned',
      'start each --spawn program once per lane and keep it for the lane’s runs instead of afresh for every run: only for a program that forgets an intersection when its retained config is cleared, as the bench does after each run (docs/protocol.md); saves the CPU of starting it 40 times',
    )
    .option(
      '--connect-timeout <s>',
      'how long to wait for a vendor program to connect and answer its first tick',
      '120',
    )
    .option('--no-degradation', 'skip the clean twins of fault and surge scenarios')
    .option(
      '--parallel <n>',
      `runs at once: built-ins and --spawn'ed vendor programs on worker threads, each program with a broker of its own; the scorecard is the same for any n, only the time changes; built-in runs on no more lanes than the cores; 1 runs one after the other (default: the cores, at least 2: ${defaultParallel()})`,
    )
    .option(
      '--queue-scenario <name>',
      'the scenario charted over time (default: the first public surge scenario)',
    )
    .option(
      '--engine <names>',
      `traffic engines, comma-separated (${ENGINE_NAMES.join(', ')}): every run is repeated on each, the first is the reference, and the report shows their rankings side by side`,
      'openphase',
    )
    .option(
      '--sensitivity',
      'also rerun every built-in on OpenPhase’s engine with the yellow drivers use at 0 and 3 s, and report which verdicts hinge on it',
      false,
    )
    .option(
      '--label <controller=name>',
      'a display name for the report and summaries, e.g. --label mqtt:acme="Acme SmartSignal 2.1" (repeat; built-ins have names in each language)',
      collect,
    )
    .addOption(
      new Option(
        '--time-zone <zone>',
        "the deployment's IANA zone for the report's clock times, e.g. Europe/Paris (default UTC)",
      ).env('OPENPHASE_TIME_ZONE'),
    )
    .addOption(langOption())
    .option(
      '--report-from <scorecard.json>',
      'only write report.html from an existing scorecard (with --lang and --label: in another language or with other names)',
    )
    .addHelpText(
      'after',
      `\nExamples:\n  openphase bench\n  openphase bench --controller builtin:fixed-time --controller mqtt:acme --spawn "node acme/index.mjs" --seeds 10\n  openphase bench --controller mqtt:acme --private /secure/city-tests --out results/acme\n\nWithout --spawn, the bench starts its own broker and writes mqtt:ID's credential to\nOUT/.credentials/ID.env (mode 600, deleted at the end) for you to start the program with:\n  set -a; . OUT/.credentials/ID.env; set +a; node acme/index.mjs\nRun \`openphase conformance --controller mqtt:ID\` first: a program that fails it scores badly.\nProgress: a bar on a terminal, one line per run otherwise. Method and statistics: docs/benchmark.md`,
    );
  return cmd.action(async (o: Opts) => {
    try {
      await run(o);
    } catch (e) {
      if (e instanceof ScenarioError) {
        console.error(
          `${t(cliLang(), 'cli.bench.invalidScenario', { source: e.source })}\n${formatProblems(e.problems)}`,
        );
        process.exitCode = 2;
        return;
      }
      // a plain Error: some libraries (mqtt) throw errors with a numeric `code`
      throw new Error((e as Error).message);
    }
  });
}
