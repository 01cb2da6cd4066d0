/**
 * `openphase`: the one executable. Each subcommand lives in `cli/commands/{name}.ts` and
 * exports `command(): Command` (commander); it is loaded only when asked for, so `--help`
 * stays fast and one broken shell cannot break the others.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { LangError, t } from '../i18n/index.ts';
import { addLangOption, cliLang, langInArgs, setCliLang } from './lang.ts';
import { packageJson } from './package-json.ts';
import { strictUsage } from './usage.ts';

const here = dirname(fileURLToPath(import.meta.url));
/** `.js` when running compiled from dist/, `.ts` under tsx (tests, `npm run openphase`). */
const ext = extname(fileURLToPath(import.meta.url));
const pkg = JSON.parse(readFileSync(packageJson(here), 'utf8')) as { version: string };

/** Every subcommand, in the order `--help` lists them. Adding one: a file and a line. */
export const COMMANDS: { name: string; summary: string }[] = [
  {
    name: 'demo',
    summary: 'everything in one process: broker, simulated city, controller, collector, dashboard',
  },
  {
    name: 'broker',
    summary: 'the embedded MQTT broker (TCP, WebSocket, TLS) with device credentials and ACLs',
  },
  {
    name: 'devices',
    summary: 'the device registry: add, list, update, remove, rotate, export for Mosquitto',
  },
  {
    name: 'collector',
    summary: 'MQTT → InfluxDB (1.x, 2.x/3.x) or the embedded store, losing nothing',
  },
  { name: 'controller', summary: 'the reference controller service for many intersections' },
  {
    name: 'plan',
    summary: 'time-of-day fixed-time plans (Webster) from counts stored in InfluxDB',
  },
  {
    name: 'measures',
    summary: 'ATSPM measures (arrivals on green, split failures, …) from the stored history',
  },
  {
    name: 'scenario',
    summary: 'scenario files from your own data: `scenario from-store` rebuilds a stored day',
  },
  {
    name: 'simulate',
    summary: 'run a scenario: as fast as possible, real time, faster, or lockstep',
  },
  { name: 'bench', summary: 'controllers × scenarios × seeds → scorecard.json and report.html' },
  { name: 'conformance', summary: 'protocol checks of a live sensor or controller' },
  { name: 'intersection', summary: "check an intersection's config; publish it retained" },
  {
    name: 'signal',
    summary: 'the field gateway: decisions in, safety monitor and watchdog, a cabinet, signal out',
  },
  {
    name: 'dashboard',
    summary: 'the live dashboard of a running system: real intersections, nothing simulated',
  },
  {
    name: 'cabinet-emulator',
    summary: 'an NTCIP 1202 signal controller emulator over SNMP, for tests, rigs and demos',
  },
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    `openphase ${pkg.version} — open, vendor-neutral smart traffic signals`,
    '',
    'Usage: openphase <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     show this help; `openphase <command> --help` for a command',
    '  -V, --version  print the version',
    '  --lang fr|en   language of messages and reports (default: OPENPHASE_LANG, then the locale)',
    '',
    'Options can also come from environment variables (OPENPHASE_MQTT_URL, INFLUX_URL, …);',
    'each command lists the ones it reads. Docs: docs/ in the repository.',
  ].join('\n');
}

/** The known name within two edits of a typo (`simulte` → `simulate`), if any. */
export function closest(typo: string, names: readonly string[]): string | undefined {
  const distance = (a: string, b: string): number => {
    let row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) {
        const swap = a[i - 1] === b[j - 1] ? 0 : 1;
        next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + swap);
      }
      row = next;
    }
    return row[b.length]!;
  };
  const scored = names.map((n) => ({ n, d: distance(typo.toLowerCase(), n) }));
  const best = scored.sort((x, y) => x.d - y.d)[0];
  return best && best.d <= 2 ? best.n : undefined;
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    setCliLang(langInArgs(argv));
  } catch (e) {
    if (!(e instanceof LangError)) throw e;
    console.error(`openphase: ${e.message}`);
    return 2;
  }
  const lang = cliLang();
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    console.log(help());
    return name === undefined ? 1 : 0;
  }
  if (name === '-V' || name === '--version') {
    console.log(pkg.version);
    return 0;
  }
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) {
    const guess = closest(
      name,
      COMMANDS.map((c) => c.name),
    );
    const hint = guess ? t(lang, 'cli.didYouMean', { name: guess }) : '';
    console.error(t(lang, 'cli.unknownCommand', { name, hint }));
    return 2;
  }
  const file = join(here, 'commands', `${name}${ext}`);
  if (!existsSync(file)) {
    console.error(t(lang, 'cli.notBuilt', { name, version: pkg.version }));
    return 2;
  }
  const mod = (await import(pathToFileURL(file).href)) as { command: () => Command };
  const cmd = mod.command();
  cmd.name(`openphase ${name}`);
  addLangOption(cmd);
  strictUsage(cmd, cliLang);
  try {
    await cmd.parseAsync(rest, { from: 'user' });
  } catch (e) {
    // `code` is not always commander's string: an mqtt.js refusal carries a number
    const err = e as { code?: unknown; exitCode?: number; message?: string };
    if (typeof err.code === 'string' && err.code.startsWith('commander.')) {
      // commander already printed help or the usage error (one line: ./usage.ts)
      return err.exitCode ?? 2;
    }
    const message = err.message ?? String(e);
    console.error(t(cliLang(), 'cli.failed', { command: `openphase ${name}`, message }));
    return 1;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => {
      // Long-running commands (broker, collector, demo) keep the loop alive themselves.
      process.exitCode = code;
      // A failed command ends here, whatever handle a half-started shell left open: a
      // supervisor must see it exit (a broker on a port in use must not look alive).
      if (code !== 0) process.exit(code);
    },
    (e: unknown) => {
      console.error(`openphase: ${(e as Error).message}`);
      process.exitCode = 1;
    },
  );
}
