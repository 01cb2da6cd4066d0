/**
 * `openphase conformance`: short protocol checks of a live controller (`--controller mqtt:ID`)
 * or sensor (`--sensor ID`). Prints PASS/FAIL/SKIP per check; exits 1 when any check fails.
 */
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { type Check, failed, formatChecks } from '../../bench/conformance/checks.ts';
import { runControllerConformance } from '../../bench/conformance/controller.ts';
import { runSensorConformance } from '../../bench/conformance/sensor.ts';
import { t } from '../../i18n/index.ts';
import { makeDirs } from '../../ops/make-dirs.ts';
import { type IntersectionConfig, isValidId } from '../../protocol/index.ts';
import { createSimulation, loadScenario } from '../../simulator/index.ts';
import { cliLang } from '../lang.ts';
import { MQTT_PASSWORD, refusedSecretOption, resolveSecret, secretFileOption } from '../secrets.ts';

interface Opts {
  controller?: string;
  sensor?: string;
  intersection?: string;
  scenario?: string;
  ticks: string;
  deadlineMs: string;
  window: string;
  clockTolerance: string;
  spawn?: string;
  connectTimeout: string;
  reconnectTimeout: string;
  mqtt?: string;
  username?: string;
  password?: string;
  root: string;
  out: string;
  json?: boolean;
}

const positive = (name: string, v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`--${name} must be a number above 0, got '${v}'`);
  return n;
};

const integer = (name: string, v: string): number => {
  const n = positive(name, v);
  if (!Number.isInteger(n)) throw new Error(`--${name} must be a whole number, got '${v}'`);
  return n;
};

async function run(o: Opts): Promise<void> {
  if (Boolean(o.controller) === Boolean(o.sensor))
    throw new Error(t(cliLang(), 'conformance.either'));
  // every number checked before a broker starts, also those the other mode ignores
  const numbers = {
    connectTimeoutS: positive('connect-timeout', o.connectTimeout),
    reconnectTimeoutS: positive('reconnect-timeout', o.reconnectTimeout),
    ticks: integer('ticks', o.ticks),
    deadlineMs: positive('deadline-ms', o.deadlineMs),
    windowS: positive('window', o.window),
    clockToleranceS: positive('clock-tolerance', o.clockTolerance),
  };
  const workDir = resolve(o.out);
  makeDirs(workDir);
  const mqttOpt = o.mqtt
    ? {
        mqtt: {
          url: o.mqtt,
          ...(o.username ? { username: o.username, password: o.password ?? '' } : {}),
        },
      }
    : {};
  const common = {
    root: o.root,
    workDir,
    connectTimeoutS: numbers.connectTimeoutS,
    reconnectTimeoutS: numbers.reconnectTimeoutS,
    ...(o.spawn ? { spawn: o.spawn } : {}),
    ...mqttOpt,
    onNotice: (line: string) => console.error(`conformance: ${line}`),
  };
  let subject: string;
  let checks: Check[];
  if (o.controller) {
    const m = /^mqtt:(.+)$/.exec(o.controller);
    if (!m || !isValidId(m[1]))
      throw new Error(
        `--controller must be mqtt:ID (ID: 1-64 of A-Z a-z 0-9 _ -), got '${o.controller}'`,
      );
    subject = o.controller;
    checks = await runControllerConformance({
      id: m[1]!,
      scenario: await loadScenario(o.scenario ?? 'two-phase'),
      ticks: numbers.ticks,
      deadlineMs: numbers.deadlineMs,
      ...common,
    });
  } else {
    if (!isValidId(o.sensor))
      throw new Error(`--sensor must be an id (1-64 of A-Z a-z 0-9 _ -), got '${o.sensor}'`);
    if (!o.intersection || !isValidId(o.intersection))
      throw new Error('--sensor needs --intersection ID (the intersection it reports for)');
    subject = `sensor ${o.sensor}`;
    let config: IntersectionConfig | undefined;
    if (o.scenario) {
      const configs = createSimulation(await loadScenario(o.scenario), { durationS: 1 }).configs();
      config = configs.find((c) => c.id === o.intersection);
      if (!config)
        throw new Error(
          `--scenario ${o.scenario} has no intersection '${o.intersection}' (it has ${configs.map((c) => c.id).join(', ')})`,
        );
    }
    checks = await runSensorConformance({
      sensor: o.sensor!,
      intersection: o.intersection,
      ...(config ? { config } : {}),
      windowS: numbers.windowS,
      clockToleranceS: numbers.clockToleranceS,
      ...common,
    });
  }
  if (o.json)
    process.stdout.write(`${JSON.stringify({ subject, failed: failed(checks), checks })}\n`);
  else {
    const lang = cliLang();
    const shown = o.sensor ? t(lang, 'conformance.sensor', { id: o.sensor }) : subject;
    console.log(formatChecks(shown, checks, lang));
  }
  if (failed(checks) > 0) process.exitCode = 1;
}

export function command(): Command {
  return new Command('conformance')
    .description(
      'protocol v1 checks of a live controller or sensor: prints PASS/FAIL/SKIP per check, exits 1 when any check fails',
    )
    .option(
      '--controller <mqtt:ID>',
      'check the controller with device id ID: two short lockstep runs (every tick answered before the deadline, valid decisions, known phases, one per tick), a retained birth, a Last Will when its connection is cut, back after the cut and after a broker restart',
    )
    .option(
      '--sensor <id>',
      'check the sensor with device id ID: its counts over a time window (valid, seq, contiguous intervals, clock, known detectors), a retained birth, a Last Will when its connection is cut, back and counting after it',
    )
    .option(
      '--intersection <id>',
      '--sensor: the intersection it reports for (required with --sensor)',
    )
    .option(
      '--scenario <file|name>',
      '--controller: the intersections it is given (default two-phase); --sensor: the scenario holding the intersection config its detector ids are checked against (published retained on the conformance broker)',
    )
    .option('--ticks <n>', '--controller: lockstep ticks per run (two runs)', '30')
    .option('--deadline-ms <ms>', '--controller: answer each tick within this many ms', '1000')
    .option(
      '--window <s>',
      '--sensor: seconds of counts to judge (at least two of its counting intervals)',
      '30',
    )
    .option(
      '--clock-tolerance <s>',
      '--sensor: how far an interval end may be from the arrival time, beyond one interval',
      '5',
    )
    .option(
      '--spawn <command>',
      'start the program under test with this shell command; it gets OPENPHASE_MQTT_URL, OPENPHASE_MQTT_USERNAME, OPENPHASE_MQTT_PASSWORD and OPENPHASE_ROOT in its environment, and is stopped at the end (its output: OUT/ID.log)',
    )
    .option('--connect-timeout <s>', 'how long to wait for it to connect', '60')
    .option(
      '--reconnect-timeout <s>',
      'how long to wait for it to come back after a cut or restart',
      '15',
    )
    .addOption(
      new Option(
        '--mqtt <url>',
        'check on this broker instead of a conformance broker of its own: the program must already be connected or be started with its own credential; the Last Will and reconnect checks are skipped (they cut connections)',
      ),
    )
    .addOption(
      new Option(
        '--username <name>',
        'with --mqtt: a device allowed to publish config/counts/signal and read every topic (admin); one connection, client id = username',
      ).env('OPENPHASE_MQTT_USERNAME'),
    )
    .addOption(secretFileOption(MQTT_PASSWORD))
    .addOption(refusedSecretOption(MQTT_PASSWORD))
    .hook('preAction', resolveSecret(MQTT_PASSWORD))
    .addOption(new Option('--root <root>', 'topic root').env('OPENPHASE_ROOT').default('traffic'))
    .option(
      '--out <dir>',
      'where the credential file (mode 600, deleted at the end) and the program’s log go',
      'out/conformance',
    )
    .option(
      '--json',
      'print { subject, failed, checks: [{ id, title, status, detail }] } as JSON on stdout',
    )
    .addHelpText(
      'after',
      `
Examples:
  openphase conformance --controller mqtt:acme --spawn "node acme/index.mjs"
  openphase conformance --controller mqtt:acme --scenario grid-3x3 --deadline-ms 200
  openphase conformance --sensor a-det --intersection a --scenario two-phase --window 60

Without --mqtt, the command starts a broker of its own on 127.0.0.1 with a fresh credential
for ID. Without --spawn, it writes that credential to OUT/.credentials/ID.env and waits for
you to start the program with it:  set -a; . OUT/.credentials/ID.env; set +a
Exit status: 0 all checks passed (or skipped), 1 a check failed or an error.
Checks and what they mean: docs/benchmark.md, "Pass the conformance check first"`,
    )
    .action(async (o: Opts) => {
      try {
        await run(o);
      } catch (e) {
        // a plain Error: some libraries throw errors with a numeric `code`
        throw new Error((e as Error).message);
      }
    });
}
