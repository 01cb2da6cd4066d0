/** The CLI's messages a user reads after a run: errors and summaries (help texts stay English). */
export const cli = {
  'cli.option.lang':
    'language of the messages and reports: en or fr (default: OPENPHASE_LANG, then the locale, then en)',
  'cli.unknownCommand':
    "openphase: unknown command '{name}'.{hint} Run 'openphase --help' for the list.",
  'cli.didYouMean': " Did you mean '{name}'?",
  'cli.notBuilt': 'openphase {name}: not built yet in this version ({version}).',
  'cli.bench.wroteReport': 'bench: wrote {path}',
  'cli.bench.wrote': 'bench: wrote {scorecard} and {report}',
  'cli.bench.rankingHead':
    'bench: ranking (delay index: the reference = 100, lower is better; safety interventions and missed deadlines: in one run of each scenario, mean over the seeds):',
  'cli.bench.rankingLine':
    '{rank}. {name}  delay index {index}  safety interventions {overrides}  missed deadlines {missed}  conflicting greens {conflicts}',
  'cli.bench.invalidScenario': 'openphase bench: scenario {source} is not valid:',
  'cli.bench.stopping': 'stopping…',
  'cli.bench.runs': '{total} runs, up to {parallel} at once',
  'cli.label.format':
    '--label \'{value}\': write --label CONTROLLER="Display name", e.g. --label mqtt:acme="Acme SmartSignal 2.1"',
  'cli.label.unknown': '--label {controller}: not one of the controllers of this bench ({known})',
  'cli.label.twice': '--label {controller}: given twice',
} as const;
