/** The live dashboard page (dashboard/web/, dashboard/public/). */
export const dashboard = {
  'dashboard.title': 'OpenPhase — live city',
} as const;
