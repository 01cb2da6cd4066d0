/** The benchmark report's engine comparison and sensitivity sections (bench/report/engines.ts). */
export const engines = {
  'engine.openphase': 'OpenPhase',
  'engine.sumo': 'SUMO',
  'engines.title': 'Engines compared',
  'engines.intro':
    'Every run was repeated on each traffic engine with the same vehicles, the same controllers and the same seeds. {reference} is the reference engine. A ranking a city can defend is one the engines agree on.',
  'engines.rankingCaption': 'Ranking on each engine (delay index, baseline = 100; lower is better)',
  'engines.rank': 'rank',
  'engines.tau':
    "Kendall's τ between {reference} and {engine} over every controller × scenario mean delay: {tau} (1 = the same order, 0 = unrelated). Pairs of controllers in a different order: {differing}; in clearly opposite order (both 95 % intervals exclude zero): {opposite}.",
  'engines.pairsCaption': 'Every pair of controllers: which has less delay on each engine',
  'engines.pair': 'pair',
  'engines.scenario': 'scenario',
  'engines.overall': 'overall ranking',
  'engines.verdict': 'verdict',
  'engines.same': 'same order',
  'engines.differs': 'order differs',
  'engines.opposite': 'clearly opposite',
  'engines.tie': 'tie',
  'engines.unclear': '(no clear difference)',
  'engines.noneDiffer': 'Both engines put every pair of controllers in the same order.',
  'engines.someDiffer': {
    one: '{count} pair of controllers is in a different order on the two engines: marked below.',
    other: '{count} pairs of controllers are in a different order on the engines: marked below.',
  },
  'sensitivity.title': 'Does a verdict hinge on a modelling choice?',
  'sensitivity.intro':
    'Simulations assume how drivers behave. The benchmark reran every controller on {engine} with {parameter} at the ends of its field range ({values}) and checks, for every pair of controllers on every scenario, whether the order holds.',
  'sensitivity.parameter.drivers.yellowUsedS': 'the seconds of yellow drivers still use',
  'sensitivity.holds': 'holds',
  'sensitivity.hinges': 'hinges on the convention',
  'sensitivity.at': 'at {value} s',
  'sensitivity.none': 'Every verdict holds across the range: no order of two controllers changes.',
  'sensitivity.some': {
    one: '{count} verdict hinges on this modelling choice: treat it as undecided.',
    other: '{count} verdicts hinge on this modelling choice: treat them as undecided.',
  },
  'cli.bench.sensitivity':
    'bench: sensitivity: every built-in again on OpenPhase’s engine with the yellow drivers use at {values} s',
  'sensitivity.notRun':
    'Not checked in this run: `openphase bench --sensitivity` reruns every controller with the yellow used at the ends of its field range and says which verdicts hinge on it.',
} as const;
