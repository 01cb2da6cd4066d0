/**
 * `openphase scenario from-store`: a scenario file from what the collector stored — the
 * intersections as configured and, per movement, the demand of a chosen day (or the mean of
 * several) in 15-minute bins, corrected for missing data and for stop-bar counting. The work is
 * in store-scenario/; this file reads options and writes the file.
 */
import { writeFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import YAML from 'yaml';
import { historyFor, sinkDescription } from '../../collector/sinks/registry.ts';
import { t } from '../../i18n/index.ts';
import type { IntersectionConfig } from '../../protocol/index.ts';
import { configsFromDir, configsFromMqtt, configsIn } from '../../store-scenario/configs.ts';
import { DEFAULT_TURNING, type TurningShares } from '../../store-scenario/demand.ts';
import { reportLines, scenarioFromStore } from '../../store-scenario/from-store.ts';
import { dayArg, hoursArg, numberArg, periodArg, readArgData } from '../args.ts';
import { cliLang } from '../lang.ts';
import { MQTT_PASSWORD, refusedSecretOption, resolveSecret, secretFileOption } from '../secrets.ts';
import { addSinkOptions, sinkFromCommand, sinkHelp } from '../sink-options.ts';

const NOT_HERE = ['create-db'];

const list = (v: string, prev: string[] = []) => [
  ...prev,
  ...v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
];

/** `left=0.2,through=0.6,right=0.2` → shares; missing turns keep the default. */
export function parseTurning(text: string): TurningShares {
  const out = { ...DEFAULT_TURNING };
  for (const part of text.split(',')) {
    const m = /^\s*(left|through|right)\s*=\s*([0-9.]+)\s*$/.exec(part);
    if (!m) throw new Error(t(cliLang(), 'args.turning', { part }));
    out[m[1] as keyof TurningShares] = numberArg('--turning', m[2]!, 0, 1);
  }
  return out;
}

function fromStore(): Command {
  const cmd = new Command('from-store')
    .description(
      'build a scenario file from the counts the collector stored: the intersections as ' +
        'configured and per-movement demand of a chosen day (or the mean of several days)',
    )
    .requiredOption(
      '--day <YYYY-MM-DD>',
      'the day to rebuild; repeat it (or give a comma list) for the mean of several days (local days, see --time-zone)',
      list,
    )
    .option(
      '--intersection <ids>',
      'only these intersections (comma list; default: every config)',
      list,
    )
    .option('--config-dir <dir>', "the collector's learned configs: {spool dir}/configs/")
    .option('--config <file>', 'a config or scenario file holding the intersections')
    .addOption(
      new Option('--mqtt <url>', 'read the retained configs from this broker').env(
        'OPENPHASE_MQTT_URL',
      ),
    )
    .addOption(new Option('--username <name>', 'MQTT username').env('OPENPHASE_MQTT_USERNAME'))
    .addOption(secretFileOption(MQTT_PASSWORD))
    .addOption(refusedSecretOption(MQTT_PASSWORD))
    .hook('preAction', resolveSecret(MQTT_PASSWORD))
    .addOption(new Option('--root <root>', 'topic root').env('OPENPHASE_ROOT').default('traffic'))
    .addOption(
      new Option(
        '--time-zone <zone>',
        "the deployment's IANA zone (e.g. Europe/Paris) when the configs name none; default UTC",
      ).env('OPENPHASE_TIME_ZONE'),
    )
    .option(
      '--hours <HH:MM-HH:MM>',
      'only this time-of-day window (e.g. 16:00-19:00 for the evening peak)',
    )
    .option('--bin <period>', 'demand bin: 5m, 15m, 30m, 1h', '15m')
    .option(
      '--fill-days <n>',
      'days before and after the chosen day whose same bins may fill its gaps',
      '7',
    )
    .option(
      '--min-coverage <share>',
      'a bin whose counts cover less than this share of it is missing (and filled)',
      '0.5',
    )
    .option('--saturation-flow <vphpl>', 'discharge rate per lane, veh/h/lane', '1800')
    .option('--lost-time <s>', 'start-up + unused yellow lost time per phase, s', '3')
    .option(
      '--turning <shares>',
      'split of a detector over several movements, e.g. left=0.15,through=0.7,right=0.15',
    )
    .option('--name <name>', 'scenario name (default from-store-DAY)')
    .option('--out <file>', 'write the scenario here (YAML, or JSON for .json); default: stdout')
    .addHelpText(
      'after',
      `${sinkHelp()}

What it does, in a traffic engineer's words:
  Demand per movement comes from the advance detectors when a movement has any (they count
  arrivals), else from its stop-bar detectors (they count departures). Each bin's flow is the
  vehicles counted divided by the time the counts cover, so a sensor that reported 9 of 15
  minutes gives the flow of those 9 minutes. A bin covered less than --min-coverage is missing:
  it is filled with the same bin on the other days read (--fill-days around the chosen day),
  else interpolated within the day, and every filled stretch is printed and kept in the file's
  origin (never a silent zero). Stop-bar counts cannot exceed the discharge capacity
  (saturation flow x lanes x effective green / cycle of the config's fixed plan); where they
  reach it, the queue behind the stop bar is estimated by conservation of vehicles: arrivals
  over the saturated stretch = its departures + the queue the next bin discharged.
  The stored data does not say how intersections connect: each intersection's measured demand
  enters at its own approaches (no links). Days and bins are local: the zone the
  intersections' configs name (timeZone), else --time-zone, else UTC.

The scenario runs like any other: openphase simulate --scenario FILE, openphase bench
--scenario FILE; the bench report names its origin. Format and method: docs/scenarios.md.

Example:
  openphase scenario from-store --influx-url http://influx:8086 --influx-db openphase \\
    --config-dir /var/lib/openphase/spool/<sink>/configs --day 2026-03-03 --out tuesday.yaml`,
    )
    .action(async (o, c: Command) => {
      const lang = cliLang();
      const sink = sinkFromCommand(c, NOT_HERE);
      // A broker URL from the environment gives way to a config source named on the line.
      if ((o.configDir || o.config) && c.getOptionValueSource('mqtt') === 'env') o.mqtt = undefined;
      const sources = [o.configDir, o.config, o.mqtt].filter(Boolean).length;
      if (sources !== 1) throw new Error(t(lang, 'fromStore.needConfigs'));
      let configs: IntersectionConfig[];
      if (o.configDir) {
        const r = configsFromDir(o.configDir);
        for (const s of r.skipped) console.error(t(lang, 'fromStore.skipped', { what: s }));
        configs = r.configs;
      } else if (o.config) {
        configs = configsIn(readArgData('--config', o.config), o.config);
      } else {
        const r = await configsFromMqtt(o.mqtt, {
          username: o.username,
          password: o.password,
          root: o.root,
        });
        for (const s of r.skipped) console.error(t(lang, 'fromStore.skippedOf', { what: s }));
        configs = r.configs;
      }
      if (o.intersection?.length) {
        const missing = o.intersection.filter((id: string) => !configs.some((x) => x.id === id));
        if (missing.length > 0)
          throw new Error(t(lang, 'fromStore.noConfig', { ids: missing.join(', ') }));
        configs = configs.filter((x) => o.intersection.includes(x.id));
      }
      // One clock for the scenario: the zone the configs name, else the deployment's.
      const zones = [...new Set(configs.map((x) => x.timeZone).filter(Boolean))];
      if (zones.length > 1)
        throw new Error(t(lang, 'fromStore.zones', { zones: zones.join(', ') }));
      const timeZone = zones[0] ?? o.timeZone ?? 'UTC';
      const fillDays = numberArg('--fill-days', o.fillDays, 0, 60);
      const { scenario, demand } = await scenarioFromStore({
        reader: historyFor(sink),
        store: sinkDescription(sink),
        configs,
        days: o.day.map((d: string) => dayArg('--day', d, timeZone)),
        fillDays: Math.round(fillDays),
        binMs: periodArg('--bin', o.bin),
        minCoverage: numberArg('--min-coverage', o.minCoverage, 0, 1),
        saturationFlowVphpl: numberArg('--saturation-flow', o.saturationFlow, 100, 3000),
        lostTimeS: numberArg('--lost-time', o.lostTime, 0, 20),
        ...(o.turning ? { turning: parseTurning(o.turning) } : {}),
        ...(o.name ? { name: o.name } : {}),
        ...(o.hours ? { hours: hoursArg('--hours', o.hours) } : {}),
      });
      for (const line of reportLines(demand, timeZone, lang)) console.error(line);
      const text = o.out?.endsWith('.json')
        ? `${JSON.stringify(scenario, null, 2)}\n`
        : YAML.stringify(scenario, { lineWidth: 0 });
      if (o.out) {
        writeFileSync(o.out, text);
        console.error(
          t(lang, 'fromStore.wrote', {
            path: o.out,
            intersections: t(lang, 'fromStore.intersections', {
              count: scenario.intersections.length,
            }),
            movements: t(lang, 'fromStore.movements', { count: scenario.demand.length }),
          }),
        );
      } else process.stdout.write(text);
    });
  return addSinkOptions(cmd, NOT_HERE);
}

export function command(): Command {
  return new Command('scenario')
    .description('scenario files from your own data')
    .addCommand(fromStore());
}
