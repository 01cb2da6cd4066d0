import { Command, Option } from 'commander';
import { createInfluxV1Reader } from '../../collector/index.ts';
import { createDashboard, createMqttSource, DEFAULT_RATE_LIMIT } from '../../dashboard/index.ts';
import { influxV1Measures } from '../../measures/read/index.ts';
import { assertTimeZone } from '../../protocol/index.ts';
import { intOption, readArgFile } from '../args.ts';
import { mqttPassword, passwordFileOption } from '../mqtt-secret.ts';
import { portArg } from '../port-arg.ts';
import { untilStopSignal } from '../signals.ts';

export function command(): Command {
  return new Command('dashboard')
    .description(
      'the live dashboard of a running system (no simulator): intersections, signal states, ' +
        'counts and charts; connects as an observer device',
    )
    .addOption(
      new Option('--mqtt <url>', 'broker URL')
        .env('OPENPHASE_MQTT_URL')
        .default('mqtt://127.0.0.1:1883'),
    )
    .addOption(
      new Option('--username <name>', 'MQTT username: a device with the observer role').env(
        'OPENPHASE_MQTT_USERNAME',
      ),
    )
    .addOption(passwordFileOption())
    .addOption(
      new Option('--influx-url <url>', 'InfluxDB 1.x URL for the charts').env('INFLUX_URL'),
    )
    .addOption(new Option('--influx-db <name>', 'InfluxDB 1.x database').env('INFLUX_DB'))
    .addOption(new Option('--influx-username <name>', 'InfluxDB user').env('INFLUX_USERNAME'))
    .addOption(
      new Option(
        '--influx-password-file <file>',
        'InfluxDB password file (else $INFLUX_PASSWORD)',
      ).env('INFLUX_PASSWORD_FILE'),
    )
    .addOption(
      new Option('--host <addr>', 'interface of the page')
        .env('OPENPHASE_DASHBOARD_HOST')
        .default('127.0.0.1'),
    )
    .addOption(
      new Option('--port <n>', 'port of the page (0: any free port)')
        .env('OPENPHASE_DASHBOARD_PORT')
        .default('8080'),
    )
    .addOption(
      new Option(
        '--token-file <file>',
        'require this observer token for the API and live feed',
      ).env('OPENPHASE_DASHBOARD_TOKEN_FILE'),
    )
    .option(
      '--insecure-api',
      'serve the API and live feed without a token: anyone who reaches the port reads them',
    )
    .option(
      '--allow-origin <origin...>',
      'origins besides the served one (a reverse proxy address)',
    )
    .addOption(
      new Option(
        '--requests-per-minute <n>',
        'requests each client address may make a minute (more answer 429); the page asks once per intersection as it loads, and waits when told to: above the number of intersections, a big city loads at once',
      )
        .argParser(intOption('--requests-per-minute', 1))
        .default(DEFAULT_RATE_LIMIT.max),
    )
    .addOption(new Option('--root <root>', 'topic root').env('OPENPHASE_ROOT').default('traffic'))
    .addOption(
      new Option(
        '--time-zone <zone>',
        "IANA zone the page shows times in, e.g. Europe/Paris (an intersection's config timeZone wins)",
      )
        .env('OPENPHASE_TIME_ZONE')
        .default('UTC'),
    )
    .addHelpText(
      'after',
      '\nSecrets from files or the environment only: $OPENPHASE_MQTT_PASSWORD or --password-file,\n' +
        '$INFLUX_PASSWORD or --influx-password-file. Without --influx-url the charts stay empty.',
    )
    .action(async (o) => {
      // installed first: a stop signal during start-up still ends the command gracefully
      const stopped = untilStopSignal();
      const port = portArg('--port')(String(o.port));
      assertTimeZone(o.timeZone, '--time-zone');
      if (o.influxUrl && !o.influxDb) throw new Error('--influx-url needs --influx-db');
      // no anonymous access unless an explicit flag says so
      if (!o.tokenFile && !o.insecureApi)
        throw new Error(
          'the API needs an observer token: --token-file FILE (or $OPENPHASE_DASHBOARD_TOKEN_FILE), ' +
            'or --insecure-api to serve it to anyone who reaches the port',
        );
      if (o.insecureApi && !o.tokenFile)
        console.error('dashboard: WARNING --insecure-api: the API and live feed need no token');
      const influxPassword = o.influxPasswordFile
        ? readArgFile('--influx-password-file', o.influxPasswordFile).split(/\r?\n/)[0]
        : process.env.INFLUX_PASSWORD || undefined;
      const reader = o.influxUrl
        ? createInfluxV1Reader({
            url: o.influxUrl,
            database: o.influxDb,
            ...(o.influxUsername ? { username: o.influxUsername } : {}),
            ...(influxPassword ? { password: influxPassword } : {}),
          })
        : { queryCounts: async () => [] };
      const measures = o.influxUrl
        ? influxV1Measures({
            url: o.influxUrl,
            database: o.influxDb,
            ...(o.influxUsername ? { username: o.influxUsername } : {}),
            ...(influxPassword ? { password: influxPassword } : {}),
          })
        : undefined;
      const password = mqttPassword(o.passwordFile);
      const token = o.tokenFile
        ? readArgFile('--token-file', o.tokenFile).split(/\r?\n/)[0]
        : undefined;
      const source = createMqttSource({
        mqttUrl: o.mqtt,
        ...(o.username ? { username: o.username } : {}),
        ...(password !== undefined ? { password } : {}),
        root: o.root,
        reader,
      });
      await source.start();
      const dashboard = createDashboard({
        host: o.host,
        port,
        source,
        store: o.influxUrl ? 'influx-v1' : 'none',
        timeZone: o.timeZone,
        rateLimit: { max: o.requestsPerMinute, timeWindowMs: 60_000 },
        ...(measures ? { measures } : {}),
        ...(o.allowOrigin ? { allowOrigins: o.allowOrigin } : {}),
        ...(token ? { token } : {}),
      });
      const web = await dashboard.start().catch(async (e) => {
        await source.close();
        throw e;
      });
      console.log(JSON.stringify({ ready: true, url: web.url, mqtt: o.mqtt }));
      await stopped;
      await dashboard.close();
      await source.close();
    });
}
