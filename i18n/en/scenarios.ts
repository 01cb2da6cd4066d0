/**
 * The bundled scenarios in plain words (simulator/scenarios/): their descriptions in the YAML
 * are for engineers; these are what a report shows. A scenario file of the city's own keeps
 * its own description.
 */
export const scenarios = {
  'scenario.two-phase.title': 'a simple two-phase intersection',
  'scenario.two-phase.text':
    'One intersection, two phases (north-south, east-west), one lane per approach, moderate and steady traffic. The textbook case.',
  'scenario.four-phase-unbalanced.title': 'a four-phase intersection with unbalanced traffic',
  'scenario.four-phase-unbalanced.text':
    'One intersection with separate left, through and right lanes and four phases. The main street carries three times the side street’s traffic, but the fixed plan gives every phase the same green, as an untuned plan would. A good controller moves green to where the vehicles are.',
  'scenario.peak-surge.title': 'an intersection through a sharp peak',
  'scenario.peak-surge.text':
    'One intersection through a peak: north-south traffic climbs from 500 to 1,900 vehicles per hour per approach in half an hour, beyond what the fixed plan can carry for a few minutes, and back down. The fixed plan is set for the hour’s average, as an all-day plan would be.',
  'scenario.detector-faults.title': 'an intersection with failing detectors',
  'scenario.detector-faults.text':
    'The two-phase intersection with its detectors failing on a schedule: a loop stuck on, another stuck off, the whole sensor out for two minutes, noisy, duplicated and late counts. The vehicles are the same as without faults; only what the controller sees changes.',
  'scenario.arterial-corridor.title': 'a corridor of four intersections',
  'scenario.arterial-corridor.text':
    'Four intersections along a two-lane arterial, 25 s apart, with one-lane side streets. The fixed plan gives the arterial 38 of 66 s, timed as a green wave from west to east.',
  'scenario.grid-3x3.title': 'a grid of nine intersections',
  'scenario.grid-3x3.text':
    'Nine intersections in a 3 × 3 grid, two lanes per approach, 15 % of vehicles turning left and 15 % right. Equal fixed green times on a 60 s cycle.',
  'scenario.city.title': 'the demo city of 25 intersections',
  'scenario.city.text':
    'A 5 × 5 downtown grid: 25 intersections, moderate traffic with a morning build-up on the east-west streets, one simulated hour.',
} as const;
