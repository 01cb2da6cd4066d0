/**
 * Terms explained where they appear (report, dashboard): a reader who is not an engineer
 * must not need to look anything up.
 */
export const glossary = {
  'glossary.title': 'Words used in this report',
  'glossary.seed.term': 'seed',
  'glossary.seed.text':
    'a number that fixes the random draw of vehicles: with the same seed every controller faces exactly the same cars at the same moments, so the comparison is fair. Several seeds are several different but equally likely days.',
  'glossary.delay.term': 'delay',
  'glossary.delay.text':
    'the time a vehicle lost at the signals compared with driving through on green at the speed limit, in seconds per vehicle.',
  'glossary.delayIndex.term': 'delay index',
  'glossary.delayIndex.text':
    "a controller's average delay divided by the reference controller's on the same scenarios, times 100: 100 means the same, 80 means 20 % less waiting.",
  'glossary.baseline.term': 'reference controller (baseline)',
  'glossary.baseline.text':
    'the controller every other one is compared with, seed by seed; by default the built-in actuated control most cities already use.',
  'glossary.ci.term': 'confidence interval',
  'glossary.ci.text':
    'the range the true average lies in with 95% certainty, given the variation between seeds. When the interval of a difference contains zero, the difference may be chance: the report then says "no clear difference".',
  'glossary.scenario.term': 'scenario',
  'glossary.scenario.text':
    'one street layout with its traffic over a period (e.g. an evening peak), either a textbook case or built from the city’s own counts.',
  'glossary.run.term': 'run',
  'glossary.run.text': 'one simulation of one scenario with one seed and one controller.',
  'glossary.safety.term': 'safety intervention',
  'glossary.safety.text':
    'the independent safety monitor refused a controller’s request (a green too short or too long, an unknown phase, two conflicting movements) or took over when the controller went silent. Every one counts against the controller.',
  'glossary.deadline.term': 'missed deadline',
  'glossary.deadline.text':
    'a moment when the controller did not answer in time; the signal then kept its state.',
  'glossary.conflict.term': 'conflicting greens',
  'glossary.conflict.text':
    'two movements that would cross given green together. Checked on every second independently of the monitor; must always be zero.',
  'glossary.twin.term': 'clean twin',
  'glossary.twin.text':
    'the same scenario without its detector faults or demand surge, to measure what the fault or surge costs.',
} as const;
