/**
 * `openphase broker`: the embedded MQTT broker as a service. Runs until SIGINT/SIGTERM;
 * re-reads the device registry when the file changes or on SIGHUP.
 */

import { unwatchFile, watchFile } from 'node:fs';
import { Command, Option } from 'commander';
import {
  brokerMetricsText,
  createBroker,
  createRedisPersistence,
  DEFAULT_MAX_PACKET_BYTES,
  DEFAULT_MAX_PAYLOAD_BYTES,
  DEFAULT_RATE_LIMIT,
  DEFAULT_RATE_LIMIT_ALL,
  parseRedisUrl,
  RATE_PER_INTERSECTION,
  redisUrlHasSecret,
  showRedisUrl,
} from '../../broker/index.ts';
import { listenError } from '../../broker/listeners.ts';
import { createOpsServer } from '../../ops/http.ts';
import { intOption, readArgFile } from '../args.ts';
import { portArg } from '../port-arg.ts';
import { untilStopSignal } from '../signals.ts';

/** The Redis URL from a file, the environment or (without a password) the command line. */
function redisUrl(opts: { redisUrl?: string; redisUrlFile?: string }): string {
  if (opts.redisUrl !== undefined && redisUrlHasSecret(opts.redisUrl)) {
    // anyone on the machine can read a process's arguments (ps)
    throw new Error(
      '--redis-url must not carry a password: put the URL in $OPENPHASE_REDIS_URL or --redis-url-file',
    );
  }
  const fromFile = opts.redisUrlFile
    ? readArgFile('--redis-url-file', opts.redisUrlFile).split(/\r?\n/)[0]?.trim()
    : undefined;
  const url = fromFile || opts.redisUrl || process.env.OPENPHASE_REDIS_URL;
  if (!url) {
    throw new Error(
      '--persistence redis needs a Redis URL: $OPENPHASE_REDIS_URL, --redis-url-file or --redis-url',
    );
  }
  parseRedisUrl(url);
  return url;
}

export function command(): Command {
  return (
    new Command('broker')
      .description(
        'the embedded MQTT broker (aedes): device credentials and role ACLs from a registry, ' +
          'over TCP and MQTT-over-WebSocket (/mqtt), TLS when given a certificate',
      )
      .addOption(
        new Option('--host <addr>', 'interface to bind')
          .env('OPENPHASE_BROKER_HOST')
          .default('127.0.0.1'),
      )
      .addOption(
        new Option('--port <n>', 'MQTT over TCP (mqtts with --tls-cert); 0 = any free port')
          .env('OPENPHASE_BROKER_PORT')
          .argParser(portArg('--port'))
          .default(1883),
      )
      .addOption(
        new Option(
          '--ws-port <n>',
          'also serve MQTT over WebSocket on this port, path /mqtt (wss with TLS)',
        )
          .env('OPENPHASE_BROKER_WS_PORT')
          .argParser(portArg('--ws-port')),
      )
      .addOption(
        new Option(
          '--devices <file>',
          'device registry (YAML/JSON) from `openphase devices add`; reloaded when it changes',
        ).env('OPENPHASE_DEVICES'),
      )
      .addOption(
        new Option('--tls-cert <file>', 'PEM certificate: serve mqtts:// (and wss://)').env(
          'OPENPHASE_TLS_CERT',
        ),
      )
      .addOption(
        new Option('--tls-key <file>', 'PEM private key of --tls-cert').env('OPENPHASE_TLS_KEY'),
      )
      // no environment variable on purpose: anonymous access is never switched on by accident
      .option(
        '--insecure',
        'accept clients without credentials, with admin rights (development only; logs a warning)',
      )
      .addOption(new Option('--root <root>', 'topic root').env('OPENPHASE_ROOT').default('traffic'))
      .addOption(
        new Option(
          '--max-payload <bytes>',
          'largest payload delivered; a bigger one is acknowledged and dropped (counted oversize)',
        )
          .argParser(intOption('--max-payload', 1))
          .default(DEFAULT_MAX_PAYLOAD_BYTES),
      )
      .addOption(
        new Option(
          '--max-packet <bytes>',
          'hard limit on one MQTT packet; a bigger one disconnects its sender',
        )
          .argParser(intOption('--max-packet', 1))
          .default(DEFAULT_MAX_PACKET_BYTES),
      )
      .addOption(
        new Option(
          '--max-retained <bytes>',
          'retained bytes (topic + payload) per device; a retained publish past it is refused (default: 1 MiB, or 16 KiB per intersection a device lists if more; 32 MiB for a device of every intersection)',
        ).argParser(intOption('--max-retained', 1)),
      )
      .addOption(
        new Option(
          '--rate <n>',
          `sustained publishes per second, one limit for every device (a faster device waits) (default: ${DEFAULT_RATE_LIMIT.perSecond}, or ${RATE_PER_INTERSECTION} per intersection a device lists if more; ${DEFAULT_RATE_LIMIT_ALL.perSecond} for a device of every intersection)`,
        ).argParser(intOption('--rate', 1)),
      )
      .addOption(
        new Option(
          '--burst <n>',
          'publishes allowed at once above --rate (default: twice --rate; needs --rate)',
        ).argParser(intOption('--burst', 1)),
      )
      .addOption(
        new Option(
          '--persistence <kind>',
          'where sessions, queued QoS 1 messages and retained messages live: memory (lost on restart) or redis',
        )
          .choices(['memory', 'redis'])
          .env('OPENPHASE_BROKER_PERSISTENCE')
          .default('memory'),
      )
      .addOption(
        new Option(
          '--redis-url <url>',
          'Redis for --persistence redis, redis://host:port/db; a URL with a password only from $OPENPHASE_REDIS_URL or --redis-url-file',
        ),
      )
      .addOption(
        new Option('--redis-url-file <file>', 'file holding the Redis URL (first line)').env(
          'OPENPHASE_REDIS_URL_FILE',
        ),
      )
      .addOption(
        new Option(
          '--metrics-port <n>',
          'serve /metrics (Prometheus: clients, refusals per device and reason) and /health on this port',
        )
          .env('OPENPHASE_BROKER_METRICS_PORT')
          .argParser(portArg('--metrics-port')),
      )
      .addOption(
        new Option('--metrics-host <addr>', 'interface of the metrics server').default('127.0.0.1'),
      )
      .addHelpText(
        'after',
        '\nWithout --devices and without --insecure every connection is refused.\n' +
          'Security model, ACL table and running on Mosquitto instead: docs/security.md.',
      )
      .action(async (opts) => {
        // listening before anything starts: a signal sent right after "ready" must find it
        const stopped = untilStopSignal();
        if (opts.burst !== undefined && opts.rate === undefined) {
          throw new Error(
            '--burst needs --rate (the default rate is per device, its burst twice it)',
          );
        }
        if (Boolean(opts.tlsCert) !== Boolean(opts.tlsKey)) {
          throw new Error('--tls-cert and --tls-key go together');
        }
        // named by their flag when unreadable (the broker reads them itself)
        if (opts.tlsCert)
          for (const f of ['--tls-cert', '--tls-key'] as const)
            readArgFile(f, f === '--tls-cert' ? opts.tlsCert : opts.tlsKey);
        const store =
          opts.persistence === 'redis' ? createRedisPersistence(redisUrl(opts)) : undefined;
        const broker = createBroker({
          ...(store ? { persistence: store.persistence } : {}),
          host: opts.host,
          port: opts.port,
          wsPort: opts.wsPort,
          devices: opts.devices,
          insecure: opts.insecure === true,
          root: opts.root,
          maxPayloadBytes: opts.maxPayload,
          maxPacketBytes: opts.maxPacket,
          ...(opts.maxRetained !== undefined ? { maxRetainedBytes: opts.maxRetained } : {}),
          ...(opts.rate !== undefined
            ? { rateLimit: { perSecond: opts.rate, burst: opts.burst ?? 2 * opts.rate } }
            : {}),
          ...(opts.tlsCert ? { tls: { cert: opts.tlsCert, key: opts.tlsKey } } : {}),
        });
        const started = await broker.start();
        const ops =
          opts.metricsPort === undefined
            ? undefined
            : createOpsServer({
                port: opts.metricsPort,
                host: opts.metricsHost,
                health: () => ({ ok: true, component: 'broker', clients: broker.stats().clients }),
                metrics: async () => brokerMetricsText(broker.stats()),
              });
        const metricsPort = await ops?.start().catch(async (e) => {
          await broker.close();
          await store?.close();
          throw listenError(e, 'broker metrics', opts.metricsHost, opts.metricsPort);
        });
        console.log(JSON.stringify({ ready: true, ...started, ...(ops ? { metricsPort } : {}) }));
        if (store) console.error(`broker: state in Redis at ${showRedisUrl(redisUrl(opts))}`);

        const reload = () => {
          try {
            broker.reload();
            console.error(`broker: reloaded ${opts.devices}`);
          } catch (e) {
            // keep serving with the registry we have; a half-written file must not stop the city
            console.error(`broker: kept the previous registry: ${(e as Error).message}`);
          }
        };
        if (opts.devices) {
          watchFile(opts.devices, { interval: 2000 }, (cur, prev) => {
            if (cur.mtimeMs !== prev.mtimeMs) reload();
          });
          process.on('SIGHUP', reload);
        }
        await stopped;
        if (opts.devices) unwatchFile(opts.devices);
        process.off('SIGHUP', reload);
        await ops?.close();
        await broker.close();
        await store?.close();
      })
  );
}
