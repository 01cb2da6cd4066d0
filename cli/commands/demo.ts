/**
 * `openphase demo` (`npm start`): everything in one process — the embedded broker with
 * generated per-device credentials (kept in memory, never printed), the simulator on a bundled
 * city in real time, the reference controller, the collector (embedded store, or InfluxDB when
 * INFLUX_URL/INFLUX_DB are set) and the dashboard. Ctrl-C closes them in reverse order.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import type { Registry } from '../../broker/index.ts';
import { ALGORITHMS, getAlgorithm } from '../../controller/algorithms/registry.ts';
import { detectorsOf, type Scenario } from '../../protocol/index.ts';
import { listBundledScenarios } from '../../simulator/scenario.ts';
import { portArg } from '../port-arg.ts';
import { untilStopSignal } from '../signals.ts';
import { addSinkOptions, sinkFromCommand, sinkHelp } from '../sink-options.ts';

/** The shells, loaded only when the demo runs: `--help` stays quick. */
async function shells() {
  const [broker, collector, controller, dashboard, simulator, runner, measures] = await Promise.all(
    [
      import('../../broker/index.ts'),
      import('../../collector/index.ts'),
      import('../../controller/service.ts'),
      import('../../dashboard/index.ts'),
      import('../../simulator/index.ts'),
      import('../../loop/mqtt-simulation.ts'),
      import('../../measures/read/index.ts'),
    ],
  );
  return {
    ...broker,
    ...collector,
    ...controller,
    ...dashboard,
    ...simulator,
    ...runner,
    ...measures,
  };
}

/** The demo's devices: one per role, one per simulated sensor (`{intersection}-det`, as docs/protocol.md says). */
export function demoDevices(scenario: Scenario) {
  const sensors = new Set<string>();
  for (const c of scenario.intersections) {
    for (const d of detectorsOf(c)) sensors.add(d.sensor ?? `${c.id}-det`);
  }
  return [
    { id: 'demo-signal', role: 'signal', intersections: '*' as const },
    { id: 'demo-controller', role: 'controller', intersections: '*' as const },
    { id: 'demo-collector', role: 'collector', intersections: '*' as const },
    { id: 'demo-dashboard', role: 'observer', intersections: '*' as const },
    ...[...sensors].map((id) => ({
      id,
      role: 'sensor',
      intersections: [
        scenario.intersections.find((c) =>
          detectorsOf(c).some((d) => (d.sensor ?? `${c.id}-det`) === id),
        )!.id,
      ],
    })),
  ];
}

/** A registry of the demo devices with fresh random passwords (kept in memory only). */
function demoRegistry(
  scenario: Scenario,
  { addDevice, createRegistry, generateSecret }: Awaited<ReturnType<typeof shells>>,
): { registry: Registry; passwords: Map<string, string> } {
  let registry = createRegistry();
  const passwords = new Map<string, string>();
  for (const d of demoDevices(scenario)) {
    const password = generateSecret();
    passwords.set(d.id, password);
    // 192-bit random secrets that never leave the process: a low PBKDF2 count loses nothing
    // and keeps start-up under a second for a few hundred sensors.
    registry = addDevice(registry, { ...d, password }, { iterations: 1000 });
  }
  return { registry, passwords };
}

const number = (name: string, min: number, integer: boolean) => (v: string) => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) {
    throw new Error(`${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got '${v}'`);
  }
  return n;
};

/** One line for a port that is taken, instead of a stack trace. */
function portError(e: unknown, what: string, port: number, flag: string): Error {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'EADDRINUSE') {
    return new Error(`${what} port ${port} is already in use; choose another with ${flag}`);
  }
  if (err.code === 'EACCES') return new Error(`${what} port ${port} needs privileges; use ${flag}`);
  return err;
}

interface Opts {
  port: number;
  mqttPort: number;
  host: string;
  scenario: string;
  algorithm: string;
  speed: number;
  seed?: number;
  duration: number;
  insecure?: boolean;
  dataDir?: string;
  root: string;
  allowOrigin: string[];
}

/** The demo keeps its store and spool under its own `--data-dir`, not the store's. */
const DEMO_OWN = ['data-dir'];

async function run(o: Opts, cmd: Command): Promise<void> {
  // listening before anything starts: a signal sent right after "ready" must find it
  const stopped = untilStopSignal();
  getAlgorithm(o.algorithm); // an unknown name fails here, in one line, before anything starts
  const x = await shells();
  const {
    createBroker,
    createCollector,
    createControllerService,
    createDashboard,
    createMqttSimulation,
    createMqttSource,
  } = x;
  const scenario = await x.loadScenario(o.scenario);
  const log = (line: string) => console.error(line);
  const quietLog = (line: string) => {
    if (!/listening on|WARNING/.test(line)) log(line);
  };
  const { registry, passwords } = o.insecure
    ? { registry: undefined, passwords: undefined }
    : demoRegistry(scenario, x);
  const creds = (id: string) =>
    passwords ? { username: id, password: passwords.get(id) ?? '' } : {};
  const tempDir = o.dataDir ? undefined : mkdtempSync(join(tmpdir(), 'openphase-demo-'));
  const dataDir = o.dataDir ?? tempDir!;
  // A demo may make its own database (the collector service creates one only with --create-db).
  const sink = sinkFromCommand(cmd, DEMO_OWN, {
    'data-dir': join(dataDir, 'points'),
    'create-db': true,
  });

  // Everything started, newest last: closed in reverse order on Ctrl-C or on a failed start.
  const started: { name: string; close: () => Promise<void> }[] = [];
  let closing: Promise<void> | undefined;
  const closeAll = () => {
    closing ??= (async () => {
      for (const s of started.reverse()) {
        await s.close().catch((e: Error) => log(`demo: closing ${s.name}: ${e.message}`));
      }
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    })();
    return closing;
  };

  try {
    const broker = createBroker({
      host: o.host,
      port: o.mqttPort,
      root: o.root,
      ...(registry ? { devices: registry } : { insecure: true }),
      log: quietLog,
    });
    started.push({ name: 'broker', close: () => broker.close() });
    const mqtt = await broker.start().catch((e) => {
      throw portError(e, 'MQTT', o.mqttPort, '--mqtt-port');
    });
    const mqttUrl = mqtt.url;

    const collector = createCollector({
      mqttUrl,
      ...creds('demo-collector'),
      clientId: 'demo-collector',
      root: o.root,
      sink,
      spoolDir: join(dataDir, 'spool'),
      logEveryMs: 60_000,
      log,
    });
    started.push({ name: 'collector', close: () => collector.close() });
    await collector.start();

    const controller = createControllerService({
      mqttUrl,
      ...(passwords ? creds('demo-controller') : { clientId: 'demo-controller' }),
      root: o.root,
      algorithm: o.algorithm,
      intersections: 'all',
      log,
    });
    started.push({ name: 'controller', close: () => controller.close() });
    await controller.start();

    const refusedByBroker = () =>
      Object.values(broker.stats().refused).reduce(
        (s, byReason) => s + Object.values(byReason).reduce((a, b) => a + b, 0),
        0,
      );
    const source = createMqttSource({
      mqttUrl,
      ...creds('demo-dashboard'),
      clientId: 'demo-dashboard',
      root: o.root,
      reader: collector.reader,
      external: () => {
        const s = collector.stats();
        return { rejected: s.rejected + refusedByBroker(), gaps: s.gaps };
      },
      log,
    });
    started.push({ name: 'dashboard feed', close: () => source.close() });
    await source.start();
    const dashboard = createDashboard({
      host: o.host,
      port: o.port,
      source,
      broker,
      store: sink.kind,
      measures: x.measuresReaderFor(sink),
      // the collector's and the broker's (refusals per device and reason) after the dashboard's
      metrics: async () =>
        `${await collector.metricsText()}\n${x.brokerMetricsText(broker.stats())}`,
      allowOrigins: o.allowOrigin,
      simulated: true,
      log,
    });
    started.push({ name: 'dashboard', close: () => dashboard.close() });
    const web = await dashboard.start().catch((e) => {
      throw portError(e, 'dashboard', o.port, '--port');
    });

    const sim = createMqttSimulation({
      scenario,
      ...(o.seed !== undefined ? { seed: o.seed } : {}),
      durationS: o.duration,
      mqttUrl,
      ...(passwords ? creds('demo-signal') : {}),
      ...(passwords
        ? { sensorCredentials: (id: string) => creds(id) as { username: string; password: string } }
        : {}),
      root: o.root,
      mode: 'realtime',
      speed: o.speed,
      controller: 'mqtt',
      // raw detector on/off times: the dashboard's measures (arrivals on green, split failures)
      actuations: true,
    });
    started.push({ name: 'simulator', close: () => sim.close() });
    await sim.start();
    sim.done.then(
      () => log('demo: the scenario has run to its end; the dashboard stays up (Ctrl-C to stop)'),
      () => {},
    );

    const ws = web.url.replace(/^http/, 'ws');
    const store = x.sinkDescription(sink);
    console.log(
      [
        `OpenPhase demo: ${scenario.name} (${scenario.intersections.length} intersections), ` +
          `${o.algorithm}, ${o.speed}× real time`,
        `  dashboard  ${web.url}`,
        `  API        ${web.url}api/intersections  (OpenAPI: ${web.url}openapi.json)`,
        `  live feed  ${ws}live`,
        `  MQTT       ${mqttUrl}  and  ${ws}mqtt${o.insecure ? '  (insecure: no credentials needed)' : '  (demo devices only)'}`,
        `  metrics    ${web.url}metrics`,
        `  store      ${store}`,
        'Press Ctrl-C to stop.',
      ].join('\n'),
    );
  } catch (e) {
    await closeAll();
    throw e;
  }

  await stopped;
  log('demo: stopping');
  // a component that hangs on close must not keep the demo alive forever
  const force = setTimeout(() => {
    log('demo: close took over 10 s; exiting');
    process.exit(1);
  }, 10_000);
  force.unref();
  await closeAll();
  clearTimeout(force);
}

export function command(): Command {
  const cmd = new Command('demo')
    .description(
      'run everything in one process: the embedded MQTT broker, a simulated city in real ' +
        'time, the reference controller, the collector and the live dashboard',
    )
    .addOption(
      new Option(
        '--port <n>',
        'dashboard HTTP port (API, page, /live, MQTT over WebSocket at /mqtt)',
      )
        .env('OPENPHASE_PORT')
        .argParser(portArg('--port'))
        .default(8080),
    )
    .addOption(
      new Option('--mqtt-port <n>', 'MQTT (TCP) port of the embedded broker; 0 picks a free one')
        .env('OPENPHASE_MQTT_PORT')
        .argParser(portArg('--mqtt-port'))
        .default(1883),
    )
    .addOption(
      new Option('--host <addr>', 'interface to listen on (0.0.0.0 to share on your network)')
        .env('OPENPHASE_HOST')
        .default('127.0.0.1'),
    )
    .addOption(
      new Option(
        '--scenario <name|file>',
        `bundled scenario (${listBundledScenarios().join(', ')}) or a YAML/JSON file`,
      )
        .env('OPENPHASE_SCENARIO')
        .default('city'),
    )
    .addOption(
      new Option('--algorithm <name>', 'control algorithm of the reference controller')
        .env('OPENPHASE_ALGORITHM')
        .choices(ALGORITHMS.map((a) => a.name))
        .default('max-pressure'),
    )
    .addOption(
      new Option('--speed <x>', 'simulated seconds per wall-clock second (2 = twice as fast)')
        .argParser(number('--speed', 0.01, false))
        .default(1),
    )
    .addOption(
      new Option('--seed <n>', "random seed of the traffic (default: the scenario's)").argParser(
        number('--seed', 0, true),
      ),
    )
    .addOption(
      new Option('--duration <s>', 'simulated seconds to run before the traffic stops')
        .argParser(number('--duration', 1, false))
        .default(86_400),
    )
    .addOption(
      new Option(
        '--insecure',
        'no device credentials: any MQTT client may connect with admin rights',
      ),
    )
    .addOption(
      new Option(
        '--data-dir <dir>',
        'keep the embedded store and spool here (default: a temp dir removed on exit)',
      ).env('OPENPHASE_DATA_DIR'),
    )
    .addOption(
      new Option('--root <root>', 'MQTT topic root').env('OPENPHASE_ROOT').default('traffic'),
    )
    .addOption(
      new Option(
        '--allow-origin <origin...>',
        'web pages from this origin may also open /mqtt and /live (e.g. behind a proxy: ' +
          'https://signals.example.org); the served origin is always allowed',
      ).default([]),
    )
    .addHelpText(
      'after',
      [
        '',
        'Credentials: without --insecure every component (signal, each sensor, controller,',
        'collector, dashboard) connects as its own device with a random password that stays in',
        'memory; other MQTT clients are refused. Store: the embedded store under --data-dir unless',
        'the options of another sink are given (below; the demo creates an InfluxDB 1.x database',
        'if it is missing); the charts read from the same store. Ctrl-C (SIGINT) or SIGTERM stops',
        'everything and frees the ports.',
        sinkHelp(),
        '',
        'Examples:',
        '  npm start                                   # http://127.0.0.1:8080/',
        '  openphase demo --port 3000 --mqtt-port 0 --speed 5',
        '  INFLUX_URL=http://127.0.0.1:8086 INFLUX_DB=openphase_demo openphase demo  # simulated data: its own database',
      ].join('\n'),
    )
    .action((opts: Opts, c: Command) => run(opts, c));
  return addSinkOptions(cmd, DEMO_OWN);
}
