/**
 * What commands print in a terminal for a person: the plan and measures tables, bench progress
 * and the instructions to a vendor during a run, the engine errors of a bench.
 */
export const terminal = {
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
  'mtable.note': 'note: {text}',

  'progress.run': '{controller} {scenario}{clean} seed {seed}{running}',
  'progress.clean': ' (clean twin)',
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
  'engines.error.vendors': '--engine other than openphase runs built-in controllers only for now',
} as const;
