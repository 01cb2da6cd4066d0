/** What the bench keeps of a scenario's origin: intersections, days, coverage (pure). */
import type { ScenarioOrigin } from '../protocol/index.ts';

/** The origin as the scorecard carries it (the report words it in the reader's language). */
export function originSummary(origin: ScenarioOrigin) {
  return {
    intersections: origin.intersections.slice(0, 4),
    intersectionCount: origin.intersections.length,
    days: origin.days,
    ...(origin.hours ? { hours: origin.hours } : {}),
    timeZone: origin.timeZone,
    coverage: origin.coverage,
    filledGaps: origin.gaps?.filter((g) => g.how === 'filled').length ?? 0,
  };
}
