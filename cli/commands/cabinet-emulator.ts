/**
 * `openphase cabinet-emulator`: an NTCIP 1202 actuated controller emulator answering SNMP on
 * UDP, running the intersection's own timing. Prints `{"ready":true,…}` once listening; runs
 * until SIGINT/SIGTERM. Docs: docs/cabinet-emulator.md.
 */
import { Command, Option } from 'commander';
import { checkConfigText } from '../../field/config-file.ts';
import { snmpCredentials } from '../../field/credentials.ts';
import { createCabinetEmulator } from '../../field/emulator/agent.ts';
import { activePlan, formatProblems } from '../../protocol/index.ts';
import { readArgFile } from '../args.ts';
import { portArg } from '../port-arg.ts';
import { untilStopSignal } from '../signals.ts';

const int = (name: string, min: number, max: number) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name} must be an integer from ${min} to ${max}`);
  return n;
};

export function command(): Command {
  return new Command('cabinet-emulator')
    .description(
      'an NTCIP 1202 actuated signal controller emulator over SNMP (UDP): phase control ' +
        '(Omit, Hold, ForceOff, VehCall), phase status (greens, yellows, reds) and phase timing, ' +
        "with the intersection's own min/max greens and clearances",
    )
    .requiredOption(
      '--config <file>',
      'intersection config (YAML or JSON), as for `intersection check`',
    )
    .option('--intersection <id>', 'which intersection of a list (default: the only one)')
    .addOption(
      new Option('--host <addr>', 'interface to bind')
        .env('OPENPHASE_EMULATOR_HOST')
        .default('127.0.0.1'),
    )
    .addOption(
      new Option('--port <n>', 'UDP port (161 needs root)')
        .env('OPENPHASE_EMULATOR_PORT')
        .argParser(portArg('--port', 1))
        .default(16100),
    )
    .addOption(
      new Option(
        '--snmp-credentials <file>',
        "file with 'community: …' (else $OPENPHASE_SNMP_COMMUNITY)",
      ).env('OPENPHASE_SNMP_CREDENTIALS'),
    )
    .addOption(
      new Option('--backup-s <s>', 'control lapses after this long without a set (backup time)')
        .argParser(int('--backup-s', 1, 3600))
        .default(5),
    )
    .addOption(
      new Option('--time-zone <zone>', "IANA zone of the config's schedule when it names none")
        .env('OPENPHASE_TIME_ZONE')
        .default('UTC'),
    )
    .action(async (o) => {
      // installed first: a stop signal during start-up still ends the command gracefully
      const stopped = untilStopSignal();
      const file = checkConfigText(readArgFile('--config', o.config));
      if (file.problems.length > 0)
        throw new Error(`${o.config}:\n${formatProblems(file.problems)}`);
      const config =
        o.intersection === undefined
          ? file.configs.length === 1
            ? file.configs[0]
            : undefined
          : file.configs.find((c) => c.id === o.intersection);
      if (!config)
        throw new Error(
          `choose one intersection with --intersection (${file.configs.map((c) => c.id).join(', ')})`,
        );
      const { community } = snmpCredentials(o.snmpCredentials);
      if (!community)
        throw new Error(
          'no SNMP community: give --snmp-credentials FILE or $OPENPHASE_SNMP_COMMUNITY',
        );
      const plan = activePlan(config, Date.now(), o.timeZone).plan;
      const emu = createCabinetEmulator({
        config,
        host: o.host,
        port: o.port,
        community,
        backupMs: o.backupS * 1000,
        ...(plan ? { plan } : {}),
      });
      const { host, port } = await emu.start();
      console.log(
        JSON.stringify({
          ready: true,
          intersection: config.id,
          host,
          port,
          phases: config.phases.length,
        }),
      );
      await stopped;
      await emu.close();
    });
}
