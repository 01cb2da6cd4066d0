/**
 * `openphase measures`: the ATSPM measures of one intersection over a time range, from what
 * the collector stored (InfluxDB 1.x, 2.x/3.x through its v1-compatible query, or the embedded
 * store: the same flags as the collector). Pure core: measures/compute.ts; this file reads
 * and prints.
 */
import { Command, Option } from 'commander';
import type { SinkOptions } from '../../collector/sinks/registry.ts';
import { t } from '../../i18n/index.ts';
import { computeMeasures, formatMeasures, type Measures } from '../../measures/index.ts';
import { measuresReaderFor } from '../../measures/read/index.ts';
import { assertId, type IntersectionConfig, zoneOf } from '../../protocol/index.ts';
import { numberArg, periodArg, timeArg, zoneArg } from '../args.ts';
import { cliLang } from '../lang.ts';
import { MQTT_PASSWORD, refusedSecretOption, resolveSecret, secretFileOption } from '../secrets.ts';
import { addSinkOptions, sinkFromCommand, sinkHelp } from '../sink-options.ts';
import { readConfigFile, readConfigMqtt } from './plan.ts';

/** A reader never creates a database. */
const NOT_FOR_READING = ['create-db'];
/** Beyond this a query of raw actuations grows too large for one answer. */
const MAX_RANGE_MS = 31 * 86_400_000;

export interface MeasuresRun {
  config: IntersectionConfig;
  sink: SinkOptions;
  fromMs: number;
  toMs: number;
  timeZone?: string;
  binMs?: number;
  approachSpeedKmh?: number;
}

/** Reads the stored history and computes the measures. */
export async function runMeasures(o: MeasuresRun): Promise<Measures> {
  if (!(o.toMs > o.fromMs)) throw new Error(t(cliLang(), 'args.toAfterFrom'));
  if (o.toMs - o.fromMs > MAX_RANGE_MS)
    throw new Error(t(cliLang(), 'args.tooLong', { days: String(MAX_RANGE_MS / 86_400_000) }));
  const data = await measuresReaderFor(o.sink).read({
    intersection: o.config.id,
    fromMs: o.fromMs,
    toMs: o.toMs,
  });
  return computeMeasures(o.config, data, {
    fromMs: o.fromMs,
    toMs: o.toMs,
    ...(o.timeZone ? { timeZone: o.timeZone } : {}),
    ...(o.binMs ? { binMs: o.binMs } : {}),
    ...(o.approachSpeedKmh ? { approachSpeedKmh: o.approachSpeedKmh } : {}),
  });
}

export function command(): Command {
  const cmd = new Command('measures')
    .description(
      'ATSPM measures of one intersection from the stored actuations, counts and signal history: ' +
        'approach volume, arrivals on green, platoon ratio, approach delay, split failures, ' +
        'yellow and red actuations, phase termination, coordination diagram data (docs/measures.md)',
    )
    .requiredOption('--intersection <id>', 'intersection id')
    .requiredOption(
      '--from <time>',
      'start (inclusive): YYYY-MM-DD or YYYY-MM-DD HH:MM in the time zone, an ISO time with offset, or epoch ms',
    )
    .requiredOption('--to <time>', 'end (exclusive), like --from')
    .addOption(
      new Option(
        '--time-zone <zone>',
        "the deployment's IANA zone, e.g. Europe/Paris, when the config names no timeZone (default UTC)",
      ).env('OPENPHASE_TIME_ZONE'),
    )
    .option('--bin <p>', 'bin length: 15m, 30m, 1h', '15m')
    .option('--approach-speed <kmh>', 'speed from an advance detector to the stop bar, km/h', '50')
    .option('--config <file>', 'the intersection config (JSON/YAML), or a scenario holding it')
    .addOption(
      new Option('--mqtt <url>', 'read the retained config from this broker instead').env(
        'OPENPHASE_MQTT_URL',
      ),
    )
    .addOption(new Option('--username <name>', 'MQTT username').env('OPENPHASE_MQTT_USERNAME'))
    .addOption(secretFileOption(MQTT_PASSWORD))
    .addOption(refusedSecretOption(MQTT_PASSWORD))
    .hook('preAction', resolveSecret(MQTT_PASSWORD))
    .option('--json', 'print JSON (with every bin and the coordination diagram data)')
    .addHelpText(
      'after',
      `${sinkHelp()}\n\nExample:\n  openphase measures --influx-url http://influx:8086 --influx-db openphase \\\n` +
        '    --intersection a --config a.yaml --from 2026-03-02 --to 2026-03-03 --time-zone Europe/Paris',
    )
    .action(async (o, c: Command) => {
      assertId('intersection', o.intersection);
      if (o.timeZone !== undefined) zoneArg('--time-zone', o.timeZone);
      const binMs = periodArg('--bin', o.bin);
      if (binMs % 60_000 !== 0)
        throw new Error(t(cliLang(), 'args.wholeMinutes', { flag: '--bin' }));
      const speed = numberArg('--approach-speed', o.approachSpeed, 1, 150);
      if (!o.config && !o.mqtt) throw new Error(t(cliLang(), 'cli.needConfig'));
      const sink = sinkFromCommand(c, NOT_FOR_READING);
      const config = o.config
        ? readConfigFile(o.config, o.intersection)
        : await readConfigMqtt(o.mqtt, o.intersection, {
            username: o.username,
            password: o.password,
          });
      // --from/--to without an offset are local times in the intersection's zone
      const zone = zoneOf(config.timeZone, o.timeZone);
      const fromMs = timeArg('--from', o.from, zone);
      const toMs = timeArg('--to', o.to, zone);
      const m = await runMeasures({
        config,
        sink,
        fromMs,
        toMs,
        timeZone: zone,
        binMs,
        approachSpeedKmh: speed,
      });
      console.log(o.json ? JSON.stringify(m, null, 2) : formatMeasures(m, cliLang()));
    });
  return addSinkOptions(cmd, NOT_FOR_READING);
}
