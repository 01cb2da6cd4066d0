/**
 * `openphase conformance`: short protocol checks of a live controller (`--controller mqtt:ID`)
 * or sensor (`--sensor ID`). Prints PASS/FAIL/SKIP per check; exits 1 when any check fails.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { type Check, failed, formatChecks } from '../../bench/conformance/checks.ts';
import { runControllerConformance } from '../../bench/conformance/controller.ts';
import { runSensorConformance } from '../../bench/conformance/sensor.ts';
import { isValidId } from '../../protocol/index.ts';
import { loadScenario } from '../../simulator/index.ts';

interface Opts {
  controller?: string;
  sensor?: string;
  intersection?: string;
  scenario: string;
  ticks: string;
  deadlineMs: string;
  window: string;
  spawn?: string;
  connectTimeout: string;
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

async function run(o: Opts): Promise<void> {
  if (Boolean(o.controller) === Boolean(o.sensor))
    throw new Error('give either --controller mqtt:ID or --sensor ID');
  const workDir = resolve(o.out);
  mkdirSync(workDir, { recursive: true });
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
    connectTimeoutS: positive('connect-timeout', o.connectTimeout),
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
      scenario: await loadScenario(o.scenario),
      ticks: positive('ticks', o.ticks),
      deadlineMs: positive('deadline-ms', o.deadlineMs),
      ...common,
    });
  } else {
    if (!isValidId(o.sensor))
      throw new Error(`--sensor must be an id (1-64 of A-Z a-z 0-9 _ -), got '${o.sensor}'`);
    if (!o.intersection || !isValidId(o.intersection))
      throw new Error('--sensor needs --intersection ID (the intersection it reports for)');
    subject = `sensor ${o.sensor}`;
    checks = await runSensorConformance({
      sensor: o.sensor!,
      intersection: o.intersection,
      windowS: positive('window', o.window),
      ...common,
    });
  }
  if (o.json)
    process.stdout.write(`${JSON.stringify({ subject, failed: failed(checks), checks })}\n`);
  else console.log(formatChecks(subject, checks));
  if (failed(checks) > 0) process.exitCode = 1;
}

export function command(): Command {
  return new Command('conformance')
    .description('protocol v1 checks of a live controller or sensor; exits 1 when any check fails')
    .option(
      '--controller <mqtt:ID>',
      'check a controller: lockstep ticks, valid decisions, known phases, Last Will, reconnects',
    )
    .option(
      '--sensor <id>',
      'check a sensor: its counts over a time window, birth, Last Will, reconnects',
    )
    .option('--intersection <id>', '--sensor: the intersection it reports for')
    .option('--scenario <file|name>', '--controller: the intersections it is given', 'two-phase')
    .option('--ticks <n>', '--controller: lockstep ticks per run', '30')
    .option('--deadline-ms <ms>', '--controller: answer each tick within this', '1000')
    .option('--window <s>', '--sensor: seconds of counts to judge', '30')
    .option(
      '--spawn <command>',
      'start the program under test (gets OPENPHASE_MQTT_URL/_USERNAME/_PASSWORD/OPENPHASE_ROOT)',
    )
    .option('--connect-timeout <s>', 'how long to wait for it to connect', '60')
    .addOption(
      new Option(
        '--mqtt <url>',
        'an external broker instead of the bench’s own (admin credential; skips the drop and restart checks)',
      ),
    )
    .addOption(
      new Option('--username <name>', 'admin username for --mqtt').env('OPENPHASE_MQTT_USERNAME'),
    )
    .addOption(
      new Option(
        '--password <secret>',
        'password for --mqtt (prefer the environment variable)',
      ).env('OPENPHASE_MQTT_PASSWORD'),
    )
    .addOption(new Option('--root <root>', 'topic root').env('OPENPHASE_ROOT').default('traffic'))
    .option(
      '--out <dir>',
      'where the credential file (deleted at the end) and the program’s log go',
      'out/conformance',
    )
    .option('--json', 'print { subject, failed, checks } as JSON on stdout')
    .addHelpText(
      'after',
      '\nExamples:\n  openphase conformance --controller mqtt:acme --spawn "node acme/index.mjs"\n  openphase conformance --sensor a-det --intersection a --window 60\n\nWithout --spawn the command starts its own broker and writes the credential to\nOUT/.credentials/ID.env for you to start the program with. Checks: docs/benchmark.md.',
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
