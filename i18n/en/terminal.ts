/**
 * What commands print in a terminal for a person: the plan and measures tables, bench progress
 * and the instructions to a vendor during a run, the engine errors of a bench.
 */
export const terminal = {
  'cli.note': 'note: {text}',
  'fromStore.needConfigs': 'give the intersection configs: one of --config-dir, --config or --mqtt',
  'fromStore.skipped': 'openphase scenario: skipped bad config {what}',
  'fromStore.skippedOf': 'openphase scenario: skipped bad config of {what}',
  'fromStore.noConfig': 'no config for {ids}',
  'fromStore.zones':
    'the intersections name different time zones ({zones}): build one scenario per zone (--intersection)',
  'fromStore.coverage':
    "coverage: {pct} % of the used detectors' time on the chosen days had stored counts ({zone} days)",
  'fromStore.filled': 'filled: {where} {date} {from}–{to} from the same bins on {days}',
  'fromStore.interpolated':
    'interpolated: {where} {date} {from}–{to} (no other day had these bins)',
  'fromStore.saturated':
    'saturated stop bar: {intersection} {laneGroup} {date} {from}–{to} at {discharge} veh/h: {counted} counted, {arrivals} estimated arrivals{lowerBound}',
  'fromStore.lowerBound': ' (at least: the stretch reaches the end of the data)',
  'fromStore.wrote': 'openphase scenario: wrote {path}: {intersections}, {movements}',
  'fromStore.intersections': { one: '{count} intersection', other: '{count} intersections' },
  'fromStore.movements': { one: '{count} movement', other: '{count} movements' },
  'cli.needConfig': 'give the intersection config: --config FILE or --mqtt URL',

  'plan.zone': 'times: local wall clock in {zone}',
  'plan.col.from': 'from',
  'plan.col.to': 'to',
  'plan.col.cycle': 'cycle',
  'plan.col.green': '{phase} s',
  'plan.col.y': 'Y',
  'plan.col.data': 'data',
  'plan.days': { one: '{count}d', other: '{count}d' },
  'plan.noCounts': "openphase plan: no counts for '{intersection}' between the given times",

  'mtable.head': 'intersection {intersection}, {from} to {to} (times: local wall clock in {zone})',
  'mtable.volume': 'Approach volume',
  'mtable.col.approach': 'approach',
  'mtable.col.vehicles': 'vehicles',
  'mtable.col.vph': 'veh/h',
  'mtable.col.detectors': 'detectors',
  'mtable.laneGroups': 'Lane groups',
  'mtable.col.laneGroup': 'lane group',
  'mtable.col.phases': 'phases',
  'mtable.col.arrivals': 'arrivals',
  'mtable.col.onGreen': 'on green',
  'mtable.col.gc': 'g/C',
  'mtable.col.platoon': 'platoon ratio',
  'mtable.col.delay': 'delay s/veh',
  'mtable.col.splitFailures': 'split failures',
  'mtable.col.yellowAct': 'yellow act.',
  'mtable.col.redAct': 'red act.',
  'mtable.severe': '{red} ({severe} severe)',
  'mtable.termination':
    'Phase termination (gap-out and force-off cannot be told apart from stored data)',
  'mtable.col.phase': 'phase',
  'mtable.col.greens': 'greens',
  'mtable.col.maxOut': 'max-out',
  'mtable.col.gapOrForce': 'gap-out or force-off',
  'mtable.col.meanGreen': 'mean green s',
  'mtable.bins': 'Per {bin} min ({zone})',
  'mtable.col.binFrom': 'from',
  'mtable.col.binVeh': '{approach} veh',
  'mtable.col.binAog': '{laneGroup} AoG %',
  'mtable.col.binSf': '{laneGroup} SF',

  'progress.line': 'bench: {done}/{total} {run}',
  'progress.note': 'bench: {line}',
  'progress.run': '{controller} {scenario}{clean} seed {seed}{running}',
  'progress.clean': ' (clean)',
  'progress.running': ' ({count} under way)',
  'progress.bar': 'bench {bar} {value}/{total} runs | {eta} left | {run}',
  'progress.starting': 'starting',
  'vendor.credential':
    'mqtt:{id}: start your controller now with the broker address and credential in {file} (read it with: set -a; . {file}; set +a). It is deleted when the bench ends.',
  'vendor.external':
    "mqtt:{id}: your controller must be connected to {url} (root '{root}') with its own credential.",
  'vendor.connected': 'mqtt:{id}: connected',
  'vendor.noConnect': 'mqtt:{id} did not connect within {seconds} s',
  'vendor.noJanitor': 'cannot clear retained messages between runs ({message}); continuing',
  'engines.error.none': '--engine needs at least one engine name',
  'engines.error.unknown': "--engine: unknown engine '{name}' (engines: {known})",
} as const;
