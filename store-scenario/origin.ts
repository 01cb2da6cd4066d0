/** The one line a report shows for a scenario built from stored data (pure). */
import type { ScenarioOrigin } from '../protocol/index.ts';

/** One line naming a scenario's origin, for reports: intersections, days, coverage. */
export function originLine(origin: ScenarioOrigin): string {
  const ids = origin.intersections;
  const names =
    ids.length <= 4 ? ids.join(', ') : `${ids.slice(0, 3).join(', ')} and ${ids.length - 3} more`;
  const filled = origin.gaps?.filter((g) => g.how === 'filled').length ?? 0;
  return (
    `from stored counts: ${names}; ${origin.days.join(', ')} ${origin.hours ?? ''} (${origin.timeZone}); ` +
    `coverage ${Math.round(origin.coverage * 100)} %` +
    (filled > 0 ? `; ${filled} gap${filled === 1 ? '' : 's'} filled from other days` : '')
  );
}
