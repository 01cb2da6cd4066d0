/** The CLI's messages a user reads after a run: errors and summaries (help texts stay English). */
export const cli = {
  'cli.option.lang':
    'language of the messages and reports: en or fr (default: OPENPHASE_LANG, then the locale, then en)',
  'cli.unknownCommand':
    "openphase: unknown command '{name}'.{hint} Run 'openphase --help' for the list.",
  'cli.didYouMean': " Did you mean '{name}'?",
  'cli.failed': '{command}: {message}',
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
  'cli.sim.head': 'scenario {scenario}  seed {seed}  controller {controller}{engine}',
  'cli.sim.engine': '  engine {engine}',
  'cli.sim.vehicles': 'vehicles   arrived {arrived}  served {served}  queued at end {queued}',
  'cli.sim.delay': 'delay      mean {mean} s  p95 {p95} s  max wait {max} s',
  'cli.sim.queue': 'queue      mean {mean} veh  max {max} veh (per approach)',
  'cli.sim.flow': 'flow       {vph} veh/h served  stops/vehicle {stops}  phase changes/h {changes}',
  'cli.sim.safety':
    'safety     overrides {overrides}  missed deadlines {missed}  decision latency p50 {p50} ms p99 {p99} ms',
  'cli.sim.perHead': 'intersection        arrived  delay s  p95 s  queue',
  'cli.sim.over': 'simulate: {scenario} over {url} ({mode})',
  'cli.sim.lockstep': 'lockstep',
  'cli.sim.realtime': 'real time ×{speed}',
  'cli.sim.invalidScenario': 'openphase simulate: scenario {source} is not valid:',
  'cli.sim.noDecision':
    'openphase simulate: NO DECISION ARRIVED from any controller during the whole run: every intersection ran its fallback plan, and the metrics above measure that plan, not a controller. Check that a controller is connected to this broker, serves these intersections (same --root), and answers signals newer than the ones it has seen.',
} as const;
