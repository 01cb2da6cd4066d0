/** The CLI's messages a user reads after a run: errors and summaries (help texts stay English). */
export const cli = {
  'cli.option.lang':
    'language of the messages and reports: en or fr (default: OPENPHASE_LANG, then the locale, then en)',
  'cli.unknownCommand':
    "openphase: unknown command '{name}'.{hint} Run 'openphase --help' for the list.",
  'cli.didYouMean': " Did you mean '{name}'?",
  'cli.notBuilt': 'openphase {name}: not built yet in this version ({version}).',
} as const;
