/**
 * `openphase controller`: the reference controller service for many intersections. Runs until
 * SIGINT/SIGTERM; prints one JSON line `{"ready":true,…}` once connected.
 */
import { Command, Option } from 'commander';
import { ALGORITHMS } from '../../controller/algorithms/registry.ts';
import { createControllerService } from '../../controller/service.ts';
import { redactUrl } from '../../ops/mqtt-options.ts';
import { isTimeZone } from '../../protocol/index.ts';
import { portArg } from '../port-arg.ts';
import { MQTT_PASSWORD, refusedSecretOption, resolveSecret, secretFileOption } from '../secrets.ts';
import { untilStopSignal } from '../signals.ts';

export function command(): Command {
  return new Command('controller')
    .description(
      'serve one or many intersections with a reference algorithm over MQTT: discover them from ' +
        'their retained config, read counts and signal, and answer every new signal with a ' +
        'decision (QoS 1). Birth and Last Will on status/{username}.',
    )
    .addOption(
      new Option('--mqtt <url>', 'broker URL (mqtt://, mqtts://, ws://, wss://)')
        .env('OPENPHASE_MQTT_URL')
        .default('mqtt://127.0.0.1:1883'),
    )
    .addOption(
      new Option('--username <name>', 'MQTT username: a device with the controller role').env(
        'OPENPHASE_MQTT_USERNAME',
      ),
    )
    .addOption(secretFileOption(MQTT_PASSWORD))
    .addOption(refusedSecretOption(MQTT_PASSWORD))
    .hook('preAction', resolveSecret(MQTT_PASSWORD))
    .addOption(
      new Option('--algorithm <name>', 'control algorithm')
        .choices(ALGORITHMS.map((a) => a.name))
        .env('OPENPHASE_ALGORITHM')
        .default('actuated'),
    )
    .addOption(
      new Option('--intersections <ids>', "comma-separated intersection ids, or 'all'")
        .env('OPENPHASE_INTERSECTIONS')
        .default('all'),
    )
    .addOption(
      new Option('--client-id <id>', 'MQTT client id (default: the username)').env(
        'OPENPHASE_CLIENT_ID',
      ),
    )
    .addOption(
      new Option('--controller-id <id>', 'id put in decisions (default: the username)').env(
        'OPENPHASE_CONTROLLER_ID',
      ),
    )
    .addOption(new Option('--root <root>', 'topic root').env('OPENPHASE_ROOT').default('traffic'))
    .addOption(
      new Option(
        '--time-zone <zone>',
        "IANA zone of an intersection's time-of-day schedule when its config names none",
      )
        .env('OPENPHASE_TIME_ZONE')
        .default('UTC'),
    )
    .addOption(
      new Option(
        '--metrics-port <n>',
        'serve /health (JSON) and /metrics (Prometheus) on this port',
      )
        .env('OPENPHASE_METRICS_PORT')
        .argParser(portArg('--metrics-port')),
    )
    .addOption(
      new Option('--metrics-host <addr>', 'interface of the metrics server').default('127.0.0.1'),
    )
    .addOption(
      new Option('--stats-every <s>', 'print a stats JSON line every s seconds (0: never)')
        .env('OPENPHASE_STATS_EVERY')
        .default('60'),
    )
    .addOption(
      new Option(
        '--time-window-s <s>',
        "refuse counts and signals stamped further than this from this machine's clock; 0 = off (for `openphase simulate --mqtt`, whose signals carry simulated time)",
      )
        .env('OPENPHASE_TIME_WINDOW_S')
        .default('86400'),
    )
    .addHelpText(
      'after',
      [
        '',
        'Algorithms:',
        ...ALGORITHMS.map((a) => `  ${a.name.padEnd(13)} ${a.summary}`),
        '',
        'Environment: OPENPHASE_MQTT_URL, OPENPHASE_MQTT_USERNAME, OPENPHASE_MQTT_PASSWORD,',
        'OPENPHASE_ALGORITHM, OPENPHASE_INTERSECTIONS, OPENPHASE_ROOT. Docs: docs/controller.md',
        '',
        'It reconnects for ever (also after the broker refused it, e.g. a device removed and',
        'added again), waiting at most 5 s between attempts; /health says whether it is connected.',
        '',
        'Example:',
        '  OPENPHASE_MQTT_PASSWORD=… openphase controller --mqtt mqtt://broker:1883 \\',
        '    --username ctl-1 --algorithm max-pressure --intersections a,b,c',
      ].join('\n'),
    )
    .action(async (o) => {
      // listening before anything starts: a signal sent right after "ready" must find it
      const stopped = untilStopSignal();
      const list = String(o.intersections).trim();
      const intersections =
        list === 'all'
          ? 'all'
          : list
              .split(',')
              .map((s: string) => s.trim())
              .filter(Boolean);
      const every = Number(o.statsEvery);
      if (!Number.isFinite(every) || every < 0) throw new Error('--stats-every must be ≥ 0');
      if (!isTimeZone(o.timeZone))
        throw new Error(`--time-zone '${o.timeZone}' is not an IANA zone`);
      const windowS = Number(o.timeWindowS);
      if (!Number.isInteger(windowS) || windowS < 0) {
        throw new Error('--time-window-s must be an integer ≥ 0');
      }
      const svc = createControllerService({
        mqttUrl: o.mqtt,
        ...(o.username ? { username: o.username } : {}),
        ...(o.password ? { password: o.password } : {}),
        ...(o.clientId ? { clientId: o.clientId } : {}),
        ...(o.controllerId ? { controllerId: o.controllerId } : {}),
        root: o.root,
        algorithm: o.algorithm,
        intersections,
        algorithmOptions: { timeZone: o.timeZone },
        timeWindowMs: windowS * 1000,
        ...(o.metricsPort !== undefined
          ? { metricsPort: o.metricsPort, metricsHost: o.metricsHost }
          : {}),
      });
      const started = await svc.start();
      console.log(
        JSON.stringify({
          ready: true,
          algorithm: o.algorithm,
          intersections,
          mqtt: redactUrl(o.mqtt),
          ...started,
        }),
      );
      const timer =
        every > 0
          ? setInterval(() => console.log(JSON.stringify(svc.stats())), every * 1000)
          : undefined;
      await stopped;
      if (timer) clearInterval(timer);
      await svc.close();
    });
}
