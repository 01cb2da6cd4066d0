/** The benchmark report (bench/report/): what a council reads. */
export const report = {
  'report.title': 'Traffic signal controller benchmark',
  'report.htmlTitle': 'OpenPhase benchmark: {controllers}',
  'report.runs': { zero: 'no runs', one: '{count} run', other: '{count} runs' },
  'report.count.controllers': { one: '{count} controller', other: '{count} controllers' },
  'report.count.scenarios': { one: '{count} scenario', other: '{count} scenarios' },
  'report.count.seeds': { one: '{count} seed', other: '{count} seeds' },
  'report.count.seedsEach': { one: '{count} seed each', other: '{count} seeds each' },
  'report.count.intersections': { one: '{count} intersection', other: '{count} intersections' },

  'report.plain.title': 'What it means on the street',
  'report.plain.own': 'On your streets ({where}), vehicles waited on average {list}.',
  'report.plain.test': 'In the test case “{where}”, vehicles waited on average {list}.',
  'report.plain.where': '{intersections}, {hours}, {days}',
  'report.plain.allDay': 'all day',
  'report.plain.days': {
    one: '{first}',
    other: 'average of {count} days from {first} to {last}',
  },
  'report.plain.item': '{delay} s with {controller}',
  'report.plain.note':
    'Waiting here is the delay: the time each vehicle lost at the signals, in seconds, averaged over all vehicles and all seeds.',
  'report.headline.best':
    '{best} had the least delay: {pct} less than the reference controller, {baseline}, on average over {scenarios}.',
  'report.headline.none':
    'No controller had less delay than the reference controller, {baseline}, on average over {scenarios}.',
  'report.headline.runs': '{controllers} × {scenarios} × {seeds} = {runs}{twins}.',
  'report.headline.twins': ', plus {runs} of clean twins',
  'report.headline.safe': 'No run ever showed two conflicting movements green together.',
  'report.headline.conflicts': {
    one: 'WARNING: conflicting greens were shown {count} time.',
    other: 'WARNING: conflicting greens were shown {count} times.',
  },
  'report.line.baseline':
    'the reference controller: every other controller is compared with it, seed by seed',
  'report.line.same': 'about the same delay as the reference on average',
  'report.line.less': '{pct} less delay than the reference on average',
  'report.line.more': '{pct} more delay than the reference on average',
  'report.line.noClear':
    '{head}, but no clear difference on any of the {scenarios}: within what chance gives over these seeds',
  'report.line.onlyMore':
    '{head}; clearly more delay on {higher} of {scenarios}, clearly less on none',
  'report.line.someLess': '{head}; clearly less delay on {lower} of {scenarios}',
  'report.line.andMore': ' and clearly more on {higher}',
  'report.line.interventions': {
    zero: 'no safety interventions',
    one: '{count} safety intervention ({kinds}) in {runs}',
    other: '{count} safety interventions ({kinds}) in {runs}',
  },
  'report.line.kind': '{kind}: {count}',
  'report.line.missed': {
    zero: 'no missed deadlines',
    one: '{count} missed deadline',
    other: '{count} missed deadlines',
  },
  'report.line.conflicts': {
    one: 'WARNING: {count} conflicting green shown',
    other: 'WARNING: {count} conflicting greens shown',
  },
  'report.line.degrSame': '{what} ({scenario}): no clear difference to its delay',
  'report.line.degrRaised': '{what} ({scenario}): its delay {pct} higher',
  'report.line.degrLowered': '{what} ({scenario}): its delay {pct} lower',
  'report.what.faults': 'detector faults',
  'report.what.surge': 'the demand surge',
  'report.clearly':
    '“Clearly” means the 95% confidence interval of the seed-by-seed difference excludes zero. Every run counts; there is no best-of.',

  'override.minGreen': 'green cut before its minimum',
  'override.maxGreen': 'green held past its maximum',
  'override.unknownPhase': 'phase that does not exist',
  'override.conflict': 'conflicting movements requested',
  'override.watchdog': 'controller silent (fallback plan)',

  'report.ranking.title': 'Ranking',
  'report.col.controller': 'controller',
  'report.col.delayIndex': 'delay index',
  'report.col.delayIndexSub': 'reference = 100',
  'report.col.lessMoreSame': 'scenarios with less / more / same delay',
  'report.col.interventions': 'safety interventions',
  'report.col.oneRunEach': 'in one run of each scenario',
  'report.col.missed': 'missed deadlines',
  'report.col.conflicts': 'conflicting greens',
  'report.col.runs': 'runs',
  'report.col.scenario': 'scenario',
  'report.col.decision': 'decision time, ms (median / 99th percentile)',
  'report.col.extraDelay': 'extra delay per vehicle',
  'report.col.change': 'change',
  'report.col.whatItTests': 'what it tests',
  'report.col.sha': 'fingerprint of the file (SHA-256)',
  'report.col.name': 'name in this report',
  'report.col.code': 'controller run',
  'report.reference': 'reference',
  'report.ranking.note':
    "Delay index: each controller's average delay divided by the reference controller's on the same scenario, averaged over the scenarios, times 100 (lower is better).",

  'report.delay.title': 'Delay per scenario',
  'report.delay.intro':
    'Average delay per vehicle, in seconds, over {seeds}; the black whiskers are 95% confidence intervals. Vehicles still waiting at the end count with the delay they had. Lower is better.',
  'report.delay.bar': '{controller} on {scenario}: {mean} s [{low}–{high}]',
  'report.delay.aria': 'average delay per vehicle per scenario and controller, with 95% intervals',
  'report.delay.note':
    'Under each value: the difference from the reference controller, compared seed by seed; “no clear difference” when the 95% interval of the difference includes zero.',
  'report.vs.same': 'no clear difference',
  'report.vs.less': '{pct} less',
  'report.vs.more': '{pct} more',

  'report.queue.title': 'Queue over time: {scenario}',
  'report.queue.intro':
    'Vehicles waiting at all approaches together, seed {seed}. A controller that keeps this line low and brings it back down quickly after a peak serves the traffic best.',
  'report.queue.unit': 'vehicles queued',
  'report.queue.aria': 'vehicles queued over time in {scenario}',
  'report.queue.twin': '{series} is identical to {twin} (dashed on top of it)',

  'report.safety.title': 'Safety and deadlines',
  'report.safety.intro':
    'The safety monitor stands between every controller and the signal heads. When a controller asks for something unsafe or invalid — ending a green before its minimum, holding it past its maximum, a phase that does not exist, two conflicting movements — the monitor refuses and counts an intervention; when a controller stays silent it holds the signal and, after a while, runs the fallback plan. A missed deadline is a moment the controller did not answer within {deadlineMs} ms. Conflicting greens are checked every second independently of the monitor and must be zero.',
  'report.safety.caption': 'Safety interventions per run, by kind.',
  'report.safety.none': 'No controller triggered any safety intervention.',
  'report.safety.unit': 'safety interventions per run',
  'report.safety.aria': 'safety-monitor interventions per run, by kind',
  'report.deadlines.caption': 'Missed deadlines per run.',
  'report.deadlines.none': 'No controller missed a deadline.',
  'report.deadlines.unit': 'missed deadlines per run',
  'report.safety.totals': 'Totals over all runs of the scenarios above.',
  'report.safety.detail': 'Per scenario: means per run, and decision times',
  'report.safety.decisionNote':
    'Decision times are measured on the clock: in-process for built-in controllers, from the signal published to the decision received over MQTT for the others.',

  'report.robust.title': 'Robustness: what a fault or a surge costs',
  'report.robust.intro':
    'Each fault or surge scenario is also run clean, with the same seeds: detector faults removed (the vehicles are the same, only what the controller sees changes), or a surge spread evenly over the hour. The difference is what the fault or the surge costs each controller.',
  'report.robust.withFaults': 'with detector faults',
  'report.robust.withSurge': 'with the surge',
  'report.robust.cleanFaults': 'the same traffic, no faults',
  'report.robust.cleanSurge': 'the same vehicles, spread evenly over the hour',
  'report.robust.heading': '{scenario}: {what}, compared with {clean}',
  'report.robust.aria': 'delay in {scenario} against its clean twin',

  'report.scenarios.title': 'Scenarios',
  'report.scenarios.private': 'private: kept by the city, shown by name and fingerprint only',
  'report.scenarios.own': 'built from the city’s own stored counts',
  'report.scenarios.meta': '({source}, {intersections}, {minutes} min)',
  'report.scenarios.origin':
    'Origin: stored counts of {intersections}; {days}, {hours} ({zone}); {coverage} of detector time covered; {filled}',
  'report.scenarios.originMore': {
    one: '{list} and {count} more',
    other: '{list} and {count} more',
  },
  'report.scenarios.originFilled': {
    zero: 'no gap filled',
    one: '{count} gap filled from other days',
    other: '{count} gaps filled from other days',
  },
  'report.source.bundled': 'bundled with OpenPhase',
  'report.source.file': 'a scenario file',
  'report.source.private': 'private',

  'report.rerun.title': 'How to rerun this',
  'report.rerun.text':
    'OpenPhase {version} (protocol {protocol}), Node {node} on {platform}; seeds {seeds}; lockstep, deadline {deadlineMs} ms; {duration}; broker: {broker}. Started {startedAt}, took {wallS} s.',
  'report.rerun.parallel': 'Runs at once: at most {n}.',
  'report.rerun.ownDuration': 'each scenario’s own duration',
  'report.rerun.fixedDuration': '{seconds} simulated seconds per run',
  'report.rerun.note':
    'The same command with the same scenario files (same fingerprints) gives the same scorecard.json, except for the start time and the clock timings. Method: docs/benchmark.md.',
  'report.rerun.names': 'The names used in this report and the controllers they stand for:',
} as const;
