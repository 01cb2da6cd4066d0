import { Command, Option } from 'commander';
import { InfluxDB } from 'influx';
import { intervalsFromSpacing } from '../../collector/history.ts';
import { type CountRow, plansByTimeOfDay, type TodPlan } from '../../controller/tod-plans.ts';
import { type Lang, percent, t } from '../../i18n/index.ts';
import { connectOnce } from '../../ops/connect-once.ts';
import {
  assertId,
  formatProblems,
  type IntersectionConfig,
  topics,
  validateIntersection,
  zoneOf,
} from '../../protocol/index.ts';
import { numberArg, periodArg, readArgData, zoneArg } from '../args.ts';
import { cliLang } from '../lang.ts';
import {
  INFLUX_PASSWORD,
  MQTT_PASSWORD,
  refusedSecretOption,
  resolveSecret,
  secretFileOption,
} from '../secrets.ts';

export interface PlanOptions {
  influxUrl: string;
  influxDb: string;
  influxUsername?: string;
  influxPassword?: string;
  intersection: string;
  fromMs: number;
  toMs: number;
  periodMs: number;
  config: IntersectionConfig;
  /** the deployment's IANA zone, when the config names no `timeZone` (default UTC) */
  timeZone?: string;
  saturationFlowVphpl?: number;
  lostTimePerPhaseS?: number;
}

/** Reads one intersection's config from a JSON/YAML file: a config, or a scenario holding it. */
export function readConfigFile(file: string, intersection: string): IntersectionConfig {
  const value = readArgData('--config', file) as { intersections?: unknown } | null;
  const candidate = Array.isArray(value?.intersections)
    ? value.intersections.find((i: { id?: unknown }) => i?.id === intersection)
    : value;
  if (!candidate) throw new Error(`${file} has no intersection '${intersection}'`);
  const r = validateIntersection(candidate);
  if (!r.ok) throw new Error(`${file}: ${formatProblems(r.problems)}`);
  if (r.value.id !== intersection)
    throw new Error(`${file} describes '${r.value.id}', not '${intersection}'`);
  return r.value;
}

/**
 * Waits for the retained config of one intersection on a broker. One attempt (a command, not
 * a service); the client id is the username, as OpenPhase's broker requires.
 */
export async function readConfigMqtt(
  url: string,
  intersection: string,
  auth: { username?: string; password?: string; root?: string; clientId?: string },
  timeoutMs = 5000,
): Promise<IntersectionConfig> {
  const topic = topics(auth.root ?? 'traffic').config(intersection);
  const client = await connectOnce(url, {
    ...auth,
    fallbackClientId: `openphase-plan-${process.pid}`,
    timeoutMs,
    what: 'read the config',
  });
  try {
    const got = new Promise<Buffer>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`no retained config on ${topic} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      client.on('message', (_topic, payload) => {
        clearTimeout(t);
        resolve(payload);
      });
    });
    await client.subscribeAsync(topic, { qos: 1 });
    const r = validateIntersection(JSON.parse((await got).toString('utf8')));
    if (!r.ok) throw new Error(`config on ${topic}: ${formatProblems(r.problems)}`);
    return r.value;
  } finally {
    await client.endAsync();
  }
}

/** Queries the per-period counts and returns the time-of-day plans. */
export async function runPlan(o: PlanOptions): Promise<TodPlan[]> {
  assertId('intersection', o.intersection);
  const u = new URL(o.influxUrl);
  const influx = new InfluxDB({
    host: u.hostname,
    port: Number(u.port || (u.protocol === 'https:' ? 443 : 8086)),
    protocol: u.protocol === 'https:' ? 'https' : 'http',
    database: o.influxDb,
    ...(o.influxUsername ? { username: o.influxUsername, password: o.influxPassword ?? '' } : {}),
  });
  // ids match ^[A-Za-z0-9_-]+$ (checked above): safe inside the quoted tag value.
  const where = `"intersection" = '${o.intersection}' AND time >= ${o.fromMs}ms AND time < ${o.toMs}ms`;
  const q =
    `SELECT sum("count") AS n, count("count") AS messages, sum("intervalMs") AS covered ` +
    `FROM "counts" WHERE ${where} GROUP BY time(${o.periodMs / 1000}s), "detector"`;
  const result = await influx.query<{
    time: { getTime(): number };
    detector: string;
    n: number | null;
    messages: number | null;
    covered: number | null;
  }>(q);
  const rows: CountRow[] = [];
  for (const r of result) {
    if (!r.messages) continue;
    rows.push({
      timeMs: r.time.getTime(),
      detector: r.detector,
      count: r.n ?? 0,
      messages: r.messages,
      ...(r.covered ? { coveredMs: r.covered } : {}),
    });
  }
  // Counts stored before they kept their interval: the sensor's interval from their spacing.
  if (rows.some((r) => r.coveredMs === undefined)) {
    const sample = await influx.query<{ time: { getTime(): number }; detector: string }>(
      `SELECT "count" FROM "counts" WHERE ${where} GROUP BY "detector" LIMIT 100`,
    );
    const spacing = intervalsFromSpacing(
      sample.map((r) => ({ key: r.detector, timeMs: r.time.getTime() })),
    );
    for (const r of rows) {
      const every = spacing.get(r.detector);
      if (r.coveredMs === undefined && every !== undefined) r.coveredMs = r.messages * every;
    }
  }
  return plansByTimeOfDay(o.config, rows, {
    periodMs: o.periodMs,
    ...(o.timeZone ? { timeZone: o.timeZone } : {}),
    ...(o.saturationFlowVphpl ? { saturationFlowVphpl: o.saturationFlowVphpl } : {}),
    ...(o.lostTimePerPhaseS ? { lostTimePerPhaseS: o.lostTimePerPhaseS } : {}),
  });
}

/** The zone a plan table's times are in: the one given, else the config's, else UTC. */
export const planZone = (config: IntersectionConfig, timeZone?: string) =>
  zoneOf(config.timeZone, timeZone);

/**
 * The plans as a table: a line naming the time zone, then one line per time-of-day period.
 */
export function formatPlans(
  config: IntersectionConfig,
  plans: TodPlan[],
  timeZone?: string,
  lang: Lang = 'en',
): string {
  const phases = config.phases.map((p) => p.id);
  const head = [
    t(lang, 'plan.col.from'),
    t(lang, 'plan.col.to'),
    t(lang, 'plan.col.cycle'),
    ...phases.map((phase) => t(lang, 'plan.col.green', { phase })),
    t(lang, 'plan.col.y'),
    t(lang, 'plan.col.data'),
  ];
  const y = new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const lines = plans.map((p) => [
    p.from,
    p.to,
    String(p.webster.plan.cycleS),
    ...phases.map((id) => String(p.webster.plan.greenS[id] ?? 0)),
    y.format(p.webster.Y),
    `${percent(lang, p.completeness)} ${t(lang, 'plan.days', { count: p.days })}`,
  ]);
  const width = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cols: string[]) =>
    cols
      .map((c, i) => c.padEnd(width[i]!))
      .join('  ')
      .trimEnd();
  const zone = timeZone ?? planZone(config);
  return [t(lang, 'plan.zone', { zone }), fmt(head), ...lines.map(fmt)].join('\n');
}

const parseTime = (name: string) => (v: string) => {
  const ms = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(ms)) throw new Error(t(cliLang(), 'args.isoTime', { flag: name, value: v }));
  return ms;
};

export function command(): Command {
  return new Command('plan')
    .description(
      'read aggregated counts of one intersection from InfluxDB 1.x and print Webster (1958) ' +
        'fixed-time plans per time-of-day period; consecutive periods with the same greens merge',
    )
    .requiredOption('--intersection <id>', 'intersection id')
    .addOption(
      new Option('--influx-url <url>', 'InfluxDB 1.x URL')
        .env('INFLUX_URL')
        .default('http://127.0.0.1:8086'),
    )
    .addOption(
      new Option('--influx-db <name>', 'the database the collector writes')
        .env('INFLUX_DB')
        .makeOptionMandatory(),
    )
    .addOption(new Option('--influx-username <name>', 'InfluxDB user').env('INFLUX_USERNAME'))
    .addOption(secretFileOption(INFLUX_PASSWORD))
    .addOption(refusedSecretOption(INFLUX_PASSWORD))
    .hook('preAction', resolveSecret(INFLUX_PASSWORD))
    .requiredOption('--from <time>', 'start, ISO 8601 or epoch ms (inclusive)', parseTime('--from'))
    .requiredOption('--to <time>', 'end, ISO 8601 or epoch ms (exclusive)', parseTime('--to'))
    .option('--period <p>', 'time-of-day period: 15m, 30m, 1h', '15m')
    .addOption(
      new Option(
        '--time-zone <zone>',
        "the deployment's IANA zone for the time of day, e.g. Europe/Paris, when the config names no timeZone (default UTC)",
      ).env('OPENPHASE_TIME_ZONE'),
    )
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
    .option('--saturation-flow <vphpl>', 'saturation flow, veh/h/lane', '1800')
    .option('--lost-time <s>', 'startup + yellow-unused lost time per phase, s', '3')
    .option('--json', 'print JSON instead of a table')
    .addHelpText(
      'after',
      '\nExample:\n  openphase plan --influx-url http://influx:8086 --influx-db openphase \\\n' +
        '    --intersection a --from 2026-01-05 --to 2026-01-12 --period 15m --config a.yaml',
    )
    .action(async (o) => {
      const lang = cliLang();
      if (o.timeZone !== undefined) zoneArg('--time-zone', o.timeZone);
      const periodMs = periodArg('--period', o.period);
      const saturationFlowVphpl = numberArg('--saturation-flow', o.saturationFlow, 100, 3000);
      const lostTimePerPhaseS = numberArg('--lost-time', o.lostTime, 0, 20);
      if (!o.config && !o.mqtt) throw new Error(t(lang, 'cli.needConfig'));
      const config = o.config
        ? readConfigFile(o.config, o.intersection)
        : await readConfigMqtt(o.mqtt, o.intersection, {
            username: o.username,
            password: o.password,
          });
      const plans = await runPlan({
        influxUrl: o.influxUrl,
        influxDb: o.influxDb,
        influxUsername: o.influxUsername,
        influxPassword: o.influxPassword,
        intersection: o.intersection,
        fromMs: o.from,
        toMs: o.to,
        periodMs,
        config,
        ...(o.timeZone ? { timeZone: o.timeZone } : {}),
        saturationFlowVphpl,
        lostTimePerPhaseS,
      });
      if (plans.length === 0) {
        console.error(t(lang, 'plan.noCounts', { intersection: o.intersection }));
        process.exitCode = 1;
        return;
      }
      console.log(
        o.json
          ? JSON.stringify(
              { intersection: o.intersection, timeZone: planZone(config, o.timeZone), plans },
              null,
              2,
            )
          : formatPlans(config, plans, planZone(config, o.timeZone), lang),
      );
    });
}
