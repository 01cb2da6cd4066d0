/** The signal performance measures on the dashboard's intersection panel (dashboard/web/measures.ts). */
export const measures = {
  'measures.title': 'Signal performance (ATSPM), last hour',
  'measures.laneGroup': 'Lane group',
  'measures.summary':
    'Arrivals on green {aog} % (green {gc} % of the time) · platoon ratio {rp} · split failures {sf} of {cycles} cycles · delay {delay} s per vehicle',
  'measures.pcd.title':
    'Purdue coordination diagram: arrivals (dots), start of green and of yellow (lines)',
  'measures.pcd.axis': 'seconds in the cycle',
  'measures.bins.title': 'Per {bin} min: arrivals on green and split failures',
  'measures.series.aog': 'arrivals on green (%)',
  'measures.series.gc': 'green time (%)',
  'measures.series.sf': 'split failures (%)',
  'measures.unavailable':
    'No measures for now: the store cannot be read, or holds no signal history and actuations for this intersection.',
  'measures.zone': 'Times in {zone}.',
} as const;
