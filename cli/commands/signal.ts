/**
 * `openphase signal`: the field signal gateway. Decisions in, the safety monitor and its
 * watchdog, a cabinet adapter per intersection, the signal the cabinet shows out. Prints one
 * JSON line per event (`ready`, `fallback`, `cabinet`, `mqtt`, stats); runs until SIGINT/SIGTERM.
 * Docs: docs/operations.md.
 */
import { Command, Option } from 'commander';
import { CABINETS, getCabinet } from '../../field/cabinet/registry.ts';
import { checkConfigText } from '../../field/config-file.ts';
import { snmpCredentials } from '../../field/credentials.ts';
import { createSignalGateway } from '../../field/gateway/service.ts';
import { assertId, formatProblems, isTimeZone } from '../../protocol/index.ts';
import { readArgFile } from '../args.ts';
import { mqttPassword, passwordFileOption } from '../mqtt-secret.ts';
import { untilStopSignal } from '../signals.ts';

const collect = (v: string, prev: string[]) => [...prev, v];

/** `a=ntcip1202:127.0.0.1:16100` → { id: 'a', adapter: 'ntcip1202', target: '127.0.0.1:16100' } */
export function parseCabinet(spec: string): { id: string; adapter: string; target?: string } {
  const m = /^([^=]+)=([a-z0-9-]+)(?::(.+))?$/.exec(spec.trim());
  if (!m)
    throw new Error(
      `--cabinet '${spec}' is not ID=ADAPTER[:TARGET] (e.g. a=ntcip1202:10.0.0.5:161)`,
    );
  getCabinet(m[2]!); // unknown names fail here, listing the known ones
  return { id: assertId('intersection', m[1]!), adapter: m[2]!, ...(m[3] ? { target: m[3] } : {}) };
}

export function command(): Command {
  return new Command('signal')
    .description(
      'the field signal gateway: for each intersection, decisions in, the safety monitor and ' +
        'its watchdog (time-of-day fallback plan), a cabinet adapter, and the signal the cabinet ' +
        'actually shows published every tick. Connects as a signal device.',
    )
    .addOption(
      new Option('--mqtt <url>', 'broker URL')
        .env('OPENPHASE_MQTT_URL')
        .default('mqtt://127.0.0.1:1883'),
    )
    .addOption(
      new Option('--username <name>', 'MQTT username: a device with the signal role').env(
        'OPENPHASE_MQTT_USERNAME',
      ),
    )
    .addOption(passwordFileOption())
    .option(
      '--cabinet <id=adapter[:target]>',
      `an intersection and its cabinet, repeatable (adapters: ${CABINETS.map((c) => c.name).join(', ')})`,
      collect,
      [] as string[],
    )
    .addOption(
      new Option(
        '--config <file>',
        'local intersection descriptions, used until a retained config arrives',
      ).env('OPENPHASE_CONFIG'),
    )
    .addOption(
      new Option(
        '--snmp-credentials <file>',
        'SNMP credentials file (else OPENPHASE_SNMP_* variables)',
      ).env('OPENPHASE_SNMP_CREDENTIALS'),
    )
    .addOption(
      new Option(
        '--time-zone <zone>',
        'IANA zone of a schedule whose config names none (default UTC)',
      )
        .env('OPENPHASE_TIME_ZONE')
        .default('UTC'),
    )
    .addOption(new Option('--tick-ms <ms>', 'apply, read and publish every ms').default('1000'))
    .addOption(
      new Option(
        '--grace-ms <ms>',
        'how long the cabinet may lag the monitor before a cabinet override',
      ).default('3000'),
    )
    .addOption(
      new Option(
        '--backup-s <s>',
        "the cabinets' backup time (NTCIP 1202 unitBackupTime): unheard longer, a cabinet may run its own plan and is taken up again",
      ).default('5'),
    )
    .addOption(new Option('--root <root>', 'topic root').env('OPENPHASE_ROOT').default('traffic'))
    .addOption(
      new Option('--stats-every <s>', 'print a stats JSON line every s seconds (0: never)').default(
        '60',
      ),
    )
    .addHelpText(
      'after',
      [
        '',
        'Cabinet adapters:',
        ...CABINETS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
        '',
        'Secrets never on the command line: the MQTT password from --password-file or',
        '$OPENPHASE_MQTT_PASSWORD; SNMP credentials from --snmp-credentials or $OPENPHASE_SNMP_COMMUNITY',
        '(v3: $OPENPHASE_SNMP_USER, _AUTH_PROTOCOL, _AUTH_KEY, _PRIV_PROTOCOL, _PRIV_KEY).',
        '',
        'Example:',
        '  OPENPHASE_MQTT_PASSWORD=… OPENPHASE_SNMP_COMMUNITY=… openphase signal \\',
        '    --mqtt mqtt://broker:1883 --username sig-main-1st --cabinet main-1st=ntcip1202:10.0.0.5:161',
      ].join('\n'),
    )
    .action(async (o) => {
      // installed first: a stop signal during start-up still ends the command gracefully
      const stopped = untilStopSignal();
      const specs = (o.cabinet as string[]).map(parseCabinet);
      if (specs.length === 0) throw new Error('give at least one --cabinet ID=ADAPTER[:TARGET]');
      if (!isTimeZone(o.timeZone))
        throw new Error(`--time-zone '${o.timeZone}' is not an IANA zone`);
      const tickMs = Number(o.tickMs);
      const graceMs = Number(o.graceMs);
      const every = Number(o.statsEvery);
      if (!(tickMs >= 100)) throw new Error('--tick-ms must be ≥ 100');
      if (!(graceMs >= 0)) throw new Error('--grace-ms must be ≥ 0');
      const backupS = Number(o.backupS);
      if (!(backupS >= 1)) throw new Error(`--backup-s must be a number ≥ 1, got '${o.backupS}'`);
      if (!(every >= 0))
        throw new Error(`--stats-every must be a number ≥ 0, got '${o.statsEvery}'`);
      const configs = o.config ? checkConfigText(readArgFile('--config', o.config)) : undefined;
      if (configs && configs.problems.length > 0)
        throw new Error(`${o.config}:\n${formatProblems(configs.problems)}`);
      const needsSnmp = specs.some((s) => s.adapter === 'ntcip1202');
      const credentials = needsSnmp ? snmpCredentials(o.snmpCredentials) : {};
      const password = mqttPassword(o.passwordFile);
      const gw = createSignalGateway({
        mqttUrl: o.mqtt,
        root: o.root,
        ...(o.username ? { username: o.username } : {}),
        ...(password !== undefined ? { password } : {}),
        cabinets: new Map(
          specs.map((s) => [
            s.id,
            (config) =>
              getCabinet(s.adapter).create(config, {
                ...(s.target ? { target: s.target } : {}),
                credentials,
              }),
          ]),
        ),
        ...(configs ? { configs: configs.configs } : {}),
        tickMs,
        graceMs,
        backupMs: backupS * 1000,
        timeZone: o.timeZone,
      });
      await gw.start();
      console.log(
        JSON.stringify({
          ready: true,
          intersections: specs.map((s) => s.id),
          mqtt: o.mqtt,
          tickMs,
        }),
      );
      const timer =
        every > 0
          ? setInterval(() => console.log(JSON.stringify({ stats: gw.stats() })), every * 1000)
          : undefined;
      await stopped;
      if (timer) clearInterval(timer);
      await gw.close();
    });
}
