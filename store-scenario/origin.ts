/** What the bench keeps of a scenario's origin: intersections, days, coverage (pure). */
import type { ScenarioOrigin } from '../protocol/index.ts';

/** The origin as the scorecard carries it (the report words it in the reader's language). */
export function originSummary(
  origin: ScenarioOrigin,
  configs: readonly { id: string; name?: string | undefined }[] = [],
) {
  // what a reader sees of an intersection is its display name (config `name`), else its id
  const shown = (id: string) => configs.find((c) => c.id === id)?.name ?? id;
  return {
    intersections: origin.intersections.slice(0, 4).map(shown),
    intersectionCount: origin.intersections.length,
    days: origin.days,
    ...(origin.hours ? { hours: origin.hours } : {}),
    timeZone: origin.timeZone,
    coverage: origin.coverage,
    filledGaps: origin.gaps?.filter((g) => g.how === 'filled').length ?? 0,
  };
}
