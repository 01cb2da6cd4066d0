/** The benchmark report (bench/report/): what a council reads. */
export const report = {
  'report.title': 'Traffic signal controller benchmark',
  'report.runs': { zero: 'no runs', one: '{count} run', other: '{count} runs' },
} as const;
