/**
 * `openphase simulate`: runs a scenario in-process as fast as it can, or over MQTT in real time,
 * faster, or lockstep. `--json` prints `{ scenario, seed, controller, metrics, perIntersection }`
 * on stdout and nothing else; everything else goes to stderr.
 */

import { Command, Option } from 'commander';
import { ALGORITHMS } from '../../controller/algorithms/registry.ts';
import { ENGINE_NAMES, type EngineRun, engineByName } from '../../engines/index.ts';
import { num as numberIn, t, tMaybe } from '../../i18n/index.ts';
import { type RunResult, RunStoppedError, runOnEngine, runScenario } from '../../loop/index.ts';
import { formatProblems } from '../../protocol/index.ts';
import { listBundledScenarios, loadScenario, ScenarioError } from '../../simulator/index.ts';
import { cliLang } from '../lang.ts';
import { MQTT_PASSWORD, refusedSecretOption, resolveSecret, secretFileOption } from '../secrets.ts';

interface Opts {
  scenario?: string;
  list?: boolean;
  seed?: string;
  duration?: string;
  controller: string;
  mqtt?: string;
  username?: string;
  password?: string;
  realtime?: boolean;
  speed?: string;
  lockstep?: boolean;
  actuations?: boolean;
  deadlineMs: string;
  root: string;
  json?: boolean;
  engine: string;
}

const num = (name: string, v: string | undefined, min: number): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min)
    throw new Error(`--${name} must be a number ≥ ${min}, got '${v}'`);
  return n;
};

/** The run in a few lines, in the CLI's language (English output as it always was). */
function human(r: RunResult & { engine?: string }): string {
  const lang = cliLang();
  const m = r.metrics;
  // English keeps the numbers exactly as computed; French writes them its way (24,5)
  const n = (x: number) => (lang === 'en' ? String(x) : numberIn(lang, x, 2));
  const total = Object.values(m.overrides).reduce((a, b) => a + b, 0);
  const kinds = Object.entries(m.overrides)
    .filter(([, v]) => v > 0)
    .map(
      ([k, v]) => `${tMaybe(lang, `override.${k}`) ?? k}${lang === 'fr' ? '\u202f:' : ':'} ${n(v)}`,
    )
    .join(', ');
  const lines = [
    t(lang, 'cli.sim.head', {
      scenario: r.scenario,
      seed: String(r.seed),
      controller: r.controller,
      engine:
        r.engine && r.engine !== 'openphase' ? t(lang, 'cli.sim.engine', { engine: r.engine }) : '',
    }),
    t(lang, 'cli.sim.vehicles', {
      arrived: n(m.arrived),
      served: n(m.served),
      queued: n(m.queuedAtEnd),
    }),
    t(lang, 'cli.sim.delay', { mean: n(m.meanDelayS), p95: n(m.p95DelayS), max: n(m.maxWaitS) }),
    t(lang, 'cli.sim.queue', { mean: n(m.meanQueueVeh), max: n(m.maxQueueVeh) }),
    t(lang, 'cli.sim.flow', {
      vph: n(m.throughputVph),
      stops: n(m.stopsPerVehicle),
      changes: n(m.phaseChangesPerHour),
    }),
    t(lang, 'cli.sim.safety', {
      overrides:
        lang === 'en' ? JSON.stringify(m.overrides) : total === 0 ? '0' : `${n(total)} (${kinds})`,
      missed: n(m.missedDeadlines),
      p50: n(m.decisionLatencyMs.p50),
      p99: n(m.decisionLatencyMs.p99),
    }),
  ];
  if (r.perIntersection.length > 1) {
    lines.push('', t(lang, 'cli.sim.perHead'));
    for (const p of r.perIntersection) {
      lines.push(
        `${p.intersection.padEnd(18)} ${n(p.arrived).padStart(8)} ${n(p.meanDelayS).padStart(8)} ${n(p.p95DelayS).padStart(6)} ${n(p.meanQueueVeh).padStart(6)}`,
      );
    }
  }
  return lines.join('\n');
}

async function run(o: Opts): Promise<void> {
  if (o.list) {
    console.log(listBundledScenarios().join('\n'));
    return;
  }
  if (!o.scenario) throw new Error('give --scenario FILE or a bundled name (see --list)');
  const scenario = await loadScenario(o.scenario);
  const seed = num('seed', o.seed, 0);
  const durationS = num('duration', o.duration, 1);
  const speed = num('speed', o.speed, 0.001);
  const deadlineMs = num('deadline-ms', o.deadlineMs, 1)!;
  const overMqtt = Boolean(o.mqtt || o.realtime || o.lockstep || speed !== undefined);
  if (o.controller === 'mqtt' && !overMqtt)
    throw new Error(
      '--controller mqtt needs --mqtt URL and a clock (--realtime, --speed or --lockstep)',
    );
  if (o.controller !== 'mqtt' && !/^builtin:[A-Za-z0-9_-]+$/.test(o.controller)) {
    throw new Error(
      `--controller must be mqtt or builtin:NAME (${ALGORITHMS.map((a) => `builtin:${a.name}`).join(', ')})`,
    );
  }
  const common = {
    ...(seed !== undefined ? { seed } : {}),
    ...(durationS !== undefined ? { durationS } : {}),
  };
  const engine = engineByName(o.engine);
  // another engine must be installed before anything starts (it says how otherwise)
  await engine.check();
  let result: RunResult & { engine?: string };
  /** decision messages that came from the broker (undefined: in-process controller) */
  let decisions: number | undefined;
  if (!overMqtt) {
    result =
      engine.name === 'openphase'
        ? runScenario(scenario, { controller: o.controller, ...common })
        : await runStoppable((signal) =>
            runOnEngine(scenario, {
              engine: engine.name,
              controller: o.controller,
              signal,
              ...common,
            }),
          );
  } else {
    const { createMqttSimulation } = await import('../../loop/mqtt-simulation.ts');
    const run: EngineRun | undefined =
      engine.name === 'openphase' ? undefined : await engine.create(scenario, common);
    const sim = createMqttSimulation({
      scenario,
      ...common,
      ...(run ? { run } : {}),
      mqttUrl: o.mqtt ?? 'mqtt://127.0.0.1:1883',
      ...(o.username ? { username: o.username, password: o.password ?? '' } : {}),
      mode: o.lockstep ? 'lockstep' : 'realtime',
      ...(speed !== undefined ? { speed } : {}),
      deadlineMs,
      controller: o.controller,
      root: o.root,
      ...(o.actuations ? { actuations: true } : {}),
    });
    const stop = () => void sim.close();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await sim.start();
      if (!o.json)
        console.error(
          t(cliLang(), 'cli.sim.over', {
            scenario: scenario.name,
            url: o.mqtt ?? 'mqtt://127.0.0.1:1883',
            mode: o.lockstep
              ? t(cliLang(), 'cli.sim.lockstep')
              : t(cliLang(), 'cli.sim.realtime', { speed: String(speed ?? 1) }),
          }),
        );
      result = { ...(await sim.done), ...(run ? { engine: engine.name } : {}) };
      if (o.controller === 'mqtt') decisions = sim.decisionsReceived();
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      await sim.close();
      await run?.close();
    }
  }
  if (o.json) {
    const { scenario: name, seed: s, controller, metrics, perIntersection } = result;
    // the engine is named only when it is not OpenPhase's (the output stays as it was)
    const engineField =
      result.engine && result.engine !== 'openphase' ? { engine: result.engine } : {};
    process.stdout.write(
      `${JSON.stringify({ scenario: name, seed: s, controller, ...engineField, metrics, perIntersection })}\n`,
    );
  } else {
    console.log(human(result));
  }
  if (decisions === 0) {
    // The metrics above are those of the fallback plans alone: say so, and fail the run.
    console.error(t(cliLang(), 'cli.sim.noDecision'));
    process.exitCode = 1;
  }
}

export function command(): Command {
  return new Command('simulate')
    .description(
      'run a scenario: in-process as fast as possible (default), or over MQTT in real time, faster (--speed) or lockstep',
    )
    .option('--scenario <file|name>', 'scenario file (YAML or JSON) or a bundled name')
    .option('--list', 'list the bundled scenarios')
    .option('--seed <n>', 'random seed (default: the scenario’s)')
    .addOption(
      new Option(
        '--engine <name>',
        'traffic engine: openphase (in-process) or sumo (SUMO over TraCI; needs apt-get install sumo)',
      )
        .choices([...ENGINE_NAMES])
        .default('openphase'),
    )
    .option('--duration <s>', 'simulated seconds (default: the scenario’s)')
    .addOption(
      new Option('--controller <c>', 'builtin:NAME (in-process) or mqtt (an external controller)')
        .env('OPENPHASE_CONTROLLER')
        .default('builtin:fixed-time'),
    )
    .addOption(
      new Option('--mqtt <url>', 'publish to this broker (mqtt://, mqtts://, ws://, wss://)'),
    )
    .addOption(
      new Option(
        '--username <name>',
        'MQTT username: an admin device, or a signal-role device (a signal-role login cannot publish counts: controllers then get none)',
      ).env('OPENPHASE_MQTT_USERNAME'),
    )
    .addOption(secretFileOption(MQTT_PASSWORD))
    .addOption(refusedSecretOption(MQTT_PASSWORD))
    .hook('preAction', resolveSecret(MQTT_PASSWORD))
    .addOption(
      new Option('--realtime', 'one simulated second per wall second').conflicts([
        'lockstep',
        'speed',
      ]),
    )
    .addOption(new Option('--speed <x>', 'real time × x (e.g. 10)').conflicts(['lockstep']))
    .option('--lockstep', 'publish each tick and wait for every decision (or the deadline)')
    .option(
      '--actuations',
      'with --mqtt: send raw detector on/off times in the counts messages (what `openphase measures` needs)',
    )
    .option('--deadline-ms <ms>', 'lockstep: wait this long for decisions per tick', '1000')
    .addOption(new Option('--root <root>', 'topic root').env('OPENPHASE_ROOT').default('traffic'))
    .option(
      '--json',
      'print { scenario, seed, controller, metrics, perIntersection } as JSON on stdout',
    )
    .addHelpText(
      'after',
      `\nWith --controller mqtt a run in which no decision arrived says so and exits 1.\n` +
        `A signal-role --username cannot publish counts (the broker lets only each sensor publish its own): use an admin device for the simulated sensors.\n` +
        `\nBundled scenarios: ${listBundledScenarios().join(', ')}\nFormat: docs/scenarios.md\n\nExamples:\n  openphase simulate --scenario grid-3x3 --controller builtin:actuated --json\n  openphase simulate --scenario city --mqtt mqtt://127.0.0.1:1883 --speed 10 --controller mqtt`,
    )
    .action(async (o: Opts) => {
      try {
        await run(o);
      } catch (e) {
        if (e instanceof ScenarioError) {
          console.error(
            `${t(cliLang(), 'cli.sim.invalidScenario', { source: e.source })}\n${formatProblems(e.problems)}`,
          );
          process.exitCode = 2;
          return;
        }
        throw e;
      }
    });
}

/**
 * An in-process run on another engine (SUMO) stops cleanly on SIGINT/SIGTERM: the engine
 * closes (SUMO exits, its files go) and the command says so. OpenPhase's own engine runs
 * synchronously and keeps the default (the process ends at once; nothing was written yet).
 */
async function runStoppable<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  let by: string | undefined;
  const stop = (sig: NodeJS.Signals) => {
    by = sig;
    ac.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    return await run(ac.signal);
  } catch (e) {
    if (e instanceof RunStoppedError) {
      process.exitCode = by === 'SIGINT' ? 130 : 143;
      throw new Error(
        `stopped by ${by} before the end of the run; the engine is closed, no result`,
      );
    }
    throw e;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
