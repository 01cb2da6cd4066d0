/**
 * What a reader sees instead of code names (pure): a controller's display name (its
 * `--label`, else a built-in's name in the report's language, else "vendor controller ID"),
 * a bundled scenario's title, and the order scenarios are told in (the city's own first).
 */
import { type Lang, t, tMaybe } from '../../i18n/index.ts';
import type { ScorecardT } from '../scorecard-schema.ts';

type Manifest = ScorecardT['manifest'];
type ScenarioEntry = Manifest['scenarios'][number];

/** @example controllerName('fr', manifest, 'builtin:actuated') // "Régulation sur détecteurs (intégrée)" */
export function controllerName(lang: Lang, m: Manifest, id: string): string {
  const label = m.labels?.[id];
  if (label) return label;
  const [kind, name = ''] = id.split(/:(.*)/s) as [string, string?];
  if (kind === 'builtin') return tMaybe(lang, `controller.builtin.${name}`) ?? id;
  if (kind === 'mqtt') return t(lang, 'controller.vendor', { id: name });
  return id;
}

/** A traffic engine's name for a reader ("OpenPhase", "SUMO"); an unknown one as it is. */
export const engineName = (lang: Lang, id: string): string => tMaybe(lang, `engine.${id}`) ?? id;

/** A bundled scenario's title in plain words; a file's or a private one's own name. */
export function scenarioTitle(lang: Lang, s: ScenarioEntry): string {
  return (s.source === 'bundled' && tMaybe(lang, `scenario.${s.name}.title`)) || s.name;
}

/** A bundled scenario's description in the report's language; a file's own description. */
export function scenarioText(lang: Lang, s: ScenarioEntry): string {
  return (s.source === 'bundled' && tMaybe(lang, `scenario.${s.name}.text`)) || s.description || '';
}

/** Built from the city's stored data: such an entry carries an origin (scenario from-store). */
export const isCitys = (s: ScenarioEntry): boolean => s.origin !== undefined;

/** The city's own scenarios first, then the others, each group in run order. */
export const cityFirst = (scenarios: readonly ScenarioEntry[]): ScenarioEntry[] => [
  ...scenarios.filter(isCitys),
  ...scenarios.filter((s) => !isCitys(s)),
];

/** "A, B and C" / "A, B et C". */
export const listOf = (lang: Lang, items: readonly string[]): string =>
  new Intl.ListFormat(lang, { type: 'conjunction' }).format(items);
