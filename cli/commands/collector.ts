/**
 * `openphase collector`: MQTT → InfluxDB 1.x, 2.x/3.x or the embedded store, losing nothing.
 * Runs until SIGINT/SIGTERM; prints one JSON line `{"ready":true,…}` once subscribed.
 */
import { Command, Option } from 'commander';
import { createCollector, sinkWhere } from '../../collector/index.ts';
import { defaultSpoolDir } from '../../collector/state-dir.ts';
import { intOption } from '../args.ts';
import { portArg } from '../port-arg.ts';
import { MQTT_PASSWORD, refusedSecretOption, resolveSecret, secretFileOption } from '../secrets.ts';
import { untilStopSignal } from '../signals.ts';
import { addSinkOptions, sinkFromCommand, sinkHelp } from '../sink-options.ts';

export function command(): Command {
  const cmd = new Command('collector')
    .description(
      'subscribe to the protocol topics, validate and enrich every message, and write it to ' +
        'InfluxDB (1.x, or 2.x/3.x with a token) or, with no InfluxDB given, the embedded store; ' +
        'a message is acknowledged to the broker only once it is written or spooled to disk',
    )
    .addOption(
      new Option('--mqtt <url>', 'broker URL (mqtt://, mqtts://, ws://, wss://)')
        .env('OPENPHASE_MQTT_URL')
        .default('mqtt://127.0.0.1:1883'),
    )
    .addOption(new Option('--username <name>', 'MQTT username').env('OPENPHASE_MQTT_USERNAME'))
    .addOption(secretFileOption(MQTT_PASSWORD))
    .addOption(refusedSecretOption(MQTT_PASSWORD))
    .hook('preAction', resolveSecret(MQTT_PASSWORD))
    .addOption(
      new Option(
        '--client-id <id>',
        'fixed client id of the persistent session (default: the username, as OpenPhase’s broker requires)',
      ).env('OPENPHASE_COLLECTOR_ID'),
    )
    .addOption(new Option('--root <root>', 'topic root').env('OPENPHASE_ROOT').default('traffic'))
    .addOption(
      new Option(
        '--spool-dir <dir>',
        'on-disk spool for batches the sink could not take (default: per user and sink, ' +
          '$XDG_STATE_HOME/openphase/spool/{sink}, or ~/.local/state/openphase/…)',
      ).env('OPENPHASE_SPOOL_DIR'),
    )
    .addOption(
      new Option(
        '--service',
        'keep the default spool under /var/lib/openphase (a system service) instead of the user state dir',
      ).env('OPENPHASE_SERVICE'),
    )
    .addOption(
      new Option(
        '--force',
        'replay a spool that holds batches for another sink (database) into this one',
      ),
    )
    .addOption(
      new Option('--spool-max-mb <n>', 'spool bound; at the bound the collector stops reading')
        .argParser(intOption('--spool-max-mb', 1))
        .default(1024),
    )
    .addOption(
      new Option('--batch-size <n>', 'points per write')
        .argParser(intOption('--batch-size', 1))
        .default(5000),
    )
    .addOption(
      new Option('--flush-ms <n>', 'longest a point waits for its batch')
        .argParser(intOption('--flush-ms', 1))
        .default(1000),
    )
    .addOption(
      new Option(
        '--time-window-s <s>',
        "refuse messages whose timestamps lie further than this from this machine's clock (rejected as implausible-time; 0 = off)",
      )
        .env('OPENPHASE_TIME_WINDOW_S')
        .argParser(intOption('--time-window-s', 0))
        .default(86_400),
    )
    .addOption(
      new Option(
        '--shared-group <name>',
        'subscribe via $share/<name>/… so collectors split the load (Mosquitto 2, EMQX, HiveMQ; not aedes)',
      ).env('OPENPHASE_SHARED_GROUP'),
    )
    .addOption(
      new Option(
        '--metrics-port <n>',
        'serve /metrics (Prometheus) and /health (JSON; 503 while not connected) on this port',
      )
        .env('OPENPHASE_METRICS_PORT')
        .argParser(portArg('--metrics-port')),
    )
    .addOption(
      new Option('--metrics-host <addr>', 'interface of the metrics server').default('127.0.0.1'),
    )
    .addOption(
      new Option('--log-every <s>', 'seconds between status log lines; 0 = none')
        .argParser(intOption('--log-every', 0))
        .default(10),
    )
    .addHelpText(
      'after',
      `${sinkHelp()}\n` +
        'It reconnects to the broker for ever (also after a refusal), at most 5 s apart.\n' +
        'Schema, outage behaviour and broker settings: docs/influxdb.md.',
    )
    .action(async (opts, c: Command) => {
      // listening before anything starts: a signal sent right after "ready" must find it
      const stopped = untilStopSignal();
      if (opts.sharedGroup !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(opts.sharedGroup)) {
        throw new Error('--shared-group must be 1-64 characters of A-Z, a-z, 0-9, _ or -');
      }
      const sink = sinkFromCommand(c);
      const log = (line: string) => console.error(line);
      const spoolDir: string =
        opts.spoolDir ??
        defaultSpoolDir(sink, {
          service: opts.service !== undefined && opts.service !== false && opts.service !== '0',
        });
      const collector = createCollector({
        mqttUrl: opts.mqtt,
        username: opts.username,
        password: opts.password,
        clientId: opts.clientId,
        root: opts.root,
        sink,
        spoolDir,
        forceSpool: opts.force === true,
        spoolMaxBytes: opts.spoolMaxMb * 1024 * 1024,
        batchSize: opts.batchSize,
        flushMs: opts.flushMs,
        sharedGroup: opts.sharedGroup,
        metricsPort: opts.metricsPort,
        metricsHost: opts.metricsHost,
        timeWindowMs: opts.timeWindowS * 1000,
        logEveryMs: opts.logEvery * 1000,
        log,
      });
      const started = await collector.start();
      log(`collector: writing to ${sink.kind} at ${sinkWhere(sink)}, spool in ${spoolDir}`);
      console.log(JSON.stringify({ ready: true, sink: sink.kind, ...started }));
      await stopped;
      await collector.close();
    });
  return addSinkOptions(cmd);
}
